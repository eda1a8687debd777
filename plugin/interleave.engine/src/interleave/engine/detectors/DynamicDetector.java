package interleave.engine.detectors;

import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceRun;

/**
 * Turns what a traced run did into findings: the bug observed, not suspected. One class per detector, its metadata in
 * {@link interleave.engine.rules.RuleInfo} (ids distinct from the static rules'), its page {@code <SimpleName>.md}
 * beside it, registered in {@link DetectorRegistry}. Findings carry a {@link interleave.engine.finding.TraceMoment}.
 */
public interface DynamicDetector {
    void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink);

    default RuleDescriptor descriptor() {
        return RuleDescriptor.of(getClass());
    }
}
