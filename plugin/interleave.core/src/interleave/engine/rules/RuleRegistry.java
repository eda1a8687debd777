package interleave.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.rules.concurrency.LockOrderInversion;
import interleave.engine.rules.concurrency.UnsynchronizedSharedWrite;

/**
 * Every check Interleave has, in one place: the static rules of each language, the rules written once over the
 * neutral concurrency facts, the dynamic detectors, and the checks front ends import from other tools. The command
 * line's {@code rules} and {@code explain}, SARIF's rule table and Eclipse's rule pages all read it. The core names
 * only the neutral rules: each language's rules come from its front end ({@link FrontEnd#rules()}; C's are listed in
 * {@code interleave.engine.rules.c.CRules}, bundle interleave.c) and the dynamic detectors from a
 * {@link CheckProvider} (bundle interleave.trace). Adding a rule means adding it to its list, with its page and
 * fixtures.
 */
public final class RuleRegistry {
    /** Written once over {@link interleave.engine.concurrency.ConcurrencyFacts}: they run on every language. */
    private static final List<Rule<?>> NEUTRAL_RULES = List.of(new UnsynchronizedSharedWrite(),
            new LockOrderInversion());

    private RuleRegistry() {
    }

    /** Every static rule: each front end's own (C first), the neutral ones right after C's. */
    public static List<Rule<?>> rules() {
        List<Rule<?>> out = new ArrayList<>();
        boolean neutral = false;
        for (FrontEnd<?> f : FrontEnds.all()) {
            out.addAll(f.rules());
            if (f.language() == Language.C) {
                out.addAll(NEUTRAL_RULES); // where the listing has always had them
                neutral = true;
            }
        }
        if (!neutral) {
            out.addAll(NEUTRAL_RULES);
        }
        return List.copyOf(out);
    }

    /** The static rules that run on C programs: C's own and the neutral ones. */
    public static List<Rule<?>> cRules() {
        List<Rule<?>> out = new ArrayList<>(FrontEnds.c().rules());
        out.addAll(NEUTRAL_RULES);
        return List.copyOf(out);
    }

    /** The static rules' descriptors (what the settings file and the preference page can switch). */
    public static List<RuleDescriptor> descriptors() {
        List<RuleDescriptor> out = new ArrayList<>();
        for (Rule<?> r : rules()) {
            out.add(RuleDescriptor.of(r.getClass(), RuleDescriptor.Kind.STATIC));
        }
        return out;
    }

    /**
     * Every check: static rules, then dynamic detectors (and any other provider's), then imported checks. Ids are
     * distinct across all.
     */
    public static List<RuleDescriptor> checks() {
        List<RuleDescriptor> out = new ArrayList<>(descriptors());
        out.addAll(CheckProviders.checks());
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
