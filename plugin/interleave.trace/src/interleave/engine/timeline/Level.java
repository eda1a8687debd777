package interleave.engine.timeline;

import java.util.Arrays;
import java.util.Comparator;

import interleave.engine.events.Span;

/**
 * The spans of one row at one nesting depth, sorted by start (spans of one depth never overlap, so by end too), in
 * parallel arrays. A timeline of a growing model shares the first {@link #baseSize} of them with the timelines built
 * before and after it: spans that ended, which never change, kept in append-only arrays ({@link Store}); the rest
 * (spans still running, the running stretch at the end of the lane) are its own. A later timeline of the same model
 * appends its newly ended spans to the shared arrays past this one's prefix, which this one never reads: a timeline
 * handed to a view does not change under it, and the next one costs what is new.
 */
final class Level {
    private static final State[] STATES = State.values();

    /**
     * Spans in parallel arrays, appended to. The shared one holds spans that ended; only the thread that builds
     * timelines writes it, past every prefix. A timeline's own spans are a store of their own.
     */
    static final class Store {
        long[] start, end;
        byte[] state;
        Span[] span;
        boolean[] unfinished;
        int length;

        Store(int capacity) {
            start = new long[capacity];
            end = new long[capacity];
            state = new byte[capacity];
            span = new Span[capacity];
            unfinished = new boolean[capacity];
        }

        void add(long s, long e, State st, Span ev, boolean open) {
            if (length == start.length) {
                resize(length * 2);
            }
            start[length] = s;
            end[length] = e;
            state[length] = (byte) st.ordinal();
            span[length] = ev;
            unfinished[length] = open;
            length++;
        }

        /** New arrays of this capacity: a timeline that holds the old ones keeps reading its prefix from them. */
        private void resize(int capacity) {
            start = Arrays.copyOf(start, capacity);
            end = Arrays.copyOf(end, capacity);
            state = Arrays.copyOf(state, capacity);
            span = Arrays.copyOf(span, capacity);
            unfinished = Arrays.copyOf(unfinished, capacity);
        }

        /** A store of its own holding the first n entries (when another timeline already appended to this one). */
        Store copy(int n) {
            Store c = new Store(0);
            c.start = start;
            c.end = end;
            c.state = state;
            c.span = span;
            c.unfinished = unfinished;
            c.resize(Math.max(16, Integer.highestOneBit(Math.max(1, n)) * 2));
            c.length = n;
            return c;
        }

        /** Sorts the entries by start. */
        void sortByStart() {
            Integer[] order = new Integer[length];
            for (int i = 0; i < length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(i -> start[i]));
            Store sorted = new Store(Math.max(4, length));
            for (int i : order) {
                sorted.add(start[i], end[i], STATES[state[i]], span[i], unfinished[i]);
            }
            start = sorted.start;
            end = sorted.end;
            state = sorted.state;
            span = sorted.span;
            unfinished = sorted.unfinished;
        }
    }

    private final Store store;
    // the shared prefix, fixed by freeze(): the arrays as they were then (a store that grows later gets new ones)
    private long[] bStart, bEnd;
    private byte[] bState;
    private Span[] bSpan;
    private boolean[] bUnfinished;
    private int baseSize;
    // this timeline's own spans after the prefix
    private final Store tail = new Store(4);

    Level() {
        this(new Store(16));
    }

    private Level(Store store) {
        this.store = store;
    }

    /** A level for the next timeline: the same shared spans (appended to, or copied if another build already did). */
    Level continuing() {
        return new Level(store.length == baseSize ? store : store.copy(baseSize));
    }

    /** Appends a span that ended to the shared prefix (before any span of this timeline's own). */
    void addSettled(long s, long e, State st, Span ev, boolean open) {
        if (tail.length != 0) {
            throw new IllegalStateException("settled spans come before running ones");
        }
        store.add(s, e, st, ev, open);
    }

    /** Appends a span of this timeline's own (running, or after one that is running). */
    void add(long s, long e, State st, Span ev, boolean open) {
        tail.add(s, e, st, ev, open);
    }

    /** Start of the last span added, Long.MIN_VALUE if none (to check that spans come in start order). */
    long lastStart() {
        if (tail.length > 0) {
            return tail.start[tail.length - 1];
        }
        return store.length > 0 ? store.start[store.length - 1] : Long.MIN_VALUE;
    }

    /** Ends building: the shared prefix is what the store holds now. */
    Level freeze() {
        bStart = store.start;
        bEnd = store.end;
        bState = store.state;
        bSpan = store.span;
        bUnfinished = store.unfinished;
        baseSize = store.length;
        return this;
    }

    /** Sorts this timeline's own spans by start (a level built all as its own, from spans out of order). */
    void sortOwn() {
        tail.sortByStart();
    }

    int size() {
        return baseSize + tail.length;
    }

    /** How many spans are shared with the other timelines of the model (for tests and measurements). */
    int sharedSize() {
        return baseSize;
    }

    long start(int i) {
        return i < baseSize ? bStart[i] : tail.start[i - baseSize];
    }

    long end(int i) {
        return i < baseSize ? bEnd[i] : tail.end[i - baseSize];
    }

    State state(int i) {
        return STATES[i < baseSize ? bState[i] : tail.state[i - baseSize]];
    }

    /** The model's span, null for a running stretch. */
    Span span(int i) {
        return i < baseSize ? bSpan[i] : tail.span[i - baseSize];
    }

    boolean unfinished(int i) {
        return i < baseSize ? bUnfinished[i] : tail.unfinished[i - baseSize];
    }

    /** First index whose span ends at or after t (ends are sorted: spans of one level do not overlap). */
    int firstEndingAtOrAfter(long t) {
        return firstAtOrAfter(t, true);
    }

    /** First index whose span starts at or after t. */
    int firstStartingAtOrAfter(long t) {
        return firstAtOrAfter(t, false);
    }

    private int firstAtOrAfter(long t, boolean byEnd) {
        int lo = 0, hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if ((byEnd ? end(mid) : start(mid)) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
