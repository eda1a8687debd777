package interleave.engine.timeline;

/** Something that happened at one moment on one row (ns since the model's origin). */
public record Instant(int rowId, long timeNs, Kind kind, String label) {
    public enum Kind {
        PROCESS_START, FORK, EXEC, ACCEPT, CLOSE, SIGNAL_SENT, SIGNAL_DELIVERED, REAP, EXIT, THREAD_CREATE,
        THREAD_START, THREAD_EXIT, DETACH,
        /** uncontended lock work of one thread, counted by the agent (LOCK_STATS) */
        LOCK_SUMMARY
    }
}
