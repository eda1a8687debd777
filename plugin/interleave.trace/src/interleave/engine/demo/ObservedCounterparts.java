package interleave.engine.demo;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import interleave.engine.finding.Finding;

/**
 * Which dynamic detectors observe, in a run, the bug a static rule finds in the source, and which of the lecture's
 * samples can be run to show it: what "Show in Timeline" on a static finding needs.
 */
public final class ObservedCounterparts {
    private ObservedCounterparts() {
    }

    /** Static rule id → the ids of the detectors that see the same bug happen. Rules absent here are not observed. */
    private static final Map<String, Set<String>> OBSERVED_BY = Map.ofEntries(
            Map.entry("stack-address-to-thread", Set.of("observed-argument-race")),
            Map.entry("unsafe-call-in-signal-handler",
                    Set.of("observed-handler-reentered-unsafe-call", "observed-signal-handler-deadlock")),
            Map.entry("thread-never-detached-or-joined", Set.of("observed-thread-not-joined-or-detached")),
            Map.entry("descriptor-kept-after-fork",
                    Set.of("observed-connection-kept-after-fork", "observed-connection-open-at-exit")),
            Map.entry("children-never-reaped", Set.of("observed-zombies")),
            Map.entry("sigchld-handler-reaps-one-child", Set.of("observed-lost-sigchld", "observed-zombies")),
            Map.entry("unsynchronized-shared-write", Set.of("observed-unsynchronized-write")),
            Map.entry("lock-order-inversion", Set.of("observed-lock-order-inversion", "observed-lock-order-deadlock")));

    /** The detectors that observe this static rule's bug; empty when no detector does. */
    public static Set<String> observedIds(String staticRuleId) {
        return OBSERVED_BY.getOrDefault(staticRuleId, Set.of());
    }

    /** Every static rule with an observed counterpart, for tests and documentation. */
    public static Map<String, Set<String>> all() {
        return OBSERVED_BY;
    }

    /** The demo scenarios that run the sample built from {@code NAME.c}, in the demo's order. */
    public static List<DemoScenario> scenariosOf(String sourceFileName) {
        String name = sourceFileName.endsWith(".c") ? sourceFileName.substring(0, sourceFileName.length() - 2)
                : sourceFileName;
        return DemoScenario.lectureSamples().stream().filter(s -> s.sample().equals(name)).toList();
    }

    /**
     * The observed finding that best matches a static one at {@code fileName:line}: among the findings of the given
     * detectors, the one in the same file nearest the line, else the first. Empty when none is of those detectors.
     */
    public static Optional<Integer> occurrence(List<Finding> observed, Set<String> detectorIds, String fileName,
            int line) {
        int best = -1;
        long bestDistance = Long.MAX_VALUE;
        for (int i = 0; i < observed.size(); i++) {
            Finding f = observed.get(i);
            if (!detectorIds.contains(f.ruleId())) {
                continue;
            }
            String file = f.location().file();
            boolean sameFile = file.equals(fileName) || file.endsWith("/" + fileName);
            long distance = sameFile ? Math.abs((long) f.location().startLine() - line) : Integer.MAX_VALUE;
            if (best < 0 || distance < bestDistance) {
                best = i;
                bestDistance = distance;
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }
}
