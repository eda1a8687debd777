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
import interleave.engine.events.LockGroup;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/**
 * Format 1.5: a thread that used many locks taken at one call site (a lock per hash bucket) writes their sum as one
 * LOCK_STATS with flag 4 and a LOCK_GROUP naming how many locks and their address range. The model keeps the group
 * apart from the single locks (no lock is invented at the lowest address), and the timeline says what it covers.
 */
class LockGroupTest {
    @TempDir
    Path tmp;

    private static final long GLOBAL = 0x5555_0000_4040L, LO = 0x7f00_0000_1000L, HI = LO + 4095 * 40, SITE = 0x5555_0000_1234L;

    private Path run() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("groups"));
        Traces.Writer main = new Traces.Writer(1, 300, 300, 1_000, "");
        main.record(PROC_START, POINT, 0, 1_000, 0, 1, 1, 0);
        main.record(LOCK_STATS, POINT, 0, 5_000_000, 0x1000, GLOBAL, 4096, 2_000_000, 9_000, 0);
        // two windows of the group: 4,096 then 100 bucket locks, 3 and 2 of their waits counted, not drawn
        main.record(LOCK_STATS, POINT, 4, 5_000_000, SITE, LO, 4104, 800_000, 500_000, 5L | (1L << 32));
        main.record(LOCK_WAITS, POINT, 4, 5_000_000, SITE, LO, 3, 300_000, 200_000, 7);
        main.record(LOCK_GROUP, POINT, 0, 5_000_000, SITE, LO, HI, 4096);
        main.record(LOCK_STATS, POINT, 4 | 2, 9_000_000, SITE, LO + 400, 100, 0, 0, 2);
        main.record(LOCK_GROUP, POINT, 0, 9_000_000, SITE, LO + 400, LO + 4400, 100);
        main.write(dir.resolve("300-300.trace"), 6);
        return dir;
    }

    @Test
    void aGroupIsSummedApartFromTheSingleLocks() throws Exception {
        TraceRun run = TraceReader.read(run());
        assertEquals(List.of(), run.damage());
        ExecProcess p = AgentTraceSource.model(run).processes().get(0);
        assertEquals(1, p.locks().size(), "only the global lock is a lock of its own: " + p.locks());
        assertEquals(4096, p.lock(GLOBAL).orElseThrow().acquisitions());
        assertEquals(1, p.lockGroups().size());
        LockGroup g = p.lockGroups().get(0);
        assertEquals(SITE, g.site());
        assertEquals("mutex", g.type());
        assertEquals(4204, g.acquisitions());
        assertEquals(7, g.contended());
        assertEquals(1, g.failedTries());
        assertEquals(800_000, g.holdNs());
        assertEquals(500_000, g.longestHoldNs());
        assertEquals(3, g.countedWaits());
        assertEquals(7, g.countedHandoffs());
        assertEquals(4096, g.mostLocks());
        assertEquals(2, g.summaries());
        assertEquals(LO, g.lowest());
        assertEquals(HI, g.highest());
    }

    @Test
    void theTimelineSaysHowManyLocksASummaryCovers() throws Exception {
        TraceRun run = TraceReader.read(run());
        TimelineModel m = TimelineModel.build(run);
        List<String> labels = new ArrayList<>();
        for (Row r : m.rows()) {
            for (Instant in : m.instants(r.id(), 0, m.durationNs())) {
                if (in.kind() == Instant.Kind.LOCK_SUMMARY) {
                    labels.add(in.label());
                }
            }
        }
        assertEquals(3, labels.size(), labels.toString());
        assertTrue(labels.stream().anyMatch(s -> s.startsWith("4096 mutexes taken at ") && s.contains("(0x"
                + Long.toHexString(LO) + "-0x" + Long.toHexString(HI) + "): 4099 locked without waiting, 5 waited")
                && s.contains("3 short waits not drawn")), labels.toString());
        assertTrue(labels.stream().anyMatch(s -> s.startsWith("100 mutexes taken at ")
                && s.contains("hold times not measured")), labels.toString());
        assertTrue(labels.stream().anyMatch(s -> s.startsWith("mutex 0x555500004040: 4096 locked without waiting")),
                labels.toString());
    }
}
