package interleave.engine.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One process image: one pid from its start, fork or exec to its exit or exec; key (pid, start). Its threads (the
 * main thread first), the program it runs, its links to the parent and to the images before and after an exec, and
 * how it ended.
 */
public final class ExecProcess {
    public enum Origin {
        /** program start, or a parent that was not traced */
        START,
        /** forked by a traced parent */
        FORK,
        /** the program an exec of a traced image started */
        EXEC
    }

    private final int pid;
    private final long startNs;
    final List<ExecThread> threads = new ArrayList<>();
    Origin origin = Origin.START;
    ExecProcess parent, execPredecessor, execSuccessor;
    final List<ExecProcess> children = new ArrayList<>();
    ExecThread forkingThread;
    Span forkSpan;
    long forkRequestTs = -1;
    String exe = "";
    List<String> argv = List.of();
    Instant exitInstant;
    Exit exit = Exit.RUNNING_NOW;
    final Map<Long, List<Instant>> reapsByPid = new HashMap<>();
    final Map<Long, List<Instant>> releasesByHandle = new HashMap<>();
    final Map<Long, Lock> locks = new HashMap<>();
    /** Summaries of many locks by call site, keyed "type@site". */
    final Map<String, LockGroup> lockGroups = new java.util.LinkedHashMap<>();
    final Map<Long, WatchedVariable> watched = new java.util.LinkedHashMap<>();
    /** Descriptors of reads, writes, receives and sends counted instead of kept as spans. */
    final java.util.Set<Long> countedDescriptors = new java.util.HashSet<>();
    int version;

    ExecProcess(int pid, long startNs) {
        this.pid = pid;
        this.startNs = startNs;
    }

    public int pid() {
        return pid;
    }

    /** Monotonic ns when the image started (the key with the pid: pids are reused). */
    public long startNs() {
        return startNs;
    }

    /**
     * The descriptors the process read, wrote, received or sent on in calls the model counted instead of keeping as
     * spans ({@link ExecutionModel#budget()}): with the subjects of its read/write/recv/send spans, every descriptor
     * it did I/O on. Empty when every call is a span.
     */
    public java.util.Set<Long> countedDescriptors() {
        return Collections.unmodifiableSet(countedDescriptors);
    }

    /** Its threads: the main thread first, then by first event. */
    public List<ExecThread> threads() {
        return Collections.unmodifiableList(threads);
    }

    public Optional<ExecThread> mainThread() {
        return threads.stream().filter(ExecThread::isMain).findFirst();
    }

    public Origin origin() {
        return origin;
    }

    public Optional<ExecProcess> parent() {
        return Optional.ofNullable(parent);
    }

    /** Images forked by this one, by start. */
    public List<ExecProcess> children() {
        return Collections.unmodifiableList(children);
    }

    public Optional<ExecProcess> execPredecessor() {
        return Optional.ofNullable(execPredecessor);
    }

    public Optional<ExecProcess> execSuccessor() {
        return Optional.ofNullable(execSuccessor);
    }

    /** The image at the end of this one's exec chain (itself when it did not exec). */
    public ExecProcess lastImage() {
        ExecProcess p = this;
        while (p.execSuccessor != null) {
            p = p.execSuccessor;
        }
        return p;
    }

    /** The parent's thread that forked this one. */
    public Optional<ExecThread> forkingThread() {
        return Optional.ofNullable(forkingThread);
    }

    /** The parent's fork call that returned this child's pid, if seen. */
    public Optional<Span> forkSpan() {
        return Optional.ofNullable(forkSpan);
    }

    /** When the parent asked to fork (the child knows it), else the image start. */
    public long forkRequestTs() {
        return forkRequestTs >= 0 ? forkRequestTs : startNs;
    }

    /** Whether the child recorded when its parent asked to fork (else {@link #forkRequestTs()} is the image start). */
    public boolean forkRequestSeen() {
        return forkRequestTs >= 0;
    }

    /** The executable's path, "" if unknown (a forked child runs its parent's). */
    public String exe() {
        return exe;
    }

    public List<String> argv() {
        return argv;
    }

    /** Short command name: the file name of the path it was started as ({@link ProgramPath}), else "?". */
    public String command() {
        return ProgramPath.command(exe, argv);
    }

    public Exit exit() {
        return exit;
    }

    /** The instant the image ended on purpose (exit), if any. */
    public Optional<Instant> exitInstant() {
        return Optional.ofNullable(exitInstant);
    }

    public long firstTs() {
        return threads.stream().mapToLong(ExecThread::firstTs).min().orElse(startNs);
    }

    public long lastTs() {
        return threads.stream().mapToLong(ExecThread::lastTs).max().orElse(startNs);
    }

    /** When the image ended: its exit, or its last event (killed, exec'd, or running when the trace stops). */
    public long endTs() {
        return exitInstant != null ? exitInstant.ts() : lastTs();
    }

    /** Reaps of a child by this process (any thread; each thread's in time order). */
    public List<Instant> reapsOf(long childPid) {
        List<Instant> l = reapsByPid.get(childPid);
        return l == null ? List.of() : Collections.unmodifiableList(l);
    }

    /** The first reap of that pid at or after {@code ts}, or null. */
    public Instant reapOf(long childPid, long ts) {
        Instant best = null;
        for (Instant i : reapsOf(childPid)) {
            if (i.ts() >= ts && (best == null || i.ts() < best.ts())) {
                best = i;
            }
        }
        return best;
    }

    /** Successful joins and detaches naming a thread handle, by any thread. */
    public List<Instant> releasesOf(long handle) {
        List<Instant> l = releasesByHandle.get(handle);
        return l == null ? List.of() : Collections.unmodifiableList(l);
    }

    public Optional<Lock> lock(long address) {
        return Optional.ofNullable(locks.get(address));
    }

    public List<Lock> locks() {
        List<Lock> out = new ArrayList<>(locks.values());
        out.sort((a, b) -> Long.compareUnsigned(a.address(), b.address()));
        return out;
    }

    /** Locks the source summarized by call site because there were many (see {@link LockGroup}). */
    public List<LockGroup> lockGroups() {
        return List.copyOf(lockGroups.values());
    }

    /** The variables watched in this process, in the order first seen. */
    public List<WatchedVariable> watched() {
        return List.copyOf(watched.values());
    }

    /** The earliest signal-handler span of its threads that was still open at the end, or null. */
    public Span stuckHandler() {
        Span best = null;
        for (ExecThread t : threads) {
            for (Span s : t.open) {
                if (s.kind().equals(Kinds.SIGNAL_HANDLER) && (best == null || s.start() < best.start())) {
                    best = s;
                }
            }
        }
        return best;
    }

    public int version() {
        return version;
    }

    @Override
    public String toString() {
        return "process " + pid + " " + command() + " (image " + startNs + ")";
    }
}
