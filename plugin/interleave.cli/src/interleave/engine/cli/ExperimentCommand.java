package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import interleave.engine.experiments.ExperimentProgress;
import interleave.engine.experiments.RaceExperiment;
import interleave.engine.experiments.SecondClientExperiment;
import interleave.engine.tracing.TracedLaunch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code interleave experiment race|second-client}: the lecture's two experiments, run for real under the agent. */
@Command(name = "experiment", description = "Run one of the lecture's experiments under the agent and show what"
        + " happened.", subcommands = {ExperimentCommand.Race.class, ExperimentCommand.SecondClient.class})
final class ExperimentCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "Missing experiment: 'interleave experiment race' or 'interleave experiment second-client'");
    }

    /** The options both experiments share: where the samples are and where the runs go. */
    static class Common {
        @Option(names = "--samples", paramLabel = "DIR", defaultValue = "sample-servers",
                description = "The sample-servers folder (built with make). Default: ${DEFAULT-VALUE}")
        Path samples;

        @Option(names = {"--out", "-o"}, paramLabel = "DIR",
                description = "Where the runs go. Default: interleave-runs/NAME-TIME")
        Path out;

        Path outOr(String name) {
            return out != null ? out : Path.of("interleave-runs", name + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }

        /** The built program and the agent, or null after saying on err what is missing. */
        Path agentFor(PrintWriter err, String... programs) {
            for (String p : programs) {
                if (!Files.isExecutable(samples.resolve("bin").resolve(p))) {
                    err.println("interleave: " + samples.resolve("bin").resolve(p) + " is not built; build the samples"
                            + " with: make -C " + samples);
                    return null;
                }
            }
            try {
                return TracedLaunch.findAgent();
            } catch (TracedLaunch.LaunchException e) {
                err.println("interleave: " + e.getMessage());
                return null;
            }
        }
    }

    static ExperimentProgress terminal(PrintWriter err) {
        return (done, total, what) -> {
            err.println("interleave: [" + done + "/" + total + "] " + what);
            err.flush();
        };
    }

    @Command(name = "race", description = "Run the race sample (&i handed to N threads) several times and show how"
            + " many threads saw each value of i, next to what no race would give (each value once per run).")
    static final class Race implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--runs", paramLabel = "N", defaultValue = "" + RaceExperiment.DEFAULT_RUNS,
                description = "How many runs. Default: ${DEFAULT-VALUE}")
        int runs;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "" + RaceExperiment.DEFAULT_THREADS,
                description = "Threads per run (1..10000). Default: ${DEFAULT-VALUE}")
        int threads;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            if (runs < 1 || runs > 1000 || threads < 1 || threads > 10_000) {
                err.println("interleave: --runs wants 1..1000 and --threads 1..10000");
                return 2;
            }
            Path agent = common.agentFor(err, "race");
            if (agent == null) {
                return 2;
            }
            Path work = common.outOr("race-experiment").toAbsolutePath();
            RaceExperiment.Result r = new RaceExperiment(common.samples.resolve("bin/race").toAbsolutePath(), agent)
                    .run(work, runs, threads, terminal(err));
            r.problems().forEach(p -> err.println("interleave: " + p));
            out.println(r.histogram().summary());
            out.println();
            out.print(r.histogram().render());
            out.println();
            out.println("Runs: " + work);
            out.flush();
            return r.histogram().readCount() == 0 ? 1 : 0;
        }
    }

    @Command(name = "second-client", description = "Trace the iterative echo server with two clients: the first"
            + " stays connected, and the trace shows where the second one blocks and for how long.")
    static final class SecondClient implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--hold", paramLabel = "MS", defaultValue = "" + SecondClientExperiment.DEFAULT_HOLD_MILLIS,
                description = "How long the first client stays connected, in ms (100..10000). Default: ${DEFAULT-VALUE}")
        long hold;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            if (hold < 100 || hold > 10_000) {
                err.println("interleave: --hold wants 100..10000 ms");
                return 2;
            }
            Path agent = common.agentFor(err, "echo-iterative", "echo-client");
            if (agent == null) {
                return 2;
            }
            Path dir = common.outOr("second-client").toAbsolutePath();
            SecondClientExperiment.Result r = new SecondClientExperiment(common.samples.resolve("bin").toAbsolutePath(),
                    agent).run(dir, hold, terminal(err));
            if (!r.problem().isEmpty()) {
                err.println("interleave: " + r.problem());
            }
            out.println(r.describe());
            out.println();
            out.println("Run: " + r.runDir() + " (interleave report DIR, or open it in the Concurrency Timeline)");
            out.flush();
            return r.derivation().block().isPresent() ? 0 : 1;
        }
    }
}
