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
            new ObservedLockOrderInversion(), new ObservedUnsynchronizedWrite());

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

    /** The finding's moment is in a JVM image (same pid, at or after the image started: an exec'd java keeps the pid). */
    private static boolean aboutJvm(Finding f, java.util.Collection<interleave.engine.trace.ProcessImage> jvms,
            TimelineModel model) {
        if (f.moment().isEmpty()) {
            return false;
        }
        var m = f.moment().get();
        for (var img : jvms) {
            if (img.pid() == m.pid() && m.timeNanos() >= model.time(img.imageStartNs())) {
                return true;
            }
        }
        return false;
    }

    /** Runs every detector; findings ordered by time of their moment, then rule id. */
    public static List<Finding> detectAll(TraceRun run, TimelineModel model) {
        List<Finding> out = new ArrayList<>();
        // a JVM's own libc calls are not the Java program's bugs: no native findings about it (JavaPrograms)
        var jvms = JavaPrograms.of(run).keySet();
        var events = model.events();
        Locations at = Locations.of(model);
        for (DynamicDetector d : DETECTORS) {
            d.detect(events, at, f -> {
                if (!aboutJvm(f, jvms, model)) {
                    out.add(f);
                }
            });
        }
        out.sort(Comparator.comparingLong((Finding f) -> f.moment().map(m -> m.timeNanos()).orElse(0L))
                .thenComparing(Finding::ruleId));
        return out;
    }
}
