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

    /** Append-only arrays of spans that ended; only the thread that builds timelines writes them, past every prefix. */
    static final class Store {
        long[] start = new long[16], end = new long[16];
        byte[] state = new byte[16];
        Span[] span = new Span[16];
        boolean[] unfinished = new boolean[16];
        int length;

        void add(long s, long e, State st, Span ev, boolean open) {
            if (length == start.length) {
                int n = length * 2;
                // new arrays: a timeline that holds the old ones keeps reading its prefix from them
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                state = Arrays.copyOf(state, n);
                span = Arrays.copyOf(span, n);
                unfinished = Arrays.copyOf(unfinished, n);
            }
            start[length] = s;
            end[length] = e;
            state[length] = (byte) st.ordinal();
            span[length] = ev;
            unfinished[length] = open;
            length++;
        }

        /** A store of its own holding the first n entries (when another timeline already appended to this one). */
        Store copy(int n) {
            Store c = new Store();
            int cap = Math.max(16, Integer.highestOneBit(Math.max(1, n)) * 2);
            c.start = Arrays.copyOf(start, cap);
            c.end = Arrays.copyOf(end, cap);
            c.state = Arrays.copyOf(state, cap);
            c.span = Arrays.copyOf(span, cap);
            c.unfinished = Arrays.copyOf(unfinished, cap);
            c.length = n;
            return c;
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
    private long[] tStart = new long[4], tEnd = new long[4];
    private byte[] tState = new byte[4];
    private Span[] tSpan = new Span[4];
    private boolean[] tUnfinished = new boolean[4];
    private int tailSize;

    Level() {
        this(new Store());
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
        if (tailSize != 0) {
            throw new IllegalStateException("settled spans come before running ones");
        }
        store.add(s, e, st, ev, open);
    }

    /** Appends a span of this timeline's own (running, or after one that is running). */
    void add(long s, long e, State st, Span ev, boolean open) {
        if (tailSize == tStart.length) {
            int n = tailSize * 2;
            tStart = Arrays.copyOf(tStart, n);
            tEnd = Arrays.copyOf(tEnd, n);
            tState = Arrays.copyOf(tState, n);
            tSpan = Arrays.copyOf(tSpan, n);
            tUnfinished = Arrays.copyOf(tUnfinished, n);
        }
        tStart[tailSize] = s;
        tEnd[tailSize] = e;
        tState[tailSize] = (byte) st.ordinal();
        tSpan[tailSize] = ev;
        tUnfinished[tailSize] = open;
        tailSize++;
    }

    /** Start of the last span added, Long.MIN_VALUE if none (to check that spans come in start order). */
    long lastStart() {
        if (tailSize > 0) {
            return tStart[tailSize - 1];
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
        Integer[] order = new Integer[tailSize];
        for (int i = 0; i < tailSize; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> tStart[i]));
        long[] s = new long[tailSize], e = new long[tailSize];
        byte[] st = new byte[tailSize];
        Span[] sp = new Span[tailSize];
        boolean[] u = new boolean[tailSize];
        for (int k = 0; k < tailSize; k++) {
            int i = order[k];
            s[k] = tStart[i];
            e[k] = tEnd[i];
            st[k] = tState[i];
            sp[k] = tSpan[i];
            u[k] = tUnfinished[i];
        }
        tStart = s;
        tEnd = e;
        tState = st;
        tSpan = sp;
        tUnfinished = u;
    }

    int size() {
        return baseSize + tailSize;
    }

    /** How many spans are shared with the other timelines of the model (for tests and measurements). */
    int sharedSize() {
        return baseSize;
    }

    long start(int i) {
        return i < baseSize ? bStart[i] : tStart[i - baseSize];
    }

    long end(int i) {
        return i < baseSize ? bEnd[i] : tEnd[i - baseSize];
    }

    State state(int i) {
        return STATES[i < baseSize ? bState[i] : tState[i - baseSize]];
    }

    /** The model's span, null for a running stretch. */
    Span span(int i) {
        return i < baseSize ? bSpan[i] : tSpan[i - baseSize];
    }

    boolean unfinished(int i) {
        return i < baseSize ? bUnfinished[i] : tUnfinished[i - baseSize];
    }

    /** First index whose span ends at or after t (ends are sorted: spans of one level do not overlap). */
    int firstEndingAtOrAfter(long t) {
        int lo = 0, hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose span starts at or after t. */
    int firstStartingAtOrAfter(long t) {
        int lo = 0, hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
