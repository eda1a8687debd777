package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.EventDetails;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/** The details of one event, found from what the timeline shows (a span, an instant) in committed runs. */
class EventDetailsTest {

    private static Map<String, String> fields(EventDetails d) {
        return d.fields().stream().collect(Collectors.toMap(EventDetails.Field::name, EventDetails.Field::value,
                (a, b) -> a + "; " + b));
    }

    @Test
    void aDeadlockedLockTellsItsMutexWhoHoldsItAndWhereItWasCalled() {
        TimelineModel m = TimelineModelTest.model("deadlock");
        int found = 0;
        for (Row r : m.rows()) {
            List<StateSpan> spans = r.kind() == Row.Kind.THREAD ? m.spans(r.id(), 0, m.durationNs()) : List.of();
            for (StateSpan s : spans) {
                if (s.state() != State.LOCK || !s.unfinished()) {
                    continue;
                }
                EventDetails d = EventDetails.of(m, s);
                Map<String, String> f = fields(d);
                assertEquals("pthread_mutex_lock", d.call());
                assertTrue(d.unfinished());
                assertEquals(r.tid(), d.tid());
                assertEquals(s.endNs() - s.startNs(), d.durationNs());
                assertTrue(f.get("mutex").startsWith("0x"), f.toString()); // addresses only in this test
                assertTrue(f.get("held by").matches("tid \\d+"), f.toString());
                assertFalse(f.containsKey("returned"), "never returned: " + f);
                assertTrue(d.source().isPresent(), "the caller's return address");
                assertTrue(d.source().get().binary().endsWith("/deadlock"), d.source().get().toString());
                found++;
            }
        }
        assertEquals(2, found, "both threads end waiting");
    }

    @Test
    void anAcceptTellsTheNewDescriptorAndTheConnectionArrowsFromIt() {
        TimelineModel m = TimelineModelTest.model("echo-process");
        Instant accept = null;
        for (Row r : m.rows()) {
            for (Instant i : m.instants(r.id(), 0, m.durationNs())) {
                if (accept == null && i.kind() == Instant.Kind.ACCEPT) {
                    accept = i;
                }
            }
        }
        assertTrue(accept != null, "the server accepted");
        EventDetails d = EventDetails.of(m, accept);
        Map<String, String> f = fields(d);
        assertEquals("accept", d.call());
        assertTrue(accept.label().endsWith(f.get("returned")), f + " vs " + accept.label());
        assertTrue(d.durationNs() >= 0, "the call's length, from its ENTER");
        assertTrue(f.get("listening fd").matches("\\d+"), "the arguments, from its ENTER: " + f);
        assertTrue(d.related().stream().anyMatch(a -> a.kind() == Arrow.Kind.CONNECTION && a.fromNs() == d.timeNs()),
                d.related().toString());
    }

    @Test
    void aReadReturnsItsBytesAndARunningStretchHasNoCall() {
        TimelineModel m = TimelineModelTest.model("echo-process");
        boolean read = false, running = false;
        for (Row r : m.rows()) {
            for (StateSpan s : m.spans(r.id(), 0, m.durationNs())) {
                if (!read && s.state() == State.READ && !s.unfinished()) {
                    Map<String, String> f = fields(EventDetails.of(m, s));
                    assertTrue(f.get("fd").matches("\\d+"), f.toString());
                    assertTrue(f.get("returned").matches("-?\\d+( bytes)?"), f.toString());
                    assertTrue(f.containsKey("count"), f.toString());
                    read = true;
                }
                if (!running && s.state() == State.RUNNING) {
                    EventDetails d = EventDetails.of(m, s);
                    assertEquals("running", d.call());
                    assertTrue(d.source().isEmpty());
                    running = true;
                }
            }
        }
        assertTrue(read && running);
    }

    @Test
    void aThreadStartNamesItsStartRoutinesAddressAndTheCreateArrow() {
        TimelineModel m = TimelineModelTest.model("race");
        Instant start = null;
        for (Row r : m.rows()) {
            for (Instant i : m.instants(r.id(), 0, m.durationNs())) {
                if (start == null && i.kind() == Instant.Kind.THREAD_START) {
                    start = i;
                }
            }
        }
        EventDetails d = EventDetails.of(m, start);
        assertEquals("thread start", d.call());
        assertTrue(fields(d).containsKey("start routine"), d.fields().toString());
        assertTrue(d.source().isPresent(), "the start routine's address stands for its source");
        assertTrue(d.related().stream().anyMatch(a -> a.kind() == Arrow.Kind.CREATE), d.related().toString());
    }
}
