package interleave.engine.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;
import interleave.engine.tracing.TracedLaunch;

/**
 * The lecture's "where does the second client block?": the iterative echo server and two echo clients, all three
 * under the agent in one run folder. The first client sends its line in two halves {@code holdMillis} apart, so it
 * stays connected that long; the second connects a moment later and sends one line. The answer is then read from the
 * trace ({@link SecondClientBlock}), never assumed. Bounded in time; every process is stopped by its pid.
 */
public final class SecondClientExperiment {
    public static final long DEFAULT_HOLD_MILLIS = 1500;
    /** Time for the first client to be connected and accepted before the second one starts. */
    static final long SECOND_CLIENT_DELAY_MILLIS = 300;

    /** How it went: the run folder, the answer (or why there is none), and anything that did not go as planned. */
    public record Result(Path runDir, SecondClientBlock.Derivation derivation, long originNs, String problem) {
        /** The sentence for a report: the answer, or what went wrong. */
        public String describe() {
            return derivation.block().map(b -> b.describe(originNs))
                    .orElse("No answer from this run: " + (problem.isEmpty() ? derivation.problem() : problem) + ".");
        }
    }

    private final Path bin;
    private final Path agent;

    /** @param bin sample-servers/bin, with echo-iterative and echo-client built */
    public SecondClientExperiment(Path bin, Path agent) {
        this.bin = bin;
        this.agent = agent;
    }

    public Result run(Path runDir, long holdMillis, ExperimentProgress progress) throws InterruptedException {
        String problem = "";
        Path dir;
        try {
            dir = TracedLaunch.prepareRunDir(runDir, "echo-iterative");
        } catch (TracedLaunch.LaunchException e) {
            return new Result(runDir, new SecondClientBlock.Derivation(java.util.Optional.empty(), e.getMessage()), 0,
                    e.getMessage());
        }
        try (Processes processes = new Processes(progress)) {
            progress.step(0, 3, "starting echo-iterative");
            Process server = processes.start(TracedLaunch.processBuilder(agent, dir, bin.resolve("echo-iterative"),
                    List.of("-p", "0"), false).redirectErrorStream(true));
            StringBuilder serverOut = new StringBuilder();
            CompletableFuture<Integer> port = Processes.listeningPort(server, serverOut);
            int p;
            try {
                p = port.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                problem = server.isAlive() ? "echo-iterative printed no 'listening on' line within 10 s"
                        : "echo-iterative exited at once: " + serverOut.toString().strip();
                return finish(dir, problem);
            }
            progress.step(1, 3, "first client connects and stays " + holdMillis + " ms");
            Process first = processes.start(client(dir, p, List.of("--split", Long.toString(holdMillis)), 1));
            Thread.sleep(SECOND_CLIENT_DELAY_MILLIS);
            progress.step(2, 3, "second client connects, writes, waits for its echo");
            Process second = processes.start(client(dir, p, List.of(), 2));
            long limit = holdMillis + 15_000;
            if (!processes.waitFor(first, limit) || !processes.waitFor(second, limit)) {
                problem = progress.cancelled() ? "cancelled" : "a client was still running after " + limit / 1000
                        + " s and was stopped";
            } else if (first.exitValue() != 0 || second.exitValue() != 0) {
                problem = "a client failed (exit status " + first.exitValue() + " and " + second.exitValue()
                        + "; their output is in " + dir + ")";
            }
            // clients first, then the server: the trace then ends with the server stopped by SIGTERM
            Processes.stop(first);
            Processes.stop(second);
            Processes.stop(server);
        } catch (IOException e) {
            problem = "cannot start the programs in " + bin + ": " + e.getMessage();
        }
        progress.step(3, 3, "reading the trace");
        return finish(dir, problem);
    }

    private ProcessBuilder client(Path dir, int port, List<String> extra, int n) {
        List<String> args = new java.util.ArrayList<>(List.of("-p", Integer.toString(port), "-c", "1", "-n", "1",
                "-m", "persistent", "-t", "20"));
        args.addAll(extra);
        return TracedLaunch.processBuilder(agent, dir, bin.resolve("echo-client"), args, false)
                .redirectErrorStream(true).redirectOutput(dir.resolve("client-" + n + "-output.txt").toFile());
    }

    private static Result finish(Path dir, String problem) {
        RunEnd.write(dir, System.nanoTime(), "stopped", -1);
        try {
            TraceRun run = TraceReader.read(dir);
            return new Result(dir, SecondClientBlock.derive(run), run.startNs(), problem);
        } catch (TraceException e) {
            String why = "the trace could not be read: " + e.getMessage();
            return new Result(dir, new SecondClientBlock.Derivation(java.util.Optional.empty(), why), 0,
                    problem.isEmpty() ? why : problem);
        }
    }
}
