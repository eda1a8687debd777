package interleave.engine.events;

/**
 * Locks of one process that the source summarized together because there were many of them taken at one call site
 * (a lock per hash bucket or per item: memcached's 8,192 item locks are all taken in {@code item_lock()}). The
 * agent keeps per-lock counters, but once more than 8 locks of a thread's summary window share their first call
 * site it writes their sum with the address range instead of a record per lock. The individual locks stay
 * unknown here; their waits and order edges are still recorded per lock ({@link Lock}).
 */
public final class LockGroup extends LockCounts {
    private final ExecProcess process;
    private final long site;
    private final String type;
    long lowest = -1, highest, mostLocks, summaries;

    LockGroup(ExecProcess process, long site, String type) {
        this.process = process;
        this.site = site;
        this.type = type;
    }

    public ExecProcess process() {
        return process;
    }

    /** The call site the locks share (return address of the lock call; 0: the locks of many sites). */
    public long site() {
        return site;
    }

    /** "mutex" or "semaphore". */
    public String type() {
        return type;
    }

    /** Lowest lock address seen in any of the summaries (unsigned). */
    public long lowest() {
        return lowest;
    }

    /** Highest lock address seen in any of the summaries (unsigned). */
    public long highest() {
        return highest;
    }

    /** The most locks one summary (one thread, one window) covered: a lower bound of how many there are. */
    public long mostLocks() {
        return mostLocks;
    }

    /** How many summaries (thread windows) were added up. */
    public long summaries() {
        return summaries;
    }

    @Override
    public String toString() {
        return "group " + type + "s @0x" + Long.toHexString(site) + " locks=" + mostLocks + " range=0x"
                + Long.toHexString(lowest) + "-0x" + Long.toHexString(highest) + " summaries=" + summaries
                + " acquisitions=" + acquisitions() + " contended=" + contended() + " failed-tries=" + failedTries()
                + " counted-waits=" + countedWaits() + " (" + countedWaitNs() + " ns, longest " + longestCountedWaitNs()
                + " ns) counted-handoffs=" + countedHandoffs() + " hold=" + holdNs() + "/" + longestHoldNs();
    }
}
