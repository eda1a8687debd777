package interleave.engine.concurrency;

import java.util.List;

/**
 * What a front end knows about one program's concurrency, in neutral terms. Derived once per program and cached by
 * the program model.
 *
 * @param entries      every entry point found
 * @param acquisitions every lock acquisition reached from an entry point, once per entry
 * @param accesses     every access to a shared variable reached from an entry point, once per entry
 * @param truncated    whether the front end stopped early (a call depth or size limit), so absences prove less
 */
public record ConcurrencyFacts(List<EntryPoint> entries, List<LockAcquisition> acquisitions,
        List<SharedAccess> accesses, boolean truncated) {
    public ConcurrencyFacts {
        entries = List.copyOf(entries);
        acquisitions = List.copyOf(acquisitions);
        accesses = List.copyOf(accesses);
    }
}
