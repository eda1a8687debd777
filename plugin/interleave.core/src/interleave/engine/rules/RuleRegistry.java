package interleave.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.c.CProgram;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.detectors.DynamicDetector;
import interleave.engine.rules.c.CRule;
import interleave.engine.rules.c.ChildrenNeverReaped;
import interleave.engine.rules.c.DescriptorKeptAfterFork;
import interleave.engine.rules.c.HandlerClobbersErrno;
import interleave.engine.rules.c.SigchldHandlerReapsOneChild;
import interleave.engine.rules.c.StackAddressToThread;
import interleave.engine.rules.c.ThreadArgumentNeverFreed;
import interleave.engine.rules.c.ThreadNeverDetachedOrJoined;
import interleave.engine.rules.c.ThreadUnsafeCall;
import interleave.engine.rules.c.UnsafeCallInCrashHandler;
import interleave.engine.rules.c.UnsafeCallInSignalHandler;
import interleave.engine.rules.concurrency.LockOrderInversion;
import interleave.engine.rules.concurrency.UnsynchronizedSharedWrite;

/**
 * Every check Interleave has, in one place: the static rules of each language, the rules written once over the
 * neutral concurrency facts, the dynamic detectors, and the checks front ends import from other tools. The command
 * line's {@code rules} and {@code explain}, SARIF's rule table and Eclipse's rule pages all read it. Adding a rule
 * means adding it here, with its page and fixtures.
 */
public final class RuleRegistry {
    private static final List<CRule> C_RULES = List.of(new StackAddressToThread(), new UnsafeCallInSignalHandler(),
            new ThreadNeverDetachedOrJoined(), new ThreadArgumentNeverFreed(), new ThreadUnsafeCall(),
            new UnsafeCallInCrashHandler(), new HandlerClobbersErrno(),
            new DescriptorKeptAfterFork(), new ChildrenNeverReaped(), new SigchldHandlerReapsOneChild());

    /** Written once over {@link interleave.engine.concurrency.ConcurrencyFacts}: they run on every language. */
    private static final List<Rule<?>> NEUTRAL_RULES = List.of(new UnsynchronizedSharedWrite(),
            new LockOrderInversion());

    private RuleRegistry() {
    }

    /** Every static rule: C's, the neutral ones, and those of other front ends found at run time. */
    public static List<Rule<?>> rules() {
        List<Rule<?>> out = new ArrayList<>(C_RULES);
        out.addAll(NEUTRAL_RULES);
        for (FrontEnd<?> f : FrontEnds.all()) {
            out.addAll(f.rules());
        }
        return List.copyOf(out);
    }

    /** The static rules that run on C programs: C's own and the neutral ones. */
    public static List<Rule<?>> cRules() {
        return rules().stream().filter(r -> r.model().isAssignableFrom(CProgram.class)).toList();
    }

    /** The static rules' descriptors (what the settings file and the preference page can switch). */
    public static List<RuleDescriptor> descriptors() {
        List<RuleDescriptor> out = new ArrayList<>();
        for (Rule<?> r : rules()) {
            out.add(RuleDescriptor.of(r.getClass(), RuleDescriptor.Kind.STATIC));
        }
        return out;
    }

    /** Every check: static rules, then dynamic detectors, then imported checks. Ids are distinct across all. */
    public static List<RuleDescriptor> checks() {
        List<RuleDescriptor> out = new ArrayList<>(descriptors());
        for (DynamicDetector d : DetectorRegistry.detectors()) {
            out.add(RuleDescriptor.of(d.getClass(), RuleDescriptor.Kind.DYNAMIC));
        }
        for (FrontEnd<?> f : FrontEnds.all()) {
            out.addAll(f.importedChecks());
        }
        return out;
    }

    /** Any check by id: a static rule, a detector or an imported check. */
    public static Optional<RuleDescriptor> descriptor(String id) {
        return checks().stream().filter(d -> d.id().equals(id)).findFirst();
    }
}
