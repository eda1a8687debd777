package interleave.engine.rules.c;

import java.util.List;

/**
 * The static C rules, in the order the {@code rules} listing shows them. The C front end contributes them to the one
 * registry ({@link interleave.engine.rules.RuleRegistry}); adding a C rule means one line here, with its page and
 * fixtures.
 */
public final class CRules {
    public static final List<CRule> C_RULES = List.of(new StackAddressToThread(), new UnsafeCallInSignalHandler(),
            new ThreadNeverDetachedOrJoined(), new ThreadArgumentNeverFreed(), new ThreadUnsafeCall(),
            new UnsafeCallInCrashHandler(), new HandlerClobbersErrno(),
            new DescriptorKeptAfterFork(), new ChildrenNeverReaped(), new SigchldHandlerReapsOneChild());

    private CRules() {
    }
}
