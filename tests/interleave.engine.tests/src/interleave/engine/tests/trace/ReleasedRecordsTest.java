package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/**
 * A report reads a run once and drops each thread's records as soon as the event model holds them: the model, the
 * timeline and the findings are those of the run read and kept whole, and what the run still answers (images,
 * threads, sizes, times) is unchanged; reading a dropped record is refused, not answered wrongly.
 */
class ReleasedRecordsTest {
    static List<String> runs() {
        return Traces.runNames();
    }

    @ParameterizedTest
    @MethodSource("runs")
    void sameModelTimelineAndFindingsAfterRelease(String name) {
        TraceRun kept = Traces.read(name);
        ExecutionModel whole = AgentTraceSource.model(kept);
        TimelineModel keptTimeline = TimelineModel.build(whole, kept, Symbolizer.addressesOnly(kept));
        List<String> keptFindings = texts(DetectorRegistry.detectAll(kept, keptTimeline));

        TraceRun dropped = Traces.read(name);
        long events = dropped.eventCount(), start = dropped.startNs(), end = dropped.endNs();
        ExecutionModel released = AgentTraceSource.modelReleasing(dropped);
        TimelineModel timeline = TimelineModel.build(released, dropped, Symbolizer.addressesOnly(dropped));

        assertEquals(ModelText.describe(whole), ModelText.describe(released), name);
        assertEquals(TimelineText.write(keptTimeline), TimelineText.write(timeline), name);
        assertEquals(keptFindings, texts(DetectorRegistry.detectAll(dropped, timeline)), name);
        assertEquals(events, dropped.eventCount());
        assertEquals(start, dropped.startNs());
        assertEquals(end, dropped.endNs());
        assertEquals(kept.images().size(), dropped.images().size());
        for (int k = 0; k < kept.threads().size(); k++) {
            ThreadTrace a = kept.threads().get(k), b = dropped.threads().get(k);
            assertFalse(a.released());
            assertTrue(b.released(), b.toString());
            assertEquals(a.size(), b.size());
            assertEquals(a.firstTs(), b.firstTs());
            assertEquals(a.lastTs(), b.lastTs());
            assertEquals(a.name(), b.name());
            if (b.size() > 0) {
                assertThrows(IllegalStateException.class, () -> b.ts(0));
            }
        }
    }

    private static List<String> texts(List<Finding> findings) {
        return findings.stream().map(Finding::toString).toList();
    }
}
