package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import interleave.engine.timeline.State;
import interleave.ui.timeline.TimelinePresentation;

/** Axis labels, durations and colours of the timeline view. */
class TimelinePresentationTest {

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
