package interleave.engine.concurrency;

import java.util.Objects;

/**
 * A lock as the analysis names it.
 *
 * @param key         identity: two references with the same key are the same lock object at run time
 * @param display     as the user writes it: {@code &mutex_a}, {@code this.lock}, {@code Account.class}
 * @param programWide whether the key names one lock for the whole program (a global, a static field, a class
 *                    literal); a lock reached through a parameter or a fresh object is not, and pairs with nothing
 */
public record LockRef(String key, String display, boolean programWide) {
    public LockRef {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(display, "display");
    }
}
