package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.ModelText;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.RecordType;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/**
 * A big trace file is read and fed to the model a slice of slots at a time: read in slices as small as one slot, every
 * committed run gives the model, timeline, findings, counts and run links of the run read whole, with and without a
 * budget. Slices of one slot put every call's end, every nested call, every string piece and every CPU record in
 * another slice than the record before it.
 */
class ChunkedReadTest {
    static List<String> runs() {
        return Traces.runNames();
    }

    @ParameterizedTest
    @MethodSource("runs")
    void aRunReadInTinySlicesIsTheRunReadWhole(String name) throws Exception {
        Path dir = Traces.dir(name);
        AgentTraceSource.Read whole = AgentTraceSource.readOnce(dir, 0, 0);
        for (int slice : new int[] {1, 2, 7, 64}) {
            assertSameRead(whole, AgentTraceSource.readOnce(dir, 0, slice), name + " in slices of " + slice);
        }
        // within a budget as well: the same calls counted, the same CPU samples left out
        AgentTraceSource.Read budgeted = AgentTraceSource.readOnce(dir, 1, 0);
        AgentTraceSource.Read sliced = AgentTraceSource.readOnce(dir, 1, 3);
        assertSameRead(budgeted, sliced, name + " within a budget");
        assertEquals(budgeted.model().countedCalls(), sliced.model().countedCalls());
        assertEquals(budgeted.model().cpuSamplesLeftOut(), sliced.model().cpuSamplesLeftOut());

        // past the budget the CPU samples stop: what is kept is the start of the whole model's, the rest counted
        long leftOut = 0;
        for (int k = 0; k < whole.model().threads().size(); k++) {
            ExecThread a = whole.model().threads().get(k), b = budgeted.model().threads().get(k);
            assertEquals(0, a.cpuSamplesLeftOut());
            assertEquals(a.cpuSampleCount(), b.cpuSampleCount() + b.cpuSamplesLeftOut(), b.toString());
            for (int i = 0; i < b.cpuSampleCount(); i++) {
                assertEquals(a.cpuSampleTs(i), b.cpuSampleTs(i));
                assertEquals(a.cpuSampleCpu(i), b.cpuSampleCpu(i));
                assertEquals(a.cpuSampleEntersCall(i), b.cpuSampleEntersCall(i));
            }
            leftOut += b.cpuSamplesLeftOut();
        }
        assertEquals(leftOut, budgeted.model().cpuSamplesLeftOut(), name);
        assertEquals(0, whole.model().cpuSamplesLeftOut(), name);
    }

    /** The committed runs hold what makes slicing hard, so the test above can fail. */
    @Test
    void theCommittedRunsHoldRecordsOutOfSlotOrderStringsAndCpus() {
        int outOfOrder = 0, strings = 0, cpus = 0;
        for (String name : runs()) {
            for (ThreadTrace t : Traces.read(name).threads()) {
                for (int i = 0; i < t.size(); i++) {
                    if (i > 0 && t.slot(i) < t.slot(i - 1)) {
                        outOfOrder++;
                    }
                    if (t.string(i, RecordType.S_EXE).isPresent() || t.string(i, RecordType.S_ARGV).isPresent()) {
                        strings++;
                    }
                    if (t.cpu(i) >= 0) {
                        cpus++;
                    }
                }
            }
        }
        assertTrue(outOfOrder > 0, "no record out of slot order");
        assertTrue(strings > 0, "no string");
        assertTrue(cpus > 0, "no CPU record");
    }

