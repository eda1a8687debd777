package interleave.engine.tests.detectors;

import static interleave.engine.events.Kinds.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.detectors.HandlerReenteredUnsafeCall;
import interleave.engine.detectors.LostSigchld;
import interleave.engine.detectors.ObservedZombies;
import interleave.engine.detectors.SignalHandlerDeadlock;
import interleave.engine.detectors.ThreadNeitherJoinedNorDetached;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.tests.events.Synthetic;

/** Each detector on event streams written by hand: the bug in its smallest form, and the correct twin. */
class SyntheticDetectorTest {
    private static final int SIGCHLD = 17;

    // ------------------------------------------------------------------ zombies

    /** A server that forks three children which exit at once; it reaps them {@code reapAfterMs} later. */
    private static List<Finding> zombies(long reapAfterMs, boolean stuckInHandler) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(100, 0, "server");
        ExecThread main = s.main(server);
        long t = 10;
        int[] pids = {101, 102, 103};
        for (int pid : pids) {
            ExecProcess child = s.fork(main, t, pid);
            s.exitProcess(child.mainThread().orElseThrow(), t + 5, 0);
            t += 10;
        }
        if (stuckInHandler) {
            s.enter(main, t, SIGNAL_HANDLER, "SIGCHLD", SIGCHLD, 0x401234, 0x401500, 0);
            s.enter(main, t + 1, STDIO, "printf", 1, 0x401510, 0, 0);
            return Synthetic.run(new ObservedZombies(), s.doneAt(t + 2000));
        }
        for (int pid : pids) {
            s.reap(main, t, t + reapAfterMs, pid);
            t += reapAfterMs + 1;
        }
        s.exitProcess(main, t + 10, 0);
        return Synthetic.run(new ObservedZombies(), s.done());
    }

    @Test
    void childrenReapedLateAreZombies() {
        List<Finding> found = zombies(500, false);
        assertEquals(1, found.size(), found.toString());
        Finding f = found.get(0);
        assertEquals(ObservedZombies.ID, f.ruleId());
        assertTrue(f.message().startsWith("3 of 3 children stayed zombies longer than 100 ms"), f.message());
        assertTrue(f.message().contains("at the peak 3 zombies existed at once"), f.message());
        assertTrue(f.evidence().get(0).message().startsWith("child 101 was forked here"), f.evidence().toString());
    }

    @Test
    void childrenReapedPromptlyAreNot() {
        assertEquals(List.of(), zombies(1, false));
    }

    @Test
    void aParentStuckInItsHandlerIsNotBlamedForTheChildrenLeft() {
        assertEquals(List.of(), zombies(0, true));
    }

    /**
     * redis: a timer polls waitpid(-1, WNOHANG) every 100 ms while a child runs (nothing to reap: result 0). The
     * child exits just after one poll; a busy timer reaps it {@code reapAfterMs} after its exit. When
     * {@code lookedAway}, the parent waited for another pid every 100 ms in between (nothing to reap for it).
     */
    private static List<Finding> polledChild(long reapAfterMs) {
        return polledChild(reapAfterMs, false, 999);
    }

    /** {@code lookedFor}: the pid the parent's waits after the exit ask for (-1: any child). */
    private static List<Finding> polledChild(long reapAfterMs, boolean lookedAway, int lookedFor) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(300, 0, "redis-server");
        ExecThread main = s.main(server);
        ExecProcess child = s.fork(main, 10, 301);
        for (long t = 100; t <= 500; t += 100) {
            s.enter(main, t, PROCESS_WAIT, "waitpid", -1, 0x402100, 0, 0);
            s.exit(main, t, PROCESS_WAIT, 0);
        }
        s.exitProcess(child.mainThread().orElseThrow(), 501, 0);
        for (long t = 600; lookedAway && t < 501 + reapAfterMs - 100; t += 100) {
            s.enter(main, t, PROCESS_WAIT, "waitpid", lookedFor, 0x402100, 0, 0);
            s.exit(main, t, PROCESS_WAIT, 0);
        }
        s.reap(main, 501 + reapAfterMs, 501 + reapAfterMs, 301);
        s.exitProcess(main, Math.max(1500, 600 + reapAfterMs), 0);
        return Synthetic.run(new ObservedZombies(), s.done());
    }

    @Test
    void aChildReapedByTheParentsOwnTimerIsNoZombie() {
        // 150 ms after its exit, but the parent looks every 100 ms and the tick was late: the program's own schedule
        assertEquals(List.of(), polledChild(150));
    }

    @Test
    void aChildThatTheParentCouldNotYetReapWasNoZombieYet() {
        // exit call at 501; the parent's waitpid(-1) at 600 and 700 found nothing (the child was still tearing down);
        // reaped at 880: 379 ms after the exit call, but only 180 ms after it could first be reaped
        assertEquals(List.of(), polledChild(379, true, -1));
    }

    @Test
    void aPollingParentThatLookedWithoutTakingTheChildHasAZombie() {
        // it waited for another pid every 100 ms: nothing says the child was not a zombie all along
        List<Finding> found = polledChild(700, true, 999);
        assertEquals(1, found.size(), found.toString());
    }

    @Test
    void aPollingParentThatReapsFarLaterThanItsPeriodStillHasZombies() {
        List<Finding> found = polledChild(700);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("1 of 1 children stayed zombies longer than 200 ms (twice the"
                + " parent's own polling interval of 100 ms)"), found.get(0).message());
    }

    // ------------------------------------------------------------------ threads neither joined nor detached

    private enum Release { NONE, DETACH_SELF, JOIN, TIMED_OUT_JOIN, CREATED_DETACHED }

    /** A thread-per-client server: two workers from one call site, the second created after the first ended. */
    private static List<Finding> workers(Release release) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(200, 0, "server");
        ExecThread main = s.main(server);
        ExecThread w1 = s.thread(server, 201, 0xA000, main, 1);
        ExecThread w2 = s.thread(server, 202, 0xB000, main, 2);
        boolean detached = release == Release.CREATED_DETACHED;
        s.create(main, 10, w1, 1, 0x401100, detached);
        if (release == Release.DETACH_SELF) {
            s.instant(w1, 12, DETACH, w1.handle(), 0, 0);
        }
        s.instant(w1, 20, THREAD_END, 0, 0, 0);
        if (release == Release.JOIN) {
            s.instant(main, 25, JOIN, w1.handle(), 0, 0);
        } else if (release == Release.TIMED_OUT_JOIN) {
            s.instant(main, 25, JOIN, w1.handle(), 0, 110); // ETIMEDOUT: not joined
        }
        s.create(main, 30, w2, 2, 0x401100, detached);
        return Synthetic.run(new ThreadNeitherJoinedNorDetached(), s.done());
    }

    @Test
    void aThreadNobodyJoinedOrDetachedLeaksWhenTheSiteGoesOn() {
        for (Release r : List.of(Release.NONE, Release.TIMED_OUT_JOIN)) {
            List<Finding> found = workers(r);
            assertEquals(1, found.size(), r + ": " + found);
            assertTrue(found.get(0).message().startsWith("1 of 2 threads created here ended without being joined"),
                    found.get(0).message());
            assertEquals(201, found.get(0).moment().orElseThrow().tid());
        }
    }

    @Test
    void aThreadDetachedJoinedOrCreatedDetachedDoesNot() {
        for (Release r : List.of(Release.DETACH_SELF, Release.JOIN, Release.CREATED_DETACHED)) {
            assertEquals(List.of(), workers(r), r.toString());
        }
    }

    // ------------------------------------------------------------------ lost SIGCHLDs

    /** Four children exit close together; the handler runs {@code runs} times and reaps {@code perRun} each. */
    private static List<Finding> sigchld(int runs, int perRun) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(300, 0, "server");
        ExecThread main = s.main(server);
        for (int i = 0; i < 4; i++) {
            ExecProcess c = s.fork(main, 10 + 2 * i, 301 + i);
            s.exitProcess(c.mainThread().orElseThrow(), 30 + i, 0);
        }
        int next = 301;
        long t = 40;
        for (int r = 0; r < runs; r++) {
            s.enter(main, t, SIGNAL_HANDLER, "SIGCHLD", SIGCHLD, 0x401234, 0x401500, 0);
            for (int k = 0; k < perRun && next <= 304; k++) {
                s.reap(main, t + 1, t + 2, next++);
                t += 2;
            }
            s.exit(main, t + 1, SIGNAL_HANDLER, 0);
            t += 10;
        }
        s.exitProcess(main, 200, 0);
        return Synthetic.run(new LostSigchld(), s.done());
    }

    @Test
    void aHandlerThatReapsOneChildPerRunLosesTheMergedSignals() {
        List<Finding> found = sigchld(2, 1);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("4 children exited but the SIGCHLD handler ran only 2 times and"
                + " reaped 2 of them; 2 were left"), found.get(0).message());
    }

    @Test
    void aHandlerThatReapsInALoopLosesNothing() {
        assertEquals(List.of(), sigchld(1, 4));
    }

    // ------------------------------------------------------------------ handler deadlock and re-entry

    /**
     * The main thread is inside {@code outer} (or nothing, with only the handler's mark) when SIGCHLD arrives; the
     * handler calls {@code inner}, which returns or not.
     */
    private static Synthetic handlerRun(String outer, int mark, String inner, boolean innerReturns) {
        Synthetic s = new Synthetic();
        ExecProcess p = s.process(400, 0, "server");
        ExecThread main = s.main(p);
        if (outer != null) {
            s.enter(main, 10, outer, outer.equals(STDIO) ? "printf" : "malloc", 16, 0x401010, 0, 0);
        }
        s.enter(main, 11, SIGNAL_HANDLER, "SIGCHLD", SIGCHLD, 0x7f001234, 0x401500, mark);
        s.enter(main, 12, inner, inner.equals(STDIO) ? "printf" : inner, 1, 0x401520, 0, 0);
        if (innerReturns) {
            s.exit(main, 13, inner, 5);
            s.exit(main, 14, SIGNAL_HANDLER, 0);
            if (outer != null) {
                s.exit(main, 15, outer, 0);
            }
        }
        return s;
    }

    @Test
    void aHandlerStuckInMallocInsideMallocDeadlocked() {
        List<Finding> found = Synthetic.run(new SignalHandlerDeadlock(), handlerRun(MALLOC, 0, MALLOC, false)
                .doneAt(2000));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("pid 400 deadlocked: the SIGCHLD handler interrupted malloc and"
                + " called malloc, which waited"), found.get(0).message());
        // only the handler's mark says what it interrupted (a run without --stdio)
        found = Synthetic.run(new SignalHandlerDeadlock(), handlerRun(null, Span.IN_STDIO, STDIO, false)
                .doneAt(2000));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().contains("interrupted printf and called printf"), found.get(0).message());
    }

    @Test
    void aHandlerWhoseCallReturnedOrThatInterruptedNothingUnsafeIsNoDeadlock() {
        assertEquals(List.of(), Synthetic.run(new SignalHandlerDeadlock(),
                handlerRun(MALLOC, 0, MALLOC, true).doneAt(2000)));
        assertEquals(List.of(), Synthetic.run(new SignalHandlerDeadlock(),
                handlerRun(null, 0, STDIO, false).doneAt(2000)));
        // stuck, but the trace ended too soon after to say so
        assertEquals(List.of(), Synthetic.run(new SignalHandlerDeadlock(),
                handlerRun(MALLOC, 0, MALLOC, false).doneAt(100)));
    }

    @Test
    void aHandlerReenteringMallocThatReturnedIsAReentry() {
        List<Finding> found = Synthetic.run(new HandlerReenteredUnsafeCall(), handlerRun(MALLOC, 0, FREE, true)
                .done());
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("the SIGCHLD handler of pid 400 re-entered malloc/free 1 time"),
                found.get(0).message());
        found = Synthetic.run(new HandlerReenteredUnsafeCall(), handlerRun(null, Span.IN_HEAP, MALLOC, true).done());
        assertEquals(1, found.size(), "the handler's mark alone: " + found);
    }

    @Test
    void otherFamiliesOrAnUnmarkedInterruptionAreNoReentry() {
        // printf interrupted, the handler calls malloc: different state, no re-entry of either
        assertEquals(List.of(), Synthetic.run(new HandlerReenteredUnsafeCall(),
                handlerRun(STDIO, 0, MALLOC, true).done()));
        assertEquals(List.of(), Synthetic.run(new HandlerReenteredUnsafeCall(),
                handlerRun(null, 0, MALLOC, true).done()));
        // the inner call never returned: the deadlock detector's case
        assertEquals(List.of(), Synthetic.run(new HandlerReenteredUnsafeCall(),
                handlerRun(MALLOC, 0, MALLOC, false).done()));
    }
}
