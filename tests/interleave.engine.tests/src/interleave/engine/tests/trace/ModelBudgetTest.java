package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import interleave.engine.cli.Main;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.CountedCalls;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Span;
import interleave.engine.events.Status;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.Symbolizer;

/**
 * Past its budget the event model counts plain I/O calls instead of keeping them as spans: every committed run read
 * within a budget of one event gives the findings of the run read whole, keeps every other span, and counts exactly
 * the calls it left out; the report says so.
 */
class ModelBudgetTest {
    static List<String> runs() {
        return Traces.runNames();
    }

    private static final Set<String> PLAIN_IO = Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND,
            Kinds.SELECT, Kinds.POLL, Kinds.EPOLL_WAIT);

    @ParameterizedTest
    @MethodSource("runs")
    void aTinyBudgetKeepsTheFindingsAndCountsWhatItLeftOut(String name) throws Exception {
        AgentTraceSource.Read whole = AgentTraceSource.readOnce(Traces.dir(name), 0);
        AgentTraceSource.Read small = AgentTraceSource.readOnce(Traces.dir(name), 1);
        assertEquals(Long.MAX_VALUE, whole.model().budget());
        assertEquals(0, whole.model().countedCalls(), name);
        assertEquals(findings(whole), findings(small), name);

        ExecutionModel a = whole.model(), b = small.model();
        assertEquals(a.eventCount(), b.eventCount());
        assertEquals(a.keptCount(), b.keptCount() + b.countedCalls(), name);
        assertEquals(a.threads().size(), b.threads().size());
        long leftOut = 0;
        for (int k = 0; k < a.threads().size(); k++) {
            ExecThread ta = a.threads().get(k), tb = b.threads().get(k);
            assertEquals(ta.source(), tb.source());
            // every span of the budgeted model is the same call as one of the whole model's, in the same order
            List<Span> kept = tb.spans();
            Map<String, long[]> missing = new HashMap<>();
            Set<Span> parents = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            ta.spans().forEach(s -> parents.add(s.parent()));
            int j = 0;
            for (Span s : ta.spans()) {
                if (j < kept.size() && kept.get(j).ref() == s.ref()) {
                    assertEquals(s.toString(), kept.get(j).toString());
                    j++;
                    continue;
                }
                // left out: a plain I/O call that ended with no span inside it
                assertTrue(PLAIN_IO.contains(s.kind()), s.toString());
                assertFalse(s.running(), s.toString());
                assertFalse(parents.contains(s), "a call with a span inside it stays a span: " + s);
                long[] c = missing.computeIfAbsent(s.kind(), x -> new long[2]);
                c[0]++;
                c[1] += s.end() - s.start();
                leftOut++;
            }
            assertEquals(kept.size(), j, tb.toString());
            assertEquals(ta.instants().size(), tb.instants().size());
            Map<String, long[]> counted = new HashMap<>();
            for (CountedCalls c : tb.countedCalls()) {
                counted.put(c.kind(), new long[] {c.calls(), c.totalNs()});
            }
            assertEquals(missing.keySet(), counted.keySet(), tb.toString());
            missing.forEach((kind, c) -> assertEquals(List.of(c[0], c[1]),
                    List.of(counted.get(kind)[0], counted.get(kind)[1]), kind));
        }
        assertEquals(leftOut, b.countedCalls(), name);
        // the descriptors the counted reads and writes were on are still known per process
        for (int k = 0; k < a.processes().size(); k++) {
            Set<Long> io = new HashSet<>();
            for (ExecThread t : a.processes().get(k).threads()) {
                for (Span s : t.spans()) {
                    if (Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND).contains(s.kind())) {
                        io.add(s.subject());
                    }
                }
            }
            ExecProcess p = b.processes().get(k);
            Set<Long> seen = new HashSet<>(p.countedDescriptors());
            for (ExecThread t : p.threads()) {
                for (Span s : t.spans()) {
                    if (Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND).contains(s.kind())) {
                        seen.add(s.subject());
                    }
                }
            }
            assertEquals(io, seen, p.toString());
        }
    }

    @Test
    void theServersRunsCountSomeCalls() throws Exception {
        for (String name : List.of("echo-process", "echo-select", "echo-thread")) {
            ExecutionModel m = AgentTraceSource.readOnce(Traces.dir(name), 1).model();
            assertTrue(m.countedCalls() > 0, name + ": " + m.keptCount() + " kept");
        }
    }

    @Test
    void aReadAHandlerInterruptedStaysASpan() {
        ModelBuilder b = new ModelBuilder().budget(1);
        ExecProcess p = b.process(100, 1);
        ExecThread t = b.thread(p, "100-100", 100, true, 0);
        b.instant(t, 1, Kinds.PROCESS_START, 0, 0, 0, 0, 0, 0);
        Span counted = b.call(t, 2, 3, Kinds.WRITE, "write", 4, 10, 0, 0, 0x10, 1);
        Span read = b.enter(t, 4, Kinds.READ, "read", 4, 0x20, 0, 0, 2);
        Span handler = b.enter(t, 5, Kinds.SIGNAL_HANDLER, "SIGCHLD", 17, 0x30, 0x40, 0, 3);
        b.exit(t, 6, Kinds.SIGNAL_HANDLER, 0, 0, 0, 0x30, 4);
        b.exit(t, 7, Kinds.READ, 5, 0, 0, 0x20, 5);
        Span open = b.enter(t, 8, Kinds.READ, "read", 5, 0x20, 0, 0, 6);
        b.finish(Status.COMPLETED, Long.MIN_VALUE);

        assertEquals(List.of(read, handler, open), t.spans());
        assertSame(read, handler.parent());
        assertNotNull(counted);
        assertEquals(1, b.model().countedCalls());
        CountedCalls w = t.countedCalls().iterator().next();
        assertEquals(List.of(Kinds.WRITE, 1L, 1L, 2L, 3L), List.of(w.kind(), w.calls(), w.totalNs(),
                w.firstStart(), w.lastEnd()));
        assertEquals(Set.of(4L), p.countedDescriptors());
    }

    @Test
    void theReportSaysWhatWasCounted(@TempDir Path tmp) throws Exception {
        Path run = Traces.dir("echo-select");
        String small = report(tmp.resolve("small.txt"), "--model-budget", "1", run);
        assertTrue(small.contains("the budget of 1 kept events was reached"), small);
        assertTrue(small.matches("(?s).*thread \\d+/\\d+: [\\d,]+ [a-z/-]+ calls after [\\d.]+ s kept as counts.*"),
                small);
        String whole = report(tmp.resolve("whole.txt"), "--model-budget", "0", run);
        assertFalse(whole.contains("kept as counts"), whole);
        String html = report(tmp.resolve("small.html"), "--model-budget", "1", run);
        assertTrue(html.contains("kept as counts"), "the HTML report says it too");
    }

    private static String report(Path out, String option, String value, Path run) throws Exception {
        StringWriter err = new StringWriter();
        String format = out.toString().endsWith(".html") ? "html" : "text";
        Main.run(new String[] {"report", "--format", format, "--out", out.toString(), option, value,
                run.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return java.nio.file.Files.readString(out) + "\n" + err;
    }

    private static List<String> findings(AgentTraceSource.Read r) {
        TimelineModel timeline = TimelineModel.build(r.model(), r.run(), Symbolizer.addressesOnly(r.run()));
        return DetectorRegistry.detectAll(r.run(), timeline).stream().map(Finding::toString).toList();
    }
}
