package interleave.engine.trace;

/**
 * The header of one trace file (format §3): the identity of one thread of one process image.
 *
 * @param imageStartNs CLOCK_MONOTONIC start of the image; with {@code pid} the image key
 * @param pthreadSelf  the thread's pthread_t, matched against THREAD_CREATE EXIT a0 and join/detach a0
 * @param creatorTid   tid of the thread that created this one, 0 if unknown
 * @param createId     links to the creator's THREAD_CREATE records, 0 if not created by a traced pthread_create
 * @param mapsFile     name of the maps file describing the address space ("" if none)
 */
public record TraceHeader(int versionMajor, int versionMinor, int headerSize, int recordSize, int flags, int pid,
        int tid, int ppid, int fileSeq, long createdMonoNs, long createdRealNs, long imageStartNs, long pthreadSelf,
        int creatorTid, long createId, String mapsFile, long lostEvents) {

    public static final int MAIN = 1, CREATED = 2, FORKED = 4;

    public boolean isMain() {
        return (flags & MAIN) != 0;
    }

    public boolean isCreated() {
        return (flags & CREATED) != 0;
    }

    public boolean isForked() {
        return (flags & FORKED) != 0;
    }

    /** Offset to add to a monotonic timestamp to get wall-clock ns since the epoch. */
    public long realMinusMono() {
        return createdRealNs - createdMonoNs;
    }
}
