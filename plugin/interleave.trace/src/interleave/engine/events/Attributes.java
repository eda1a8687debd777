package interleave.engine.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a span or an instant carries besides its subject and result, by name: a read's buffer and count, a poll's
 * number of descriptors and timeout, the mutex a condition wait releases, an exec's path, a lock's counts. Values
 * are numbers or texts. The set of names is open (a source may add its own); the ones below are those the timeline
 * and the details pane know. Filled by the {@link ModelBuilder} only.
 */
public final class Attributes {
    /** Shared by everything that carries nothing; never changed. */
    public static final Attributes NONE = new Attributes();

    // calls
    public static final String BUFFER = "buffer", COUNT = "count", NFDS = "nfds", READ_SET = "read-set",
            TIMEOUT_NS = "timeout-ns", TIMEOUT_MS = "timeout-ms", MAX_EVENTS = "max-events", OPTIONS = "options",
            MUTEX = "mutex", STATUS = "status", PATH = "path", ARGV = "argv",
            /** the function as the program called it, where the kind and name do not say it (exit, _exit, ...) */
            FUNCTION = "function",
            /** what a thread's start routine returned */
            RETURN_VALUE = "return-value";

    // a lock's counts over a period ({@link Kinds#LOCK_COUNTS})
    public static final String LOCK_TYPE = "lock-type", ACQUISITIONS = "acquisitions", CONTENDED = "contended",
            FAILED_TRIES = "failed-tries", POSTS = "posts", HOLD_NS = "hold-ns", LONGEST_HOLD_NS = "longest-hold-ns",
            HOLD_MEASURED = "hold-measured",
            /** waits and hand-offs the source counted instead of recording each (format 1.4's LOCK_WAITS) */
            COUNTED_WAITS = "counted-waits", COUNTED_WAIT_NS = "counted-wait-ns",
            LONGEST_COUNTED_WAIT_NS = "longest-counted-wait-ns", COUNTED_HANDOFFS = "counted-handoffs",
            /** counts of a group of locks taken at one call site (format 1.5): how many, the highest address */
            GROUP_LOCKS = "group-locks", GROUP_HIGH = "group-high";

    private Object[] kv = new Object[0];
    /** Held by several spans (equal sets are shared): never changed, copied first. */
    boolean shared;

    Attributes() {
    }

    /** A changeable copy. */
    Attributes copy() {
        Attributes a = new Attributes();
        a.kv = kv.clone();
        return a;
    }

    /** Sets a value (a Long or a String); null removes it. */
    void put(String key, Object value) {
        if (this == NONE || shared) {
            throw new IllegalStateException("shared attributes are never changed");
        }
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i].equals(key)) {
                if (value == null) {
                    Object[] n = new Object[kv.length - 2];
                    System.arraycopy(kv, 0, n, 0, i);
                    System.arraycopy(kv, i + 2, n, i, kv.length - i - 2);
                    kv = n;
                } else {
                    kv[i + 1] = value;
                }
                return;
            }
        }
        if (value != null) {
            Object[] n = java.util.Arrays.copyOf(kv, kv.length + 2);
            n[kv.length] = key;
            n[kv.length + 1] = value;
            kv = n;
        }
    }

    private Object get(String key) {
        Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i].equals(key)) {
                return a[i + 1];
            }
        }
        return null;
    }

    public boolean has(String key) {
        return get(key) != null;
    }

    public OptionalLong number(String key) {
        return get(key) instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
    }

    /** The number, or {@code otherwise} when there is none. */
    public long number(String key, long otherwise) {
        return get(key) instanceof Long l ? l : otherwise;
    }

    public Optional<String> text(String key) {
        return get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    public boolean isEmpty() {
        return kv.length == 0;
    }

    /** Every attribute in the order it was set. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            out.put((String) a[i], a[i + 1]);
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