    /**
     * Records written long after their time (a CALL record, a signal handler's records) land many slices after the
     * call they sit in; a string and a CPU record come a slice after their owner; a slot never written is skipped and
     * a record cut short at the end is the same damage.
     */
    @Test
    void recordsWrittenLateAreFedInTimeOrder(@TempDir Path tmp) throws Exception {
        Traces.Writer w = new Traces.Writer(1, 500, 500, 1_000, "");
        int start = w.record(RecordType.PROC_START, RecordType.POINT, 0, 1_000, 0x10, 0, 0);
        w.string(start, RecordType.S_EXE, 1_000, "/usr/bin/sliced-program");
        w.record(RecordType.CPU, RecordType.POINT, 0, 1_000, 0, start, 1);
        for (int k = 0; k < 40; k++) {
            long ts = 2_000 + k * 100L;
            w.record(RecordType.READ, RecordType.ENTER, 0, ts, 0x20, 3, 0x7000, 64);
            int exit = w.record(RecordType.READ, RecordType.EXIT, 0, ts + 50, 0x20, 3, 0, 0, 64);
            if (k % 7 == 0) {
                w.record(RecordType.CPU, RecordType.POINT, 0, ts + 50, 0, exit, k % 2);
            }
            if (k == 20) {
                w.hole(); // reserved, never written (a writer killed there)
            }
        }
        // written at the end, earlier in time: a trylock inside the first read, a handler inside the fifth
        w.record(RecordType.MUTEX_TRYLOCK, RecordType.CALL, 0, 2_010, 0x30, 0x9000, 0, 0, 0, 5);
        w.record(RecordType.SIGNAL_HANDLER, RecordType.ENTER, 0, 2_410, 0x40, 17, 0x5000, 0, 0);
        w.record(RecordType.SIGNAL_HANDLER, RecordType.EXIT, 0, 2_420, 0x40, 17);
        w.record(RecordType.PROC_EXIT, RecordType.POINT, 0, 10_000, 0x50, 0);
        Path dir = tmp.resolve("run");
        java.nio.file.Files.createDirectories(dir);
        Path file = w.write(dir.resolve("500-500.trace"), 3);
        java.nio.file.Files.write(file, new byte[10], java.nio.file.StandardOpenOption.APPEND); // a record cut short

        AgentTraceSource.Read whole = AgentTraceSource.readOnce(dir, 0, 0);
        assertEquals(1, whole.run().damage().size(), whole.run().damage().toString());
        for (int slice = 1; slice <= 12; slice++) {
            AgentTraceSource.Read sliced = AgentTraceSource.readOnce(dir, 0, slice);
            assertSameRead(whole, sliced, "slices of " + slice);
            ExecThread t = sliced.model().threads().get(0);
            Span handler = t.spans().stream().filter(s -> s.kind().equals(Kinds.SIGNAL_HANDLER)).findFirst()
                    .orElseThrow();
            assertEquals(Kinds.READ, handler.parent().kind(), "the handler interrupted a read");
            assertEquals(2_400, handler.parent().start());
            assertEquals(40, t.spans().stream().filter(s -> s.kind().equals(Kinds.READ)).count());
            assertEquals("/usr/bin/sliced-program", sliced.run().images().get(0).exe());
        }
    }

    static void assertSameRead(AgentTraceSource.Read a, AgentTraceSource.Read b, String what) {
        assertEquals(ModelText.describe(a.model()), ModelText.describe(b.model()), what);
        TimelineModel ta = TimelineModel.build(a.model(), a.run(), Symbolizer.addressesOnly(a.run()));
        TimelineModel tb = TimelineModel.build(b.model(), b.run(), Symbolizer.addressesOnly(b.run()));
        assertEquals(TimelineText.write(ta), TimelineText.write(tb), what);
        assertEquals(findings(a.run(), ta), findings(b.run(), tb), what);
        assertEquals(cpuSamples(a.model()), cpuSamples(b.model()), what);
        TraceRun ra = a.run(), rb = b.run();
        assertEquals(ra.toString(), rb.toString(), what);
        assertEquals(ra.startNs(), rb.startNs(), what);
        assertEquals(ra.endNs(), rb.endNs(), what);
        assertEquals(ra.damage(), rb.damage(), what);
        assertEquals(ra.images().stream().map(p -> p + " " + p.origin() + " " + p.exe() + " " + p.argv() + " parent="
                + p.parent().map(Object::toString).orElse("-") + " children=" + p.children().size()).toList(),
                rb.images().stream().map(p -> p + " " + p.origin() + " " + p.exe() + " " + p.argv() + " parent="
                        + p.parent().map(Object::toString).orElse("-") + " children=" + p.children().size()).toList(),
                what);
        assertEquals(threads(ra), threads(rb), what);
    }

    /** Each thread as the run keeps it: its kept records, their strings and CPUs, and its links. */
    private static List<String> threads(TraceRun run) {
        List<String> out = new ArrayList<>();
        for (ThreadTrace t : run.threads()) {
            StringBuilder sb = new StringBuilder(t + " thinned=" + t.thinned() + " " + t.firstTs() + ".." + t.lastTs()
                    + " name=" + t.name() + " creator=" + t.creator().map(ThreadTrace::file) + " create="
                    + t.createEnterIndex() + "/" + t.createExitIndex() + " detached=" + t.createdDetached());
            for (int i = 0; i < t.size(); i++) {
                sb.append("\n  ").append(t.event(i)).append(" cpu=").append(t.cpu(i));
                for (int key = 0; key < 8; key++) {
                    int k = key;
                    t.string(i, key).ifPresent(s -> sb.append(" s").append(k).append('=').append(s.text())
                            .append(s.incomplete() ? " (incomplete)" : ""));
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static List<String> cpuSamples(ExecutionModel m) {
        List<String> out = new ArrayList<>();
        for (ExecThread t : m.threads()) {
            StringBuilder sb = new StringBuilder(t.source()).append(" left out ").append(t.cpuSamplesLeftOut());
            for (int i = 0; i < t.cpuSampleCount(); i++) {
                sb.append(' ').append(t.cpuSampleTs(i)).append('@').append(t.cpuSampleCpu(i))
                        .append(t.cpuSampleEntersCall(i) ? "+" : "");
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static List<String> findings(TraceRun run, TimelineModel timeline) {
        return DetectorRegistry.detectAll(run, timeline).stream().map(Finding::toString).toList();
    }
}
