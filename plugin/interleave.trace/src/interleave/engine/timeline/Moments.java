package interleave.engine.timeline;

import java.util.Arrays;
import java.util.List;

/**
 * The instants of one row in time order, with what each stands for. As with {@link Level}, a timeline of a growing
 * model shares a prefix of them (instants that can no longer change or be preceded by a new one) with the timelines
 * built after it, in append-only arrays, and keeps the rest as its own.
 */
final class Moments {
    static final class Store {
        Instant[] in = new Instant[8];
        Describe.Origin[] origin = new Describe.Origin[8];
        int length;

        void add(Instant i, Describe.Origin o) {
            if (length == in.length) {
                in = Arrays.copyOf(in, length * 2);
                origin = Arrays.copyOf(origin, length * 2);
            }
            in[length] = i;
            origin[length++] = o;
        }

        Store copy(int n) {
            Store c = new Store();
            int cap = Math.max(8, Integer.highestOneBit(Math.max(1, n)) * 2);
            c.in = Arrays.copyOf(in, cap);
            c.origin = Arrays.copyOf(origin, cap);
            c.length = n;
            return c;
        }
    }

    static final Moments NONE = new Moments(new Store()).freeze(List.of());

    private final Store store;
    private Instant[] bIn;
    private Describe.Origin[] bOrigin;
    private int baseSize;
    private Instant[] tIn = new Instant[0];
    private Describe.Origin[] tOrigin = new Describe.Origin[0];

    Moments() {
        this(new Store());
    }

    private Moments(Store store) {
        this.store = store;
    }

    /** The instants for the next timeline: the same shared ones (appended to, or copied if another build did). */
    Moments continuing() {
        if (this == NONE) {
            return new Moments(); // the empty placeholder's store is never appended to
        }
        return new Moments(store.length == baseSize ? store : store.copy(baseSize));
    }

    /** What the last shared instant stands for (its time and the source's reference order them), or null. */
    Describe.Origin lastShared() {
        return store.length == 0 ? null : store.origin[store.length - 1];
    }

    void addShared(List<Describe.Marked> marked) {
        for (Describe.Marked m : marked) {
            store.add(m.instant(), m.origin());
        }
    }

    /** Ends building with {@code own} after the shared prefix. */
    Moments freeze(List<Describe.Marked> own) {
        bIn = store.in;
        bOrigin = store.origin;
        baseSize = store.length;
        tIn = new Instant[own.size()];
        tOrigin = new Describe.Origin[own.size()];
        for (int i = 0; i < tIn.length; i++) {
            tIn[i] = own.get(i).instant();
            tOrigin[i] = own.get(i).origin();
        }
        return this;
    }

    int size() {
        return baseSize + tIn.length;
    }

    Instant at(int i) {
        return i < baseSize ? bIn[i] : tIn[i - baseSize];
    }

    Describe.Origin originAt(int i) {
        return i < baseSize ? bOrigin[i] : tOrigin[i - baseSize];
    }

    /** First index at or after time t. */
    int firstAtOrAfter(long t) {
        int lo = 0, hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).timeNs() < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
