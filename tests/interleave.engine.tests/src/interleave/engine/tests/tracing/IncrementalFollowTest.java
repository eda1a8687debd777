package interleave.engine.tests.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Span;
import interleave.engine.events.Status;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;
import interleave.engine.tracing.RunFollower;
import interleave.engine.tracing.RunFollower.Snapshot;

/**
 * A followed run costs what is new: each snapshot's lanes extend the previous one's (ended spans shared, spans still
 * running derived again), yet every snapshot shows what a timeline built from scratch on the model at that moment
 * shows, a snapshot handed out never changes afterwards, and the last one has the timeline and the findings of the
 * run read whole (as {@code interleave report} builds them).
 */
class IncrementalFollowTest {
    private static final int HEADER = 4096, RECORD = 64;

    /**
     * The fixture's trace files cut to {@code fraction} of their records; with {@code holes}, two slots in the middle
     * of each are left zero (reserved, not committed yet), so the reader finds older records later and feeds the
     * process again from its start.
     */
    private static void cut(Path from, Path to, double fraction, boolean holes) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(RunEnd.FILE)) {
                    continue;
                }
                if (!name.endsWith(".trace")) {
                    Files.copy(f, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                long slots = Math.max(0, (all.length - HEADER) / RECORD), keep = (long) Math.ceil(slots * fraction);
                byte[] part = java.util.Arrays.copyOf(all, (int) Math.min(all.length, HEADER + keep * RECORD));
                if (holes && keep > 8) {
                    long hole = keep - 4;
                    java.util.Arrays.fill(part, (int) (HEADER + hole * RECORD), (int) (HEADER + (hole + 2) * RECORD),
                            (byte) 0);
                }
                Files.write(to.resolve(name), part);
            }
        }
    }

    /** Steps until a snapshot comes, or gives up after a short while (nothing new in this cut). */
    private static Snapshot stepSoon(RunFollower f) throws Exception {
        for (int i = 0; i < 40; i++) {
            Snapshot s = f.step();
            if (s != null) {
                return s;
            }
            Thread.sleep(5);
        }
        return null;
    }

    @ParameterizedTest
    @CsvSource({"echo-thread-nodetach,false", "echo-process-noreap,false", "echo-process-noreap,true",
            "deadlock,false", "fork-printf-reentry,false", "race-watch,true", "echo-select,false"})
    void everySnapshotIsTheTimelineFromScratchAndStaysAsItWasHandedOut(String name, boolean holes,
            @TempDir Path tmp) throws Exception {
        Path src = RunFollowerTest.fixture(name), dir = tmp.resolve(name);
        Files.createDirectories(dir);
        RunFollower f = new RunFollower(dir, s -> {
        });
        List<Snapshot> seen = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        Map<Span, Boolean> runningThen = new IdentityHashMap<>();
        int extended = 0, shared = 0;
        for (int k = 1; k <= 12; k++) {
            cut(src, dir, k / 13.0, holes);
            Snapshot s = stepSoon(f);
            if (s == null) {
                continue;
            }
            TimelineModel t = s.timeline();
            String text = TimelineText.write(t);
            assertEquals(TimelineText.write(TimelineModel.build(t.events(), s.run(), t.symbolizer())), text,
                    name + " at " + k + "/13: the extended timeline is the one from scratch");
            seen.add(s);
            shown.add(text);
            extended += t.extendedLanes();
            for (int r = 0; r < t.rows().size(); r++) {
                shared += t.sharedSpans(r);
            }
            for (ExecThread x : t.events().threads()) {
                for (Span open : x.openSpans()) {
                    runningThen.put(open, true);
                }
            }
        }
        assertTrue(seen.size() >= 4, name + ": snapshots while it grew: " + seen.size());
        assertTrue(extended > 0, name + ": lanes extended rather than rebuilt");
        assertTrue(shared > 0, name + ": spans shared between snapshots");

        RunFollowerTest.finish(src, dir);
        Snapshot last = RunFollowerTest.step(f);
        assertNotNull(last);
        assertEquals(Status.COMPLETED, last.status());
        assertEquals(last.version(), last.findingsVersion(), "the last snapshot's findings are of the whole run");
        assertTrue(runningThen.keySet().stream().anyMatch(sp -> !sp.running()),
                name + ": a span running at one snapshot ended at a later one");
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(shown.get(i), TimelineText.write(seen.get(i).timeline()),
                    name + ": snapshot " + i + " changed after it was handed out");
        }
        // the report's model: the run read whole, its timeline and the detectors on it
        TraceRun whole = TraceReader.read(dir);
        TimelineModel model = TimelineModel.build(whole, last.timeline().symbolizer());
        assertEquals(TimelineText.write(model), TimelineText.write(last.timeline()), name);
        assertEquals(RunFollowerTest.described(DetectorRegistry.detectAll(whole, model)),
                RunFollowerTest.described(last.findings()), name);
    }

    @Test
    void plainReadsAndWritesLeaveTheLifecycleVersion() {
        ModelBuilder b = new ModelBuilder();
        ExecutionModel m = b.model();
        ExecProcess p = b.process(100, 1);
        ExecThread t = b.thread(p, "100-100.trace", 100, true, 0);
        b.event(t, 10);
        b.finish(Status.RUNNING, Long.MIN_VALUE);
        int life = m.lifecycleVersion();
        assertEquals(m.version(), life, "a new process and thread are lifecycle");
        b.event(t, 20);
        b.enter(t, 20, Kinds.READ, "read", 3, 0, 0, 0, 1);
        b.event(t, 30);
        b.exit(t, 30, Kinds.READ, 8, 0, 0, 0, 2);
        b.event(t, 40);
        b.call(t, 40, 41, Kinds.WRITE, "write", 4, 8, 0, 0, 0, 3);
        assertTrue(b.finish(Status.RUNNING, Long.MIN_VALUE));
        assertTrue(m.version() > life);
        assertEquals(life, m.lifecycleVersion(), "reads and writes only");
        b.event(t, 50);
        b.enter(t, 50, Kinds.FORK, "fork", 0, 0, 0, 0, 4);
        b.finish(Status.RUNNING, Long.MIN_VALUE);
        assertEquals(m.version(), m.lifecycleVersion(), "a fork");
        int forked = m.version();
        b.event(t, 60);
        b.enter(t, 60, Kinds.READ, "read", 3, 0, 0, 0, 5);
        b.enter(t, 61, Kinds.SIGNAL_HANDLER, "handler", 17, 0, 0, 0, 6);
        b.finish(Status.RUNNING, Long.MIN_VALUE);
        assertTrue(m.lifecycleVersion() > forked, "a handler entered");
        int entered = m.lifecycleVersion();
        b.exit(t, 70, Kinds.READ, -1, 4, 0, 0, 7); // the handler left by longjmp: closed with the read
        b.finish(Status.RUNNING, Long.MIN_VALUE);
        assertTrue(m.lifecycleVersion() > entered, "a read whose end closed a handler");
        int closed = m.lifecycleVersion();
        assertFalse(m.version() > closed);
        b.finish(Status.COMPLETED, Long.MIN_VALUE);
        assertTrue(m.lifecycleVersion() > closed, "the run completed");
    }
}
