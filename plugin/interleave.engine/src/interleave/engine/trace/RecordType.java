package interleave.engine.trace;

/**
 * Record types and phases of trace format v1 (docs/trace-format.md §4–§5). Plain int constants: records are stored in
 * primitive arrays, and a reader of an older minor version must be able to carry types it does not know.
 */
public final class RecordType {
    private RecordType() {
    }

    // phases (§4)
    public static final int POINT = 0, ENTER = 1, EXIT = 2, CALL = 3;

    public static final int STRING = 1, PROC_START = 2, PROC_EXIT = 3, FORK = 4, FORK_CHILD = 5, EXEC = 6, SPAWN = 7,
            WAIT = 8;
    public static final int THREAD_CREATE = 16, THREAD_START = 17, THREAD_EXIT = 18, PTHREAD_EXIT = 19,
            PTHREAD_JOIN = 20, PTHREAD_DETACH = 21;
    public static final int MUTEX_LOCK = 32, MUTEX_TRYLOCK = 33, MUTEX_UNLOCK = 34, COND_WAIT = 35, COND_SIGNAL = 36,
            COND_BROADCAST = 37, SEM_WAIT = 38, SEM_TRYWAIT = 39, SEM_POST = 40;
    /** v1.1: compact lock events (format §5 "Synchronization"). */
    public static final int LOCK_EDGE = 41, LOCK_STATS = 42;
    public static final int SOCKET = 48, BIND = 49, LISTEN = 50, ACCEPT = 51, CONNECT = 52, CLOSE = 53, READ = 54,
            WRITE = 55, RECV = 56, SEND = 57, SHUTDOWN = 58, DUP = 59, PIPE = 60;
    public static final int SELECT = 64, POLL = 65, EPOLL_WAIT = 66, SLEEP = 72;
    public static final int SIGACTION = 80, SIGNAL_HANDLER = 81, KILL = 82, RAISE = 83, PTHREAD_KILL = 84;
    public static final int STDIO = 96, MALLOC = 97, FREE = 98;
    /** Format 1.1: a thread's name as the program set it (pthread_setname_np, prctl PR_SET_NAME). */
    public static final int THREAD_NAME = 22;
    /** Format 1.2: the hardware watchpoint on a stack argument and what the new thread read there (flags = kind). */
    public static final int ARG_WATCH = 23;
    /** ARG_WATCH kinds (flags bits 0-3) and bit 4: the address of the access was assumed, not recomputed. */
    /** Format 1.2: the CPU the thread ran on from its owner event on (a0 owner slot, a1 cpu); not an event. */
    public static final int CPU = 24;
    /**
     * Format 1.3: a thread's accesses to a watched shared variable (flags = kind, bit 4 address assumed). READ/WRITTEN/
     * ACCESSED: ts and ra of the access, a0 address, a1 value, a2 instruction, a3 cpu | bytes << 32 | variable << 40 |
     * locks held << 48, a4 the first lock held; HELD records after it carry the other locks.
     */
    public static final int VAR_WATCH = 25;
    public static final int VW_ARMED = 1, VW_UNAVAILABLE = 2, VW_READ = 3, VW_WRITTEN = 4, VW_ACCESSED = 5, VW_DONE = 6,
            VW_HELD = 7, VW_EA_ASSUMED = 0x10;
    public static final int WATCH_ARMED = 1, WATCH_UNAVAILABLE = 2, WATCH_READ = 3, WATCH_WRITTEN = 4,
            WATCH_ACCESSED = 5, WATCH_NOT_ACCESSED = 6, WATCH_EA_ASSUMED = 0x10;

    // flag bits of format 1.1
    /** THREAD_CREATE EXIT: the attr asked for PTHREAD_CREATE_DETACHED. */
    public static final int CREATE_DETACHED = 1;
    /** PTHREAD_JOIN flags: which join (0 pthread_join); err 0 = joined whichever it was. */
    public static final int JOIN_TIMED = 1, JOIN_TRY = 2, JOIN_CLOCK = 3;
    /** SIGNAL_HANDLER ENTER: the thread was inside a stdio call / inside malloc, calloc, realloc or free. */
    public static final int SIG_IN_STDIO = 1, SIG_IN_HEAP = 2;

    // string keys (§4.2)
    public static final int S_EXE = 1, S_ARGV = 2, S_EXEC_PATH = 3, S_EXEC_ARGV = 4, S_SOCKADDR = 5, S_SPAWN_PATH = 6,
            S_WATCH_VAR = 7;

    private static final String[] NAMES = new String[128];

    static {
        String[][] table = {{"1", "STRING"}, {"2", "PROC_START"}, {"3", "PROC_EXIT"}, {"4", "FORK"},
                {"5", "FORK_CHILD"}, {"6", "EXEC"}, {"7", "SPAWN"}, {"8", "WAIT"}, {"16", "THREAD_CREATE"},
                {"17", "THREAD_START"}, {"18", "THREAD_EXIT"}, {"19", "PTHREAD_EXIT"}, {"20", "PTHREAD_JOIN"},
                {"21", "PTHREAD_DETACH"}, {"32", "MUTEX_LOCK"}, {"33", "MUTEX_TRYLOCK"}, {"34", "MUTEX_UNLOCK"},
                {"35", "COND_WAIT"}, {"36", "COND_SIGNAL"}, {"37", "COND_BROADCAST"}, {"38", "SEM_WAIT"},
                {"39", "SEM_TRYWAIT"}, {"40", "SEM_POST"}, {"41", "LOCK_EDGE"}, {"42", "LOCK_STATS"}, {"48", "SOCKET"}, {"49", "BIND"}, {"50", "LISTEN"},
                {"51", "ACCEPT"}, {"52", "CONNECT"}, {"53", "CLOSE"}, {"54", "READ"}, {"55", "WRITE"}, {"56", "RECV"},
                {"57", "SEND"}, {"58", "SHUTDOWN"}, {"59", "DUP"}, {"60", "PIPE"}, {"64", "SELECT"}, {"65", "POLL"},
                {"66", "EPOLL_WAIT"}, {"72", "SLEEP"}, {"80", "SIGACTION"}, {"81", "SIGNAL_HANDLER"}, {"82", "KILL"},
                {"83", "RAISE"}, {"84", "PTHREAD_KILL"}, {"96", "STDIO"}, {"97", "MALLOC"}, {"98", "FREE"}};
        for (String[] row : table) {
            NAMES[Integer.parseInt(row[0])] = row[1];
        }
        NAMES[THREAD_NAME] = "THREAD_NAME";
        NAMES[ARG_WATCH] = "ARG_WATCH";
        NAMES[VAR_WATCH] = "VAR_WATCH";
    }

    /** True for the types this reader knows; others are skipped as the format asks (newer minor versions). */
    public static boolean isKnown(int type) {
        return type > 0 && type < NAMES.length && NAMES[type] != null;
    }

    public static String name(int type) {
        return isKnown(type) ? NAMES[type] : "TYPE_" + type;
    }

    public static String phaseName(int phase) {
        return switch (phase) {
            case POINT -> "point";
            case ENTER -> "enter";
            case EXIT -> "exit";
            case CALL -> "call";
            default -> "phase" + phase;
        };
    }

    /** Signal names for messages; numbers as on Linux x86-64. */
    public static String signalName(int signo) {
        return switch (signo) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 10 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 12 -> "SIGUSR2";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            case 17 -> "SIGCHLD";
            default -> "signal " + signo;
        };
    }

    public static final int SIGCHLD = 17;
}
