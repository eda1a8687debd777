package interleave.engine.concurrency;

import java.util.List;

import interleave.engine.finding.Fix;

/**
 * The language-specific half of the fixes that rules written once over the neutral facts offer: only the front end
 * knows how its language makes a variable atomic ({@code _Atomic} in C, {@code AtomicInteger} in Java) and whether
 * every use of the variable still compiles afterwards.
 */
public interface ConcurrencyFixes {
    /** Offers nothing: for models whose language has no mechanical fix. */
    ConcurrencyFixes NONE = (write, accesses) -> List.of();

    /**
     * Fixes that make {@code write}'s variable atomic so that its read-modify-write ({@code cnt++}) cannot lose an
     * update; empty when no such edit keeps the program correct.
     *
     * @param write    the racy write, as reported
     * @param accesses every access to the same variable the rule looked at
     */
    List<Fix> atomicCounter(SharedAccess write, List<SharedAccess> accesses);
}
