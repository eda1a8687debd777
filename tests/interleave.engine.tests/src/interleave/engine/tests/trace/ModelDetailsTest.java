package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.events.Attributes;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Kinds;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Span;
import interleave.engine.events.Status;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/**
 * What the model carries for the timeline and the details pane besides subjects and results: named attributes of
 * calls and moments, the CPU of each event, a lock's counts as timed moments; and a timeline built on a model shares
 * it instead of deriving a second one.
 */
class ModelDetailsTest {

    private static TraceRun run(String name) throws Exception {
        return TraceReader.read(Traces.root().resolve(name));
    }

    private static List<Span> spans(ExecutionModel m, String kind) {
        List<Span> out = new ArrayList<>();
        m.threads().forEach(t -> t.spans().stream().filter(s -> s.kind().equals(kind)).forEach(out::add));
        return out;
    }

    private static List<Instant> instants(ExecutionModel m, String kind) {
        List<Instant> out = new ArrayList<>();
        m.threads().forEach(t -> t.instants().stream().filter(i -> i.kind().equals(kind)).forEach(out::add));
        return out;
    }

    @Test
    void callsCarryTheirArgumentsByName() throws Exception {
        ExecutionModel m = AgentTraceSource.model(run("echo-process"));
        List<Span> reads = spans(m, Kinds.READ);
        assertFalse(reads.isEmpty());
        for (Span r : reads) {
            assertTrue(r.attributes().number(Attributes.COUNT).isPresent(), r.toString());
            assertTrue(r.attributes().number(Attributes.BUFFER, 0) != 0, r.toString());
        }
        // a wait that reaped a child keeps the child's wait status beside the pid it returned
        List<Span> reaps = spans(m, Kinds.PROCESS_WAIT).stream().filter(s -> s.result() > 0).toList();
        assertFalse(reaps.isEmpty());
        for (Span w : reaps) {
            assertTrue(w.attributes().has(Attributes.OPTIONS), w.toString());
            Instant reap = w.thread().process().reapOf(w.result(), w.end());
            assertEquals(reap.result(), w.attributes().number(Attributes.STATUS, -1), w.toString());
        }
        Instant start = instants(m, Kinds.PROCESS_START).get(0);
        assertTrue(start.attributes().text(Attributes.ARGV).orElse("").contains("echo-process"), start.toString());
        assertFalse(instants(m, Kinds.FORKED).isEmpty(), "each forked child's first moment names its parent");
        for (Instant f : instants(m, Kinds.FORKED)) {
            assertEquals(f.thread().process().parent().orElseThrow().pid(), f.subject(), f.toString());
        }
    }

    @Test
    void selectsKeepTheirTimeoutAndReadSet() throws Exception {
        ExecutionModel m = AgentTraceSource.model(run("echo-select"));
        List<Span> selects = spans(m, Kinds.SELECT);
        assertFalse(selects.isEmpty());
        for (Span s : selects) {
            assertTrue(s.attributes().has(Attributes.TIMEOUT_NS) && s.attributes().has(Attributes.READ_SET),
                    s.toString());
            // the listening socket is in every read set of this server
            assertTrue(s.attributes().number(Attributes.READ_SET, 0) != 0, s.toString());
        }
    }

    @Test
    void lockCountsAreTimedMomentsOfTheThreadThatCounted() throws Exception {
        ExecutionModel m = AgentTraceSource.model(run("deadlock-lucky"));
        List<Instant> counts = instants(m, Kinds.LOCK_COUNTS);
        assertFalse(counts.isEmpty());
        long total = 0;
        for (Instant c : counts) {
            assertTrue(c.attributes().number(Attributes.ACQUISITIONS, 0) > 0, c.toString());
            assertTrue(c.ts() >= c.thread().firstTs() && c.ts() <= c.thread().lastTs(), c.toString());
            total += c.attributes().number(Attributes.ACQUISITIONS, 0);
        }
        long perLock = m.locks().stream().mapToLong(l -> l.acquisitions()).sum();
        assertEquals(perLock, total, "the moments add up to the locks' totals");
    }

