package interleave.engine.tests.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.detectors.ObservedLockOrderInversion;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Lock;

/**
 * The agent writes an order edge again whenever its small per-thread table forgot it (memcached's thousands of item
 * locks did that 12 million times in one run): the model keeps one edge per thread and call sites, and the
 * inversion is still found.
 */
class RepeatedLockEdgeTest {
    private static final long A = 0x404000, B = 0x404040;

    @Test
    void anEdgeGivenAgainIsKeptOncePerThreadAndSites() {
        Synthetic s = new Synthetic();
        ExecProcess p = s.process(700, 0, "memcached");
        ExecThread main = s.main(p);
        ExecThread t1 = s.thread(p, 701, 0xA000, main, 1), t2 = s.thread(p, 702, 0xB000, main, 2);
        s.create(main, 1, t1, 1, 0x401000, false);
        s.create(main, 2, t2, 2, 0x401000, false);
        for (long ms = 10; ms < 1010; ms++) {
            s.edge(t1, ms, A, 0x401100, B, 0x401200);
        }
        s.edge(t1, 1011, A, 0x401100, B, 0x401300); // another path to B: an edge of its own
        s.edge(t2, 1012, B, 0x401400, A, 0x401500); // the opposite order in the other thread
        s.edge(t2, 1013, B, 0x401400, A, 0x401500);
        ExecutionModel m = s.done();
        List<Lock.Edge> intoB = m.processes().get(0).lock(B).orElseThrow().edgesIn();
        assertEquals(2, intoB.size(), intoB.toString());
        assertEquals(10 * Synthetic.MS, intoB.get(0).ts(), "the first time the thread took that path");
        assertEquals(1, m.processes().get(0).lock(A).orElseThrow().edgesIn().size());
        assertEquals(1, Synthetic.run(new ObservedLockOrderInversion(), m).size());
    }
}
