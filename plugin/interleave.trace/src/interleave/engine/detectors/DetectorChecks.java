package interleave.engine.detectors;

import java.util.List;

import interleave.engine.rules.CheckProvider;
import interleave.engine.rules.RuleDescriptor;

/** The dynamic detectors as checks of the one registry ({@link interleave.engine.rules.RuleRegistry#checks()}). */
public final class DetectorChecks implements CheckProvider {

    @Override
    public List<RuleDescriptor> checks() {
        return DetectorRegistry.detectors().stream()
                .map(d -> RuleDescriptor.of(d.getClass(), RuleDescriptor.Kind.DYNAMIC)).toList();
    }
}
