package interleave.engine.timeline;

/** A cause and its effect across rows (or along one row), in ns since the model's origin. */
public record Arrow(int fromRow, long fromNs, int toRow, long toNs, Kind kind, String label) {
    public enum Kind {
        /** parent's fork → child's first event */
        FORK,
        /** creator's pthread_create → the new thread's start */
        CREATE,
        /** kill/pthread_kill or a child's exit (SIGCHLD) → the handler that ran for it */
        SIGNAL,
        /** unlock → the next acquisition of the same mutex by another thread */
        LOCK_HANDOFF,
        /** accept → a close of that connection's descriptor */
        CONNECTION,
        /** a child's exit → the wait that reaped it */
        REAP
    }

    public long minNs() {
        return Math.min(fromNs, toNs);
    }

    public long maxNs() {
        return Math.max(fromNs, toNs);
    }
}
