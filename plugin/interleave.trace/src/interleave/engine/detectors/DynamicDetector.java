package interleave.engine.detectors;

import java.util.function.Consumer;

import interleave.engine.events.ExecutionModel;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleDescriptor;

/**
 * Turns what a traced run did into findings: the bug observed, not suspected. One class per detector, its metadata in
 * {@link interleave.engine.rules.RuleInfo} (ids distinct from the static rules'), its page {@code <SimpleName>.md}
 * beside it, registered in {@link DetectorRegistry}. Findings carry a {@link interleave.engine.finding.TraceMoment}.
 * A detector reads the {@link ExecutionModel} (processes, threads, spans, instants, locks), never a source's records;
 * {@link Locations} turns its code addresses into places and its times into moments.
 */
public interface DynamicDetector {
    void detect(ExecutionModel run, Locations at, Consumer<Finding> sink);

    default RuleDescriptor descriptor() {
        return RuleDescriptor.of(getClass());
    }
}
