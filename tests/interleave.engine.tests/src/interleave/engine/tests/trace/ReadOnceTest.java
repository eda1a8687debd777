package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.ModelText;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.RecordType;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/**
 * A report reads a run once, one file at a time, and keeps of each file only the records that link threads and
 * processes once the event model holds the rest: the model, the timeline and the findings are those of the run read
 * and kept whole, and what the run still answers (images and their links, threads, names, counts, times) is unchanged.
 */
class ReadOnceTest {
    static List<String> runs() {
        return Traces.runNames();
    }

    @ParameterizedTest
    @MethodSource("runs")
    void sameModelTimelineAndFindingsReadOnce(String name) throws Exception {
        TraceRun kept = Traces.read(name);
        ExecutionModel whole = AgentTraceSource.model(kept);
        TimelineModel keptTimeline = TimelineModel.build(whole, kept, Symbolizer.addressesOnly(kept));
        List<String> keptFindings = texts(DetectorRegistry.detectAll(kept, keptTimeline));

        AgentTraceSource.Read read = AgentTraceSource.readOnce(Traces.dir(name));
        TraceRun thin = read.run();
        TimelineModel timeline = TimelineModel.build(read.model(), thin, Symbolizer.addressesOnly(thin));

        assertEquals(ModelText.describe(whole), ModelText.describe(read.model()), name);
        assertEquals(TimelineText.write(keptTimeline), TimelineText.write(timeline), name);
        assertEquals(keptFindings, texts(DetectorRegistry.detectAll(thin, timeline)), name);
        assertEquals(kept.toString(), thin.toString());
        assertEquals(kept.eventCount(), thin.eventCount());
        assertEquals(kept.startNs(), thin.startNs());
        assertEquals(kept.endNs(), thin.endNs());
        assertEquals(kept.damage(), thin.damage());
        assertEquals(images(kept), images(thin), name);
        long held = 0;
        for (int k = 0; k < kept.threads().size(); k++) {
            ThreadTrace a = kept.threads().get(k), b = thin.threads().get(k);
            assertEquals(a.file(), b.file());
            assertFalse(a.thinned());
            assertTrue(b.thinned(), b.toString());
            assertEquals(a.size(), b.eventCount());
            assertTrue(b.size() <= Math.min(a.size(), 2) + lifecycle(a), b.toString());
            assertEquals(a.firstTs(), b.firstTs());
            assertEquals(a.lastTs(), b.lastTs());
            assertEquals(a.name(), b.name());
            assertEquals(a.createdDetached(), b.createdDetached(), b.toString());
            assertEquals(a.creator().map(ThreadTrace::file), b.creator().map(ThreadTrace::file));
            held += b.size();
        }
        if (kept.eventCount() > 200) {
            assertTrue(held < kept.eventCount(), name + ": " + held + " of " + kept.eventCount() + " records held");
        }
    }

    @org.junit.jupiter.api.Test
    void aDirectoryWithoutTraceFilesIsExplained(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(interleave.engine.trace.TraceException.class,
                () -> AgentTraceSource.readOnce(empty));
        assertTrue(e.getMessage().contains("contains no trace files"), e.getMessage());
    }

    private static int lifecycle(ThreadTrace t) {
        int n = 0;
        for (int i = 0; i < t.size(); i++) {
            switch (t.type(i)) {
                case RecordType.THREAD_CREATE, RecordType.THREAD_NAME, RecordType.FORK, RecordType.FORK_CHILD,
                        RecordType.PROC_START, RecordType.PROC_EXIT, RecordType.EXEC -> n++;
                default -> {
                }
            }
        }
        return n;
    }

    private static List<String> images(TraceRun run) {
        return run.images().stream().map(p -> p + " " + p.origin() + " parent=" + p.parent().map(Object::toString)
                .orElse("-") + " exec<-" + p.execPredecessor().map(Object::toString).orElse("-") + " forker="
                + p.forkingThread().map(ThreadTrace::file).orElse("-") + " children=" + p.children().size()
                + " maps=" + p.mapsFile() + " threads=" + p.threads().stream().map(ThreadTrace::file).toList()
                + " end=" + p.endTs()).toList();
    }

    private static List<String> texts(List<Finding> findings) {
        return findings.stream().map(Finding::toString).toList();
    }
}
