package interleave.engine.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import interleave.engine.demo.DemoScenario;
import interleave.engine.demo.ObservedCounterparts;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/** The static rule ↔ observed detector table behind "Show in Timeline", and the choice of the occurrence. */
class ObservedCounterpartsTest {
    private static final Path TRACES = Path.of(System.getProperty("interleave.traces", "traces"));

    @Test
    void everyIdInTheTableIsARealRuleOrDetector() {
        ObservedCounterparts.all().forEach((rule, observed) -> {
            assertTrue(RuleRegistry.descriptor(rule).isPresent(), "static rule " + rule);
            assertFalse(observed.isEmpty(), rule);
            observed.forEach(id -> assertTrue(DetectorRegistry.descriptor(id).isPresent(), "detector " + id));
        });
        assertEquals(Set.of(), ObservedCounterparts.observedIds("thread-unsafe-call"), "not observed by any detector");
    }

    @Test
    void samplesAreFoundByTheirSourceFile() {
        assertEquals(List.of("race"), ObservedCounterparts.scenariosOf("race.c").stream().map(DemoScenario::name)
                .toList());
        assertEquals(2, ObservedCounterparts.scenariosOf("fork-printf-handler.c").size(), "printf, then malloc");
        assertEquals(List.of(), ObservedCounterparts.scenariosOf("my-server.c"));
    }

    @Test
    void theOccurrenceIsTheMatchingDetectorsFindingNearestTheLine() throws Exception {
        TraceRun run = TraceReader.read(TRACES.resolve("echo-thread-stackarg-watch"));
        List<Finding> observed = DetectorRegistry.detectAll(run, TimelineModel.build(run));
        Optional<Integer> i = ObservedCounterparts.occurrence(observed,
                ObservedCounterparts.observedIds("stack-address-to-thread"), "echo-thread-stackarg.c", 63);
        assertTrue(i.isPresent(), observed.toString());
        assertEquals("observed-argument-race", observed.get(i.get()).ruleId());
        assertEquals(Optional.empty(), ObservedCounterparts.occurrence(observed,
                ObservedCounterparts.observedIds("children-never-reaped"), "echo-thread-stackarg.c", 63));
    }
}
