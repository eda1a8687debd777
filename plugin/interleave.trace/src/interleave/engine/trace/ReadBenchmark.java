package interleave.engine.trace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import interleave.engine.timeline.TimelineModel;

/**
 * Measures how fast a run directory is read (and, separately, turned into a timeline model). Not a test: speed is
 * measured, never asserted. Usage:
 * {@code java -cp interleave.engine.jar interleave.engine.trace.ReadBenchmark RUN_DIR [repetitions]}; the first
 * repetition warms the JIT up and the page cache, the best of the others is printed.
 */
public final class ReadBenchmark {
    private ReadBenchmark() {
    }

    public static void main(String[] args) throws TraceException, IOException {
        if (args.length < 1) {
            System.err.println("usage: ReadBenchmark RUN_DIR [repetitions]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long bytes = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.trace")) {
            for (Path p : ds) {
                bytes += Files.size(p);
            }
        }
        long bestRead = Long.MAX_VALUE, bestModel = Long.MAX_VALUE;
        TraceRun run = null;
        for (int r = 0; r <= reps; r++) {
            run = null;
            System.gc();
            long t0 = System.nanoTime();
            run = TraceReader.read(dir);
            long t1 = System.nanoTime();
            TimelineModel.build(run, Symbolizer.addressesOnly(run));
            long t2 = System.nanoTime();
            if (r > 0) {
                bestRead = Math.min(bestRead, t1 - t0);
                bestModel = Math.min(bestModel, t2 - t1);
            }
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory();
        System.out.printf(Locale.ROOT,
                "files=%d events=%d bytes=%d%nread: %.3f s  %.2f M events/s  %.1f MB/s (file bytes)%n"
                        + "timeline model: %.3f s  %.2f M events/s%nheap in use after read+model: %d MB (%.0f bytes/event)%n",
                run.fileCount(), run.eventCount(), bytes, bestRead / 1e9, run.eventCount() / (bestRead / 1e9) / 1e6,
                bytes / (bestRead / 1e9) / 1e6, bestModel / 1e9, run.eventCount() / (bestModel / 1e9) / 1e6,
                heap >> 20, (double) heap / Math.max(1, run.eventCount()));
    }
}
