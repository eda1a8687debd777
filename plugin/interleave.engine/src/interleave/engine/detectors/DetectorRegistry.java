package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceRun;

/** Every dynamic detector, in one list. Adding one means adding it here, with its page and a trace that shows it. */
public final class DetectorRegistry {
    private static final List<DynamicDetector> DETECTORS = List.of(new ObservedArgumentRace(), new ObservedZombies(),
            new ConnectionKeptAfterFork(), new ConnectionOpenAtExit(), new ThreadNeitherJoinedNorDetached(),
            new SignalHandlerDeadlock(), new HandlerReenteredUnsafeCall(), new LockOrderDeadlock(), new LostSigchld(),
            new ObservedLockOrderInversion());

    private DetectorRegistry() {
    }

    public static List<DynamicDetector> detectors() {
        return DETECTORS;
    }

    public static List<RuleDescriptor> descriptors() {
        return DETECTORS.stream().map(DynamicDetector::descriptor).toList();
    }

    public static Optional<RuleDescriptor> descriptor(String id) {
        return descriptors().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /** Runs every detector; findings ordered by time of their moment, then rule id. */
    public static List<Finding> detectAll(TraceRun run, TimelineModel model) {
        List<Finding> out = new ArrayList<>();
        for (DynamicDetector d : DETECTORS) {
            d.detect(run, model, out::add);
        }
        out.sort(Comparator.comparingLong((Finding f) -> f.moment().map(m -> m.timeNanos()).orElse(0L))
                .thenComparing(Finding::ruleId));
        return out;
    }
}
