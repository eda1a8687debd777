package interleave.engine.tests.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceReader;
import interleave.engine.tracing.RunFollower;
import interleave.engine.tracing.RunFollower.Snapshot;

/**
 * The follower's timeline is made from the one model it grows, and each snapshot takes over the lanes of the threads
 * that did not change since the one before: every snapshot shows exactly what a timeline built from scratch on the
 * model at that moment shows, and the last one what the run read whole shows.
 */
class FollowedTimelineTest {
    private static final int HEADER = 4096, RECORD = 64;

    /** The trace file with the most records (the server's main thread). */
    private static String largest(Path src) throws Exception {
        try (var files = Files.list(src)) {
            return files.filter(f -> f.toString().endsWith(".trace")).max(java.util.Comparator.comparingLong(f -> {
                try {
                    return Files.size(f);
                } catch (java.io.IOException e) {
                    return 0L;
                }
            })).orElseThrow().getFileName().toString();
        }
    }

    /** Each trace file of the run with the first fraction of its records that {@code fraction} gives for its name. */
    private static void cut(Path from, Path to, java.util.function.ToDoubleFunction<String> fraction)
            throws Exception {
        try (var files = Files.list(from)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(RunEnd.FILE)) {
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                if (name.endsWith(".trace")) {
                    long slots = Math.max(0, (all.length - HEADER) / RECORD);
                    all = java.util.Arrays.copyOf(all, (int) Math.min(all.length,
                            HEADER + (long) Math.ceil(slots * fraction.applyAsDouble(name)) * RECORD));
                }
                Files.write(to.resolve(name), all);
            }
        }
    }

    @Test
    void lanesOfUnchangedThreadsAreTakenOverAndTheTimelineIsTheSame(@TempDir Path tmp) throws Exception {
        // a forking server: children that ended early do not change while the parent goes on
        Path src = RunFollowerTest.fixture("echo-process-noreap"), dir = tmp.resolve("r");
        Files.createDirectories(dir);
        RunFollower f = new RunFollower(dir, s -> {
        });
        String parent = largest(src);
        Snapshot first = null, s = null;
        int reused = 0;
        // the children's files whole from the second step on, the parent's growing: the children stop changing
        double[][] steps = {{0.3, 0.3}, {1.0, 0.5}, {1.0, 0.7}, {1.0, 0.9}};
        for (double[] step : steps) {
            double fraction = step[1];
            cut(src, dir, name -> name.equals(parent) ? step[1] : step[0]);
            Thread.sleep(5);
            s = RunFollowerTest.step(f);
            assertNotNull(s, "a snapshot at " + fraction);
            first = first == null ? s : first;
            TimelineModel t = s.timeline();
            assertSame(first.timeline().events(), t.events(), "one model for the whole run");
            // the model does not change between steps: a timeline from scratch on it now must show the same
            TimelineModel scratch = TimelineModel.build(t.events(), s.run(), t.symbolizer());
            assertEquals(TimelineText.write(scratch), TimelineText.write(t), "snapshot at " + fraction);
            reused += t.reusedLanes();
        }
        assertTrue(reused >= 2 * 12, "the lanes of the 12 children that had ended were taken over: " + reused);
        RunFollowerTest.finish(src, dir);
        Snapshot last = RunFollowerTest.step(f);
        assertNotNull(last);
        assertSame(first.timeline().events(), last.timeline().events());
        assertEquals(TimelineText.write(TimelineModel.build(TraceReader.read(dir), last.timeline().symbolizer())),
                TimelineText.write(last.timeline()), "the last snapshot shows the run read whole");
    }
}
