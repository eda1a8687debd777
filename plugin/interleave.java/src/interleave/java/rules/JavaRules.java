package interleave.java.rules;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleDescriptor;
import interleave.java.JavaProgram;

/**
 * The rules that read Java programs. The two written once over the neutral concurrency facts
 * ({@code unsynchronized-shared-write}, {@code lock-order-inversion}) join them when the engine's one registry does.
 */
public final class JavaRules {
    private static final List<Rule<JavaProgram>> ALL = List.of(new UnintendedSharing(), new AcceptedSocketNotClosed(),
            new BlockingCallUnderLock(), new ExecutorNeverShutDown());

    private JavaRules() {
    }

    public static List<Rule<JavaProgram>> all() {
        return ALL;
    }

    public static List<RuleDescriptor> descriptors() {
        List<RuleDescriptor> out = new ArrayList<>();
        for (Rule<JavaProgram> r : ALL) {
            out.add(RuleDescriptor.of(r.getClass()));
        }
        return out;
    }
}
