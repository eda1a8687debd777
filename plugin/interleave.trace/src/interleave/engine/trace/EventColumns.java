package interleave.engine.trace;

import java.util.Arrays;

/**
 * The records of one file in parallel primitive arrays: about 68 bytes per record and no object per record, so runs
 * of millions of events fit in memory. The commit word is kept packed as in the file (type | phase << 16 | flags
 * << 24).
 */
final class EventColumns {
    long[] ts;
    long[] ra;
    long[] args; // 5 per record
    int[] word;
    int[] err;
    int[] slot;
    int size;

    EventColumns(int capacity) {
        capacity = Math.max(capacity, 4);
        ts = new long[capacity];
        ra = new long[capacity];
        args = new long[capacity * 5];
        word = new int[capacity];
        err = new int[capacity];
        slot = new int[capacity];
    }

    void add(long t, int w, int e, long r, long a0, long a1, long a2, long a3, long a4, int s) {
        if (size == ts.length) {
            grow();
        }
        ts[size] = t;
        word[size] = w;
        err[size] = e;
        ra[size] = r;
        int b = size * 5;
        args[b] = a0;
        args[b + 1] = a1;
        args[b + 2] = a2;
        args[b + 3] = a3;
        args[b + 4] = a4;
        slot[size] = s;
        size++;
    }

    private void grow() {
        int n = ts.length * 2;
        ts = Arrays.copyOf(ts, n);
        ra = Arrays.copyOf(ra, n);
        args = Arrays.copyOf(args, n * 5);
        word = Arrays.copyOf(word, n);
        err = Arrays.copyOf(err, n);
        slot = Arrays.copyOf(slot, n);
    }

    /** Appends record i of {@code from}. */
    void addFrom(EventColumns from, int i) {
        int b = i * 5;
        add(from.ts[i], from.word[i], from.err[i], from.ra[i], from.args[b], from.args[b + 1], from.args[b + 2],
                from.args[b + 3], from.args[b + 4], from.slot[i]);
    }

    /** Drops the first n records, keeping the arrays (a reader's window moving over a big file). */
    void dropFirst(int n) {
        int rest = size - n;
        System.arraycopy(ts, n, ts, 0, rest);
        System.arraycopy(ra, n, ra, 0, rest);
        System.arraycopy(args, n * 5, args, 0, rest * 5);
        System.arraycopy(word, n, word, 0, rest);
        System.arraycopy(err, n, err, 0, rest);
        System.arraycopy(slot, n, slot, 0, rest);
        size = rest;
    }

    /** A copy in (ts, slot) order, exactly sized: the true order of one thread's events (format §2 "Ordering"). */
    EventColumns sortedCopy() {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (!isSorted()) {
            mergeSort(order, new int[size], 0, size);
        }
        EventColumns out = new EventColumns(size);
        for (int k = 0; k < size; k++) {
            int i = order[k];
            int b = i * 5;
            out.add(ts[i], word[i], err[i], ra[i], args[b], args[b + 1], args[b + 2], args[b + 3], args[b + 4],
                    slot[i]);
        }
        return out;
    }

    /**
     * The records in (ts, slot) order, exactly sized, leaving this object empty: a full read then holds each file's
     * events once rather than twice while the run is assembled. Records already in order (the usual case) keep their
     * arrays, trimmed one column at a time.
     */
    EventColumns takeSorted() {
        EventColumns out;
        if (isSorted()) {
            out = new EventColumns(0);
            out.size = size;
            out.ts = ts.length == size ? ts : Arrays.copyOf(ts, size);
            ts = null;
            out.ra = ra.length == size ? ra : Arrays.copyOf(ra, size);
            ra = null;
            out.args = args.length == size * 5 ? args : Arrays.copyOf(args, size * 5);
            args = null;
            out.word = word.length == size ? word : Arrays.copyOf(word, size);
            word = null;
            out.err = err.length == size ? err : Arrays.copyOf(err, size);
            err = null;
            out.slot = slot.length == size ? slot : Arrays.copyOf(slot, size);
            slot = null;
        } else {
            out = sortedCopy();
        }
        EventColumns empty = new EventColumns(0);
        ts = empty.ts;
        ra = empty.ra;
        args = empty.args;
        word = empty.word;
        err = empty.err;
        slot = empty.slot;
        size = 0;
        return out;
    }

    boolean isSorted() {
        for (int i = 1; i < size; i++) {
            if (before(i, i - 1)) {
                return false;
            }
        }
        return true;
    }

    private boolean before(int i, int j) {
        return ts[i] < ts[j] || (ts[i] == ts[j] && slot[i] < slot[j]);
    }

    // Stable merge sort of record indices; runs that are already in order (the usual case) are not merged again.
    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (!before(a[mid], a[mid - 1])) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) {
            a[k++] = before(tmp[j], tmp[i]) ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            a[k++] = tmp[i++];
        }
        while (j < to) {
            a[k++] = tmp[j++];
        }
    }

    TraceEvent event(int i) {
        int w = word[i];
        int b = i * 5;
        return new TraceEvent(ts[i], w & 0xffff, (w >>> 16) & 0xff, w >>> 24, err[i], ra[i], args[b], args[b + 1],
                args[b + 2], args[b + 3], args[b + 4], slot[i]);
    }
}
