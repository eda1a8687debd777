package interleave.engine.concurrency;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import interleave.engine.finding.SourceRange;

/**
 * One place where code reached from an entry point takes a lock, with the locks it holds at that moment.
 *
 * @param entry   the entry point this path starts from
 * @param lock    the lock taken
 * @param mode    exclusive, or the read or write side of a read-write lock
 * @param tryLock whether the call gives up instead of waiting ({@code pthread_mutex_trylock}, {@code tryLock()})
 * @param site    where the lock is taken (the call, or the {@code synchronized} statement's head)
 * @param held    the locks already held, each with where it was taken, in the order they were taken (kept: the
 *                rules' output must not depend on hashing)
 * @param chain   the calls from the entry point to {@code site}, outermost first (empty when the entry takes it
 *                itself)
 */
public record LockAcquisition(EntryPoint entry, LockRef lock, Mode mode, boolean tryLock, SourceRange site,
        Map<LockRef, SourceRange> held, List<CallStep> chain) {

    public enum Mode {
        EXCLUSIVE, READ, WRITE
    }

    public LockAcquisition {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(site, "site");
        held = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(held));
        chain = List.copyOf(chain);
    }
}
