package interleave.engine.events;

/**
 * The kinds of spans, instants and arrows that the detectors and views know by name. The set is open: a source may
 * use other kinds (a JVM's "monitor-wait", "park"), which are carried and shown but judged by no detector.
 */
public final class Kinds {
    private Kinds() {
    }

    // spans: what a thread was inside
    public static final String SIGNAL_HANDLER = "signal-handler", STDIO = "stdio", MALLOC = "malloc", FREE = "free",
            FORK = "fork", EXEC = "exec", PROCESS_WAIT = "process-wait", THREAD_CREATE = "thread-create",
            THREAD_JOIN = "thread-join", LOCK_WAIT = "lock-wait", COND_WAIT = "cond-wait", SEM_WAIT = "sem-wait",
            ACCEPT = "accept", CONNECT = "connect", READ = "read", WRITE = "write", RECV = "recv", SEND = "send",
            SELECT = "select", POLL = "poll", EPOLL_WAIT = "epoll-wait", SLEEP = "sleep", RAISE = "raise";

    // instants: moments of a thread
    public static final String PROCESS_START = "process-start", PROCESS_EXIT = "process-exit",
            THREAD_START = "thread-start", THREAD_END = "thread-end", REAP = "reap", DETACH = "detach",
            JOIN = "join", SIGNAL_SENT = "signal-sent", CLOSE = "close", THREAD_NAMED = "thread-named",
            /** a forked child's first moment: its parent's pid is the subject */
            FORKED = "forked",
            /** a thread's work on one lock over a period, counted rather than recorded call by call (attributes) */
            LOCK_COUNTS = "lock-counts";

    /**
     * What a thread did first with watched memory (its argument's bytes): the watch was armed, could not be set, the
     * thread read or wrote it (value and instruction known), accessed it (value unknown), or never touched it.
     */
    public static final String WATCH_ARMED = "watch-armed", WATCH_UNAVAILABLE = "watch-unavailable",
            WATCH_READ = "watch-read", WATCH_WRITTEN = "watch-written", WATCH_ACCESSED = "watch-accessed",
            WATCH_NOT_ACCESSED = "watch-not-accessed";

    // arrows
    public static final String ARROW_FORK = "fork", ARROW_CREATE = "create", ARROW_REAP = "reap", ARROW_EXEC = "exec",
            ARROW_LOCK_HANDOFF = "lock-handoff";

    /** Calls that share one non-reentrant state: the stdio streams ("stdio"), the heap ("heap"); else null. */
    public static String family(String kind) {
        return switch (kind) {
            case STDIO -> "stdio";
            case MALLOC, FREE -> "heap";
            default -> null;
        };
    }
}
