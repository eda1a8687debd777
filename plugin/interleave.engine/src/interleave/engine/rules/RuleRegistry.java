package interleave.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.rules.c.CRule;
import interleave.engine.rules.c.ChildrenNeverReaped;
import interleave.engine.rules.c.DescriptorKeptAfterFork;
import interleave.engine.rules.c.HandlerClobbersErrno;
import interleave.engine.rules.c.LockOrderInversion;
import interleave.engine.rules.c.SigchldHandlerReapsOneChild;
import interleave.engine.rules.c.StackAddressToThread;
import interleave.engine.rules.c.ThreadArgumentNeverFreed;
import interleave.engine.rules.c.ThreadNeverDetachedOrJoined;
import interleave.engine.rules.c.ThreadUnsafeCall;
import interleave.engine.rules.c.UnsafeCallInCrashHandler;
import interleave.engine.rules.c.UnsafeCallInSignalHandler;
import interleave.engine.rules.c.UnsynchronizedSharedWrite;

/** Every rule Interleave has, in one list. Adding a rule means adding it here, with its page and fixtures. */
public final class RuleRegistry {
    private static final List<CRule> C_RULES = List.of(new StackAddressToThread(), new UnsafeCallInSignalHandler(),
            new ThreadNeverDetachedOrJoined(), new ThreadArgumentNeverFreed(), new ThreadUnsafeCall(),
            new UnsafeCallInCrashHandler(), new HandlerClobbersErrno(),
            new DescriptorKeptAfterFork(), new ChildrenNeverReaped(), new SigchldHandlerReapsOneChild(),
            new UnsynchronizedSharedWrite(), new LockOrderInversion());

    private RuleRegistry() {
    }

    public static List<CRule> cRules() {
        return C_RULES;
    }

    public static List<RuleDescriptor> descriptors() {
        List<RuleDescriptor> out = new ArrayList<>();
        for (CRule r : C_RULES) {
            out.add(RuleDescriptor.of(r.getClass()));
        }
        return out;
    }

    public static Optional<RuleDescriptor> descriptor(String id) {
        return descriptors().stream().filter(d -> d.id().equals(id)).findFirst();
    }
}