    @Test
    void eachEventKeepsItsCpuFromTheFirstOneKnown() {
        ModelBuilder b = new ModelBuilder();
        ExecProcess p = b.process(10, 1000);
        ExecThread t = b.thread(p, "10-10", 10, true, 0x7f00);
        b.event(t, 1000, false); // before the source knew the CPU: no sample
        b.onCpu(t, 1);
        b.event(t, 2000, true);
        Span read = b.enter(t, 2000, Kinds.READ, "read", 3, 0x400000, 0, 0, 1);
        b.onCpu(t, 0);
        b.event(t, 5000, false);
        b.exit(t, 5000, Kinds.READ, 8, 0, 0, 0x400000, 2);
        b.event(t, 6000, false);
        Instant end = b.instant(t, 6000, Kinds.THREAD_END, 0, 0, 0, 0, 0, 3);
        b.finish(Status.COMPLETED, Long.MIN_VALUE);
        assertEquals(3, t.cpuSampleCount());
        assertEquals(List.of(2000L, 5000L, 6000L), List.of(t.cpuSampleTs(0), t.cpuSampleTs(1), t.cpuSampleTs(2)));
        assertEquals(List.of(1, 0, 0), List.of(t.cpuSampleCpu(0), t.cpuSampleCpu(1), t.cpuSampleCpu(2)));
        assertTrue(t.cpuSampleEntersCall(0));
        assertFalse(t.cpuSampleEntersCall(1));
        assertEquals(1, read.cpu(), "where the call began");
        assertEquals(0, read.endCpu(), "where it returned: the thread migrated while blocked");
        assertEquals(0, end.cpu());
    }

    @Test
    void attributesArePerSpanAndTheEmptySetIsShared() {
        ModelBuilder b = new ModelBuilder();
        ExecThread t = b.thread(b.process(10, 1000), "10-10", 10, true, 0x7f00);
        Span a = b.enter(t, 1000, Kinds.POLL, "poll", 4, 0, 0, 0, 1);
        Span c = b.enter(t, 2000, Kinds.POLL, "poll", 5, 0, 0, 0, 2);
        assertSame(Attributes.NONE, a.attributes());
        b.attribute(a, Attributes.NFDS, 2L);
        b.attribute(a, Attributes.PATH, "/bin/true");
        assertEquals(2, a.attributes().number(Attributes.NFDS, 0));
        assertEquals("/bin/true", a.attributes().text(Attributes.PATH).orElseThrow());
        assertTrue(a.attributes().text(Attributes.NFDS).isEmpty(), "a number is not a text");
        assertSame(Attributes.NONE, c.attributes(), "the other span is untouched");
        b.attribute(a, Attributes.PATH, null);
        assertFalse(a.attributes().has(Attributes.PATH));
    }

    @Test
    void equalArgumentSetsAreSharedAndCopiedBeforeTheyChange() {
        ModelBuilder b = new ModelBuilder();
        ExecThread t = b.thread(b.process(10, 1000), "10-10", 10, true, 0x7f00);
        Span r1 = b.enter(t, 1000, Kinds.READ, "read", 4, 0, 0, 0, 1);
        b.attributes(r1, Attributes.BUFFER, 0x7ff0L, Attributes.COUNT, 512L);
        Span r2 = b.enter(t, 2000, Kinds.READ, "read", 4, 0, 0, 0, 2);
        b.attributes(r2, Attributes.BUFFER, 0x7ff0L, Attributes.COUNT, 512L);
        Span r3 = b.enter(t, 3000, Kinds.READ, "read", 4, 0, 0, 0, 3);
        b.attributes(r3, Attributes.BUFFER, 0x8000L, Attributes.COUNT, 512L);
        assertSame(r1.attributes(), r2.attributes(), "a loop's reads: one set");
        assertEquals(0x8000L, r3.attributes().number(Attributes.BUFFER, 0));
        b.attribute(r2, Attributes.STATUS, 7L);
        assertEquals(7, r2.attributes().number(Attributes.STATUS, 0));
        assertFalse(r1.attributes().has(Attributes.STATUS), "the shared set was copied, not changed");
        assertEquals(512, r2.attributes().number(Attributes.COUNT, 0));
    }

    @Test
    void aTimelineOnAModelSharesItAndShowsTheSame() throws Exception {
        TraceRun run = run("echo-thread");
        ExecutionModel m = AgentTraceSource.model(run);
        TimelineModel shared = TimelineModel.build(m, run, Symbolizer.addressesOnly(run));
        assertSame(m, shared.events(), "no second model");
        assertEquals(TimelineText.write(TimelineModel.build(run, Symbolizer.addressesOnly(run))),
                TimelineText.write(shared));
    }
}
