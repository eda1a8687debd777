package interleave.engine.events;

/**
 * What a thread was inside from {@link #start()} to {@link #end()}: a call (accept, read, a wait for a lock or a
 * child), or a signal handler. Spans nest: {@link #parent()} is the span that was open when this one began. A span
 * whose end was not seen yet is {@link #RUNNING}: still open while the run goes on, never closed if the run ended
 * (the call never returned).
 */
public final class Span {
    /** {@link #end()} of a span still open. */
    public static final long RUNNING = Long.MAX_VALUE;
    /** Flags of a signal-handler span: the signal interrupted stdio code / heap code (when the source knows). */
    public static final int IN_STDIO = 1, IN_HEAP = 2;
    /** Flag of a thread-create span: the new thread was created detached. */
    public static final int CREATED_DETACHED = 4;

    private final ExecThread thread;
    private final String kind, name;
    private final long start, subject, site, code, ref;
    private final int depth;
    int flags;
    private final Span parent;
    long end = RUNNING, result, endSite, endRef = -1, caller, peer;
    int err;
    int version;
    Memory memory;
    int cpu = -1, endCpu = -1;
    Attributes attributes = Attributes.NONE;

    Span(ExecThread thread, String kind, String name, long start, long subject, long site, long code, int flags,
            long ref, Span parent, int version) {
        this.thread = thread;
        this.kind = kind;
        this.name = name;
        this.start = start;
        this.subject = subject;
        this.site = site;
        this.code = code;
        this.flags = flags;
        this.ref = ref;
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.version = version;
    }

    public ExecThread thread() {
        return thread;
    }

    /** What the thread was inside, from an open set ({@link Kinds}). */
    public String kind() {
        return kind;
    }

    /** The function as the program called it ("printf", "calloc", "waitpid"); the kind when nothing finer. */
    public String name() {
        return name;
    }

    public long start() {
        return start;
    }

    /** When it ended, or {@link #RUNNING}. */
    public long end() {
        return end;
    }

    public boolean running() {
        return end == RUNNING;
    }

    /** The object of the call: a descriptor, a lock's address, a signal number, a pid argument; 0 if none. */
    public long subject() {
        return subject;
    }

    /** Code address of the call site (a return address), or of the interrupted instruction for a handler; 0. */
    public long site() {
        return site;
    }

    /** Code the span runs, when it is not the caller's: a handler's or a start routine's address; 0. */
    public long code() {
        return code;
    }

    /** The result of the call once ended (a descriptor, a pid, a count); 0 while running. */
    public long result() {
        return result;
    }

    /** The error it returned (errno or the pthread error number), 0 for success. */
    public int err() {
        return err;
    }

    /** Code address of the end record's call site, 0 if none. */
    public long endSite() {
        return endSite;
    }

    public int flags() {
        return flags;
    }

    /** The call site one frame further up (the caller of a lock helper), when the source found it; 0. */
    public long caller() {
        return caller;
    }

    /**
     * Who else the span involves: for a lock wait the holder's tid when the wait began, for a signal handler the pid
     * of the process that sent the signal; 0 if unknown.
     */
    public long peer() {
        return peer;
    }

    /** Memory the call carried: the bytes at pthread_create's argument when it was called. */
    public java.util.Optional<Memory> memory() {
        return java.util.Optional.ofNullable(memory);
    }

    /** Named details of the call ({@link Attributes}: a read's buffer and count, a poll's timeout, ...); never null. */
    public Attributes attributes() {
        return attributes;
    }

    /** The CPU the thread ran on when the span began, -1 if the source does not know. */
    public int cpu() {
        return cpu;
    }

    /** The CPU the thread ran on when the span ended, -1 if unknown or not ended. */
    public int endCpu() {
        return endCpu;
    }

    /** The span that was open around this one when it began, or null. */
    public Span parent() {
        return parent;
    }

    public int depth() {
        return depth;
    }

    /** The source's reference of the record that began it (for the agent: the record's slot in its file). */
    public long ref() {
        return ref;
    }

    /** The source's reference of the record that ended it, -1 if none. */
    public long endRef() {
        return endRef;
    }

    /** The model version in which it was added or last changed (ended). */
    public int version() {
        return version;
    }

    /** The nearest enclosing span (this one included) of the given kind, or null. */
    public Span enclosing(String k) {
        for (Span s = this; s != null; s = s.parent) {
            if (s.kind.equals(k)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return kind + (name.equals(kind) ? "" : "(" + name + ")") + " " + start + ".."
                + (running() ? "running" : Long.toString(end)) + " subject=" + subject + " result=" + result + " err="
                + err + " site=0x" + Long.toHexString(site) + (code == 0 ? "" : " code=0x" + Long.toHexString(code))
                + (flags == 0 ? "" : " flags=" + flags) + (caller == 0 ? "" : " caller=0x" + Long.toHexString(caller))
                + (peer == 0 ? "" : " peer=" + peer) + (memory == null ? "" : " " + memory) + " depth=" + depth
                + (cpu < 0 && endCpu < 0 ? "" : " cpu=" + cpu + "/" + endCpu)
                + (attributes.isEmpty() ? "" : " " + attributes);
    }
}
