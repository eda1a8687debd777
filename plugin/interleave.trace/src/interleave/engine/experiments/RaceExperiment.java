package interleave.engine.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.tracing.TracedLaunch;

/**
 * The lecture's race test, run for real: the race sample ({@code &i} handed to N threads) is run several times under
 * the agent, and what each thread read (hardware watchpoint, else the bytes at its start) is collected into one
 * {@link RaceHistogram}. Each run is bounded in time, and every process started is stopped by its pid.
 */
public final class RaceExperiment {
    public static final int DEFAULT_RUNS = 20;
    public static final int DEFAULT_THREADS = 100;
    /** One run of 100 threads takes milliseconds; this is for a machine that is very busy or a program that hangs. */
    static final long RUN_LIMIT_MILLIS = 20_000;

    /** What the experiment gave: the histogram, the run folders, and what went wrong in some runs. */
    public record Result(RaceHistogram histogram, List<Path> runDirs, List<String> problems, boolean cancelled) {
    }

    private final Path program;
    private final Path agent;

    /** @param program the race sample's binary (sample-servers/bin/race) */
    public RaceExperiment(Path program, Path agent) {
        this.program = program;
        this.agent = agent;
    }

    /** Runs the program {@code runs} times with {@code threads} threads, each in its own folder under {@code work}. */
    public Result run(Path work, int runs, int threads, ExperimentProgress progress) throws InterruptedException {
        if (runs < 1 || threads < 1 || threads > 10_000) {
            throw new IllegalArgumentException("want at least 1 run and 1..10000 threads, got " + runs + " runs and "
                    + threads + " threads");
        }
        List<RaceHistogram.Run> read = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean cancelled = false;
        try (Processes processes = new Processes(progress)) {
            for (int k = 1; k <= runs; k++) {
                progress.step(k - 1, runs, "run " + k + " of " + runs);
                if (progress.cancelled()) {
                    cancelled = true;
                    break;
                }
                Path dir;
                try {
                    dir = TracedLaunch.prepareRunDir(work.resolve(String.format("run-%02d", k)), "race");
                } catch (TracedLaunch.LaunchException e) {
                    problems.add(e.getMessage());
                    break;
                }
                ProcessBuilder pb = TracedLaunch.processBuilder(agent, dir, program, List.of(Integer.toString(threads)),
                        false).redirectErrorStream(true).redirectOutput(dir.resolve("program-output.txt").toFile());
                Process p;
                try {
                    p = processes.start(pb);
                } catch (IOException e) {
                    problems.add("cannot run " + program + ": " + e.getMessage());
                    break;
                }
                if (!processes.waitFor(p, RUN_LIMIT_MILLIS)) {
                    cancelled = progress.cancelled();
                    RunEnd.write(dir, System.nanoTime(), "timeout", -1);
                    Processes.stop(p);
                    if (cancelled) {
                        break;
                    }
                    problems.add("run " + k + " was still running after " + RUN_LIMIT_MILLIS / 1000
                            + " s and was stopped");
                    continue;
                }
                RunEnd.write(dir, System.nanoTime(), "exit", p.exitValue());
                if (p.exitValue() != 0) {
                    problems.add("run " + k + " exited with status " + p.exitValue() + ": " + firstLine(dir));
                }
                dirs.add(dir);
                try {
                    RaceHistogram.Run r = RaceHistogram.readsOf(TraceReader.read(dir));
                    if (r.reads().isEmpty()) {
                        problems.add("run " + k + ": no thread's read was recorded in " + dir);
                    } else {
                        read.add(r);
                    }
                } catch (TraceException e) {
                    problems.add("run " + k + ": the trace could not be read: " + e.getMessage());
                }
            }
        }
        progress.step(read.size(), runs, cancelled ? "cancelled" : "done");
        return new Result(new RaceHistogram(threads, read), dirs, problems, cancelled);
    }

    private static String firstLine(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("program-output.txt")).stream().findFirst().orElse("(no output)");
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
