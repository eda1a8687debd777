package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.ui.timeline.TimelinePresentation;

/** Axis labels, durations and colours of the timeline view. */
class TimelinePresentationTest {

    private static StateSpan span(State state, String detail, int merged) {
        return new StateSpan(0, 0, 1_000, state, 0, merged, false, detail);
    }

    @Test
    void spansAreToldWithTheirLockByNameAndTheirObjectInsideTheLane() {
        assertEquals("waiting for mutex m1, held by tid 5, cpu 1",
                TimelinePresentation.describe(span(State.LOCK, "mutex m1, held by tid 5, cpu 1", 1)));
        assertEquals("mutex m1", TimelinePresentation.laneLabel(span(State.LOCK, "mutex m1, held by tid 5", 1)));
        assertEquals("waiting on sem slots", TimelinePresentation.describe(span(State.SEM_WAIT, "sem slots", 1)));
        assertEquals("waiting on cond ready (releases mutex m)",
                TimelinePresentation.describe(span(State.COND_WAIT, "cond ready, mutex m", 1)));
        assertEquals("in read (fd 4, cpu 0)", TimelinePresentation.describe(span(State.READ, "fd 4, cpu 0", 1)));
        assertEquals("read fd 4", TimelinePresentation.laneLabel(span(State.READ, "fd 4, cpu 0", 1)));
        assertEquals("sleeping (100 ms)", TimelinePresentation.describe(span(State.SLEEP, "100000000 ns", 1)));
        assertEquals("sleep 100 ms", TimelinePresentation.laneLabel(span(State.SLEEP, "100000000 ns", 1)));
        assertEquals("", TimelinePresentation.laneLabel(span(State.RUNNING, "", 1)), "running says nothing");
        assertEquals("", TimelinePresentation.laneLabel(span(State.READ, "fd 4", 7)), "merged spans say nothing");
        assertEquals("waiting for a mutex", TimelinePresentation.describe(span(State.LOCK, "", 1)));
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1, TimelinePresentation.tickStep(0.3));
        assertEquals(5, TimelinePresentation.tickStep(3));
        assertEquals(100_000, TimelinePresentation.tickStep(61_000));
        assertEquals(200_000, TimelinePresentation.tickStep(100_001));
        assertEquals(20_000_000, TimelinePresentation.tickStep(11_000_000));
    }

    @Test
    void tickLabelsUseTheUnitOfTheTimeWithTheStepsPrecision() {
        assertEquals("54.1 ms", TimelinePresentation.tick(54_100_000, 100_000));
        assertEquals("120 ms", TimelinePresentation.tick(120_000_000, 20_000_000));
        assertEquals("-500 µs", TimelinePresentation.tick(-500_000, 500_000));
        assertEquals("-1.5 ms", TimelinePresentation.tick(-1_500_000, 500_000));
        assertEquals("1.25 s", TimelinePresentation.tick(1_250_000_000, 50_000_000));
        assertEquals("3.020 µs", TimelinePresentation.tick(3_020, 1));
        assertEquals("800 ns", TimelinePresentation.tick(800, 100));
        assertEquals("0 ms", TimelinePresentation.tick(0, 10_000_000));
    }

    @Test
    void durationsReadInTheirBestUnit() {
        assertEquals("850 ns", TimelinePresentation.time(850));
        assertEquals("12.5 µs", TimelinePresentation.time(12_500));
        assertEquals("3.2 ms", TimelinePresentation.time(3_200_000));
        assertEquals("1.001 s", TimelinePresentation.time(1_000_904_992));
    }

    @Test
    void blockingAndWaitingLookDifferentFromRunning() {
        assertNotEquals(TimelinePresentation.of(State.RUNNING), TimelinePresentation.of(State.LOCK));
        assertNotEquals(TimelinePresentation.of(State.ACCEPT), TimelinePresentation.of(State.SIGNAL_HANDLER));
        assertEquals(TimelinePresentation.of(State.READ), TimelinePresentation.of(State.WRITE));
    }

    /** Hue distance in degrees (0..180) between two colours. */
    private static float hueDistance(org.eclipse.swt.graphics.RGB a, org.eclipse.swt.graphics.RGB b) {
        float d = Math.abs(a.getHSB()[0] - b.getHSB()[0]);
        return Math.min(d, 360 - d);
    }

    @Test
    void waitingAndLockHandOffsCannotBeMistakenForAFindingsRed() {
        for (State s : new State[] { State.LOCK, State.COND_WAIT, State.SEM_WAIT, State.JOIN, State.WAIT_CHILD,
                State.SLEEP, State.SELECT, State.POLL, State.EPOLL, State.ACCEPT, State.READ, State.RECV }) {
            var c = TimelinePresentation.of(s);
            assertTrue(hueDistance(c, TimelinePresentation.FINDING) > 35 || c.getHSB()[1] < 0.15f,
                    s + " " + c + " looks like a finding's red");
        }
        assertTrue(hueDistance(TimelinePresentation.of(interleave.engine.timeline.Arrow.Kind.LOCK_HANDOFF),
                TimelinePresentation.FINDING) > 35);
        assertTrue(hueDistance(TimelinePresentation.of(interleave.engine.timeline.Instant.Kind.LOCK_SUMMARY),
                TimelinePresentation.FINDING) > 35);
    }
}
