package interleave.engine.events;

/**
 * What a source counted of a lock's work instead of recording each event (acquisitions, holds, short waits,
 * hand-offs): kept alike for one lock ({@link Lock}) and for a group of locks summed up together ({@link LockGroup}).
 */
public abstract sealed class LockCounts permits Lock, LockGroup {
    private long acquisitions, contended, failedTries, holdNs, longestHoldNs;
    private long countedWaits, countedWaitNs, longestCountedWaitNs, countedHandoffs;

    void addCounts(long acquisitions, long contended, long failedTries, long holdNs, long longestHoldNs) {
        this.acquisitions += acquisitions;
        this.contended += contended;
        this.failedTries += failedTries;
        this.holdNs += holdNs;
        this.longestHoldNs = Math.max(this.longestHoldNs, longestHoldNs);
    }

    void addWaitCounts(long waits, long waitNs, long longestWaitNs, long handoffs) {
        countedWaits += waits;
        countedWaitNs += waitNs;
        longestCountedWaitNs = Math.max(longestCountedWaitNs, longestWaitNs);
        countedHandoffs += handoffs;
    }

    public long acquisitions() {
        return acquisitions;
    }

    public long contended() {
        return contended;
    }

    public long failedTries() {
        return failedTries;
    }

    /** Total hold time, ns (estimated from sampled holds). */
    public long holdNs() {
        return holdNs;
    }

    public long longestHoldNs() {
        return longestHoldNs;
    }

    /**
     * Contended acquisitions the source counted without a wait span (short waits; they are part of
     * {@link #contended()}); a lock's waits drawn as spans are {@link Lock#waits()}.
     */
    public long countedWaits() {
        return countedWaits;
    }

    /** Total time of the {@link #countedWaits()}, ns. */
    public long countedWaitNs() {
        return countedWaitNs;
    }

    /** The longest of the {@link #countedWaits()}, ns. */
    public long longestCountedWaitNs() {
        return longestCountedWaitNs;
    }

    /**
     * Releases to a waiting thread the source counted instead of recording each; those that ended a drawn wait are
     * also among a lock's {@link Lock#handoffs()}.
     */
    public long countedHandoffs() {
        return countedHandoffs;
    }
}
