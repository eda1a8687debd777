package interleave.engine.tests.trace;

import static interleave.engine.trace.RecordType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Lock;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/**
 * Format 1.4: the agent writes a thread's first waits for a lock and the long ones, and counts the others in a
 * LOCK_WAITS record after the LOCK_STATS of the same window. The model carries the counts beside the drawn waits; the
 * timeline's lock summary says them; a 1.3 file (no LOCK_WAITS) reads as before, with nothing counted.
 */
class LockWaitCountsTest {
    @TempDir
    Path tmp;

    private static final long M = 0x5555_0000_4040L;

    /**
     * main (200) holds m and hands it to the worker (201) once, in a written wait (1.3: main wrote the release; 1.4:
     * the worker's EXIT names it); the worker's other waits were counted (1.4).
     */
    private Path run(String name, boolean withCounts) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Traces.Writer main = new Traces.Writer(1, 200, 200, 1_000, "");
        main.record(PROC_START, POINT, 0, 1_000, 0, 1, 1, 0);
        if (!withCounts) { // 1.3: the release to a waiter is a record of the releasing thread
            main.record(MUTEX_UNLOCK, CALL, 0, 7_000_000, 0x1100, M);
        }
        main.record(LOCK_STATS, POINT, 0, 9_000_000, 0x1000, M, 40, 2_000_000, 1_500_000, 0);
        if (withCounts) {
            main.record(LOCK_WAITS, POINT, 0, 9_000_000, 0x1000, M, 0, 0, 0, 17);
        }
        main.write(dir.resolve("200-200.trace"), 3);
        Traces.Writer worker = new Traces.Writer(0, 200, 201, 1_000, "").created(200, 1);
        worker.record(MUTEX_LOCK, ENTER, 0, 5_000_000, 0x2000, M, 200, 0x2100);
        // 1.4: the waiter names the release that handed the mutex over (main's, at 7 ms)
        worker.record(MUTEX_LOCK, EXIT, 0, 7_000_100, 0x2000, M, 0, 0x2100, withCounts ? 200 : 0,
                withCounts ? 7_000_000 : 0);
        worker.record(LOCK_STATS, POINT, 0, 8_000_000, 0x2000, M, 1000, 900_000, 20_000, 30);
        if (withCounts) {
            worker.record(LOCK_WAITS, POINT, 0, 8_000_000, 0x2000, M, 29, 5_400_000, 980_000, 4);
        }
        worker.write(dir.resolve("200-201.trace"), 5);
        return dir;
    }

    private static Lock lock(ExecutionModel m) {
        ExecProcess p = m.processes().get(0);
        return p.lock(M).orElseThrow();
    }

    private static List<String> summaries(TimelineModel m) {
        List<String> out = new ArrayList<>();
        for (Row r : m.rows()) {
            for (Instant in : m.instants(r.id(), 0, m.durationNs())) {
                if (in.kind() == Instant.Kind.LOCK_SUMMARY) {
                    out.add(in.label());
                }
            }
        }
        return out;
    }

    @Test
    void countedWaitsAndHandoffsAreCarriedBesideTheDrawnOnes() throws Exception {
        TraceRun run = TraceReader.read(run("v14", true));
        assertEquals(List.of(), run.damage());
        Lock l = lock(AgentTraceSource.model(run));
        assertEquals(1040, l.acquisitions());
        assertEquals(30, l.contended(), "every wait, drawn or counted");
        assertEquals(1, l.waits().size(), "the one written wait is a span");
        assertEquals(29, l.countedWaits());
        assertEquals(5_400_000, l.countedWaitNs());
        assertEquals(980_000, l.longestCountedWaitNs());
        assertEquals(21, l.countedHandoffs(), "the releases counted by both threads");
        assertEquals(1, l.handoffs().size(), "the release the waiter named, before the written wait's end");
        Lock.Handoff h = l.handoffs().get(0);
        assertEquals(200, h.from().tid());
        assertEquals(201, h.to().tid());
        assertEquals(7_000_000, h.releasedTs());
        assertEquals(l.contended(), l.waits().size() + l.countedWaits());

        List<String> labels = summaries(TimelineModel.build(run));
        assertEquals(2, labels.size(), labels.toString());
        assertTrue(labels.stream().anyMatch(s -> s.startsWith("mutex 0x555500004040: 970 locked without waiting,"
                + " 30 waited; held 900.0 µs in total, longest 20.0 µs; 29 short waits not drawn (5.4 ms in total,"
                + " longest 980.0 µs), 4 releases to a waiting thread counted")), labels.toString());
        assertTrue(labels.stream().anyMatch(s -> s.contains("; 17 releases to a waiting thread counted")),
                labels.toString());
    }

    @Test
    void aFileWithoutCountedWaitsReadsAsBefore() throws Exception {
        TraceRun run = TraceReader.read(run("v13", false));
        Lock l = lock(AgentTraceSource.model(run));
        assertEquals(30, l.contended());
        assertEquals(0, l.countedWaits());
        assertEquals(0, l.countedWaitNs());
        assertEquals(0, l.countedHandoffs());
        assertEquals(1, l.handoffs().size(), "the release written by main");
        assertEquals(200, l.handoffs().get(0).from().tid());
        for (String s : summaries(TimelineModel.build(run))) {
            assertTrue(!s.contains("not drawn") && !s.contains("counted"), s);
        }
    }
}
