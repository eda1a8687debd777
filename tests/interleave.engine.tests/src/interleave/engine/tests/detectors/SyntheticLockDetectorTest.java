package interleave.engine.tests.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.detectors.LockOrderDeadlock;
import interleave.engine.detectors.ObservedLockOrderInversion;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.finding.Finding;
import interleave.engine.tests.events.Synthetic;

/** The lock detectors on hand-written streams: order edges, waits, and the lock state the model derives. */
class SyntheticLockDetectorTest {
    private static final long A = 0x5000, B = 0x5040, C = 0x5080;

    private record Run(Synthetic s, ExecThread t1, ExecThread t2) {
    }

    private static Run twoThreads() {
        Synthetic s = new Synthetic();
        ExecProcess p = s.process(500, 0, "bank");
        ExecThread main = s.main(p);
        ExecThread t1 = s.thread(p, 501, 0xA000, main, 1), t2 = s.thread(p, 502, 0xB000, main, 2);
        s.create(main, 1, t1, 1, 0x401000, false);
        s.create(main, 3, t2, 2, 0x401010, false);
        return new Run(s, t1, t2);
    }

    /** t holds {@code first} and takes {@code second}, both free, then lets both go. */
    private static void nested(Synthetic s, ExecThread t, long ms, long first, long second) {
        s.lock(t, ms, first, 0x401100 + first);
        s.edge(t, ms + 1, first, 0x401100 + first, second, 0x401200 + second);
        s.lock(t, ms + 1, second, 0x401200 + second);
        s.unlock(t, ms + 2, second);
        s.unlock(t, ms + 3, first);
    }

    private static List<Finding> both(ExecutionModel m) {
        List<Finding> out = new java.util.ArrayList<>(Synthetic.run(new LockOrderDeadlock(), m));
        out.addAll(Synthetic.run(new ObservedLockOrderInversion(), m));
        return out;
    }

    @Test
    void oppositeOrdersInTwoThreadsAreAnInversionEvenWithoutAHang() {
        Run r = twoThreads();
        nested(r.s(), r.t1(), 10, A, B);
        nested(r.s(), r.t2(), 20, B, A);
        List<Finding> found = both(r.s().done());
        assertEquals(1, found.size(), found.toString());
        Finding f = found.get(0);
        assertEquals(ObservedLockOrderInversion.ID, f.ruleId());
        assertTrue(f.message().startsWith("mutexes 0x5000 and 0x5040 of pid 500 are locked in opposite orders:"),
                f.message());
        assertEquals(4, f.evidence().size());
    }

    @Test
    void aThreeLockCycleIsFoundToo() {
        Run r = twoThreads();
        nested(r.s(), r.t1(), 10, A, B);
        nested(r.s(), r.t1(), 20, B, C);
        nested(r.s(), r.t2(), 30, C, A);
        List<Finding> found = both(r.s().done());
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("mutexes 0x5000, 0x5040, 0x5080 of pid 500"),
                found.get(0).message());
    }

    @Test
    void oneOrderEverywhereOrOneThreadAloneIsNoInversion() {
        Run r = twoThreads();
        nested(r.s(), r.t1(), 10, A, B);
        nested(r.s(), r.t2(), 20, A, B);
        assertEquals(List.of(), both(r.s().done()));
        Run alone = twoThreads();
        nested(alone.s(), alone.t1(), 10, A, B);
        nested(alone.s(), alone.t1(), 20, B, A); // one thread cannot deadlock with itself on these
        assertEquals(List.of(), both(alone.s().done()));
    }

    /** Each thread holds one lock and waits for the other's; {@code tellHolder}: the waits name the holder. */
    private static List<Finding> hung(boolean tellHolder, boolean secondWaits) {
        Run r = twoThreads();
        Synthetic s = r.s();
        s.lock(r.t1(), 10, A, 0x401100);
        s.lock(r.t2(), 11, B, 0x401110);
        s.edge(r.t1(), 12, A, 0x401100, B, 0x401120);
        s.waitFor(r.t1(), 12, B, tellHolder ? 502 : 0, 0x401120);
        if (secondWaits) {
            s.edge(r.t2(), 13, B, 0x401110, A, 0x401130);
            s.waitFor(r.t2(), 13, A, tellHolder ? 501 : 0, 0x401130);
        }
        return both(s.doneAt(1500));
    }

    @Test
    void twoThreadsEachWaitingForTheOthersLockDeadlocked() {
        for (boolean tell : List.of(true, false)) {
            List<Finding> found = hung(tell, true);
            assertEquals(1, found.size(), "holder told: " + tell + ": " + found);
            assertEquals(LockOrderDeadlock.ID, found.get(0).ruleId(), "the hang, not also the prediction");
            assertTrue(found.get(0).message().startsWith("2 threads of pid 500 deadlocked on mutexes (thread 501 holds"
                    + " 0x5000 and waits for 0x5040 held by thread 502; thread 502 holds 0x5040 and waits for 0x5000"
                    + " held by thread 501), still blocked"), found.get(0).message());
        }
    }

    @Test
    void oneThreadWaitingForABusyLockIsNoDeadlock() {
        assertEquals(List.of(), hung(true, false));
    }

    @Test
    void theModelKnowsWhoHoldsEachLock() {
        Run r = twoThreads();
        Synthetic s = r.s();
        s.lock(r.t1(), 10, A, 0x401100);
        s.lock(r.t2(), 11, B, 0x401110);
        s.unlock(r.t2(), 12, B);
        s.waitFor(r.t2(), 13, A, 501, 0x401130);
        s.unlock(r.t1(), 14, A);
        s.gotIt(r.t2(), 15, A);
        ExecutionModel m = s.done();
        ExecProcess p = m.processes().get(0);
        assertEquals(502, p.lock(A).orElseThrow().holder().orElseThrow().tid());
        assertTrue(p.lock(B).orElseThrow().holder().isEmpty());
        assertEquals(1, p.lock(A).orElseThrow().waits().size());
        assertEquals(2_000_000, p.lock(A).orElseThrow().waits().get(0).end()
                - p.lock(A).orElseThrow().waits().get(0).start());
        // A passed from 501 (released at 14 ms) to 502 (acquired at 15 ms); B was never handed over
        var handoffs = m.arrows().stream().filter(a -> a.kind().equals(interleave.engine.events.Kinds.ARROW_LOCK_HANDOFF))
                .toList();
        assertEquals(1, handoffs.size(), handoffs.toString());
        assertEquals(501, handoffs.get(0).from().tid());
        assertEquals(502, handoffs.get(0).to().tid());
        assertEquals(14 * Synthetic.MS, handoffs.get(0).fromTs());
    }
}
