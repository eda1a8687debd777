package interleave.engine.tests.events;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import interleave.engine.detectors.DynamicDetector;
import interleave.engine.detectors.Locations;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Memory;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Span;
import interleave.engine.events.Status;
import interleave.engine.finding.Finding;

/**
 * Event streams written by hand, in the model's neutral terms, for detector tests that need no recorded run. Times
 * are milliseconds (turned into ns); each thread's events must be given in time order, as a source would.
 */
public final class Synthetic {
    public static final long MS = 1_000_000;
    private final ModelBuilder b = new ModelBuilder();
    private long ref;

    public ExecProcess process(int pid, long startMs, String exe) {
        ExecProcess p = b.process(pid, startMs * MS);
        b.program(p, "/bin/" + exe, List.of(exe));
        return p;
    }

    public ExecThread main(ExecProcess p) {
        ExecThread t = b.thread(p, p.pid() + "-" + p.pid() + "@" + p.startNs(), p.pid(), true, 0x7f00L + p.pid());
        event(t, p.startNs() / MS);
        return t;
    }

    /** A thread of p created by {@code creator} at {@code ms} through the create call {@code createId}. */
    public ExecThread thread(ExecProcess p, int tid, long handle, ExecThread creator, long createId) {
        ExecThread t = b.thread(p, p.pid() + "-" + tid, tid, false, handle);
        b.createdBy(t, creator.tid(), createId);
        return t;
    }

    private void event(ExecThread t, long ms) {
        b.event(t, ms * MS);
    }

    public Span enter(ExecThread t, long ms, String kind, long subject, long site) {
        return enter(t, ms, kind, kind, subject, site, 0, 0);
    }

    public Span enter(ExecThread t, long ms, String kind, String name, long subject, long site, long code, int flags) {
        event(t, ms);
        return b.enter(t, ms * MS, kind, name, subject, site, code, flags, ref++);
    }

    public Span exit(ExecThread t, long ms, String kind, long result) {
        event(t, ms);
        return b.exit(t, ms * MS, kind, result, 0, 0, 0x400000 + ms, ref++);
    }

    public void instant(ExecThread t, long ms, String kind, long subject, long result, int err) {
        event(t, ms);
        b.instant(t, ms * MS, kind, subject, result, err, 0, 0x500000 + ms, ref++);
    }

    /** The parent's thread forks at ms; the child starts 1 ms later (its main thread's first event). */
    public ExecProcess fork(ExecThread parent, long ms, int childPid) {
        enter(parent, ms, Kinds.FORK, 0, 0x401000);
        ExecProcess child = b.process(childPid, (ms + 1) * MS);
        b.forkedFrom(child, parent.pid(), parent.process().startNs(), parent.tid(), ms * MS);
        exit(parent, ms + 1, Kinds.FORK, childPid);
        main(child);
        return child;
    }

    public void exitProcess(ExecThread t, long ms, int status) {
        instant(t, ms, Kinds.PROCESS_EXIT, status, 0, 0);
    }

    /** A wait in t from ms to ms2 that returned the child's pid. */
    public void reap(ExecThread t, long ms, long ms2, int pid) {
        enter(t, ms, Kinds.PROCESS_WAIT, "waitpid", -1, 0x402000, 0, 0);
        exit(t, ms2, Kinds.PROCESS_WAIT, pid);
        instant(t, ms2, Kinds.REAP, pid, 0, 0);
    }

    /** {@code creator} creates {@code created} at ms (call site {@code site}); the new thread starts at ms + 1. */
    public void create(ExecThread creator, long ms, ExecThread created, long createId, long site, boolean detached) {
        event(creator, ms);
        b.enter(creator, ms * MS, Kinds.THREAD_CREATE, "pthread_create", createId, site, 0x403000, 0, ref++);
        event(created, ms + 1);
        b.instant(created, (ms + 1) * MS, Kinds.THREAD_START, 0x403000, 0, 0, 0, 0, ref++);
        event(creator, ms + 1);
        b.exit(creator, (ms + 1) * MS, Kinds.THREAD_CREATE, created.handle(), 0,
                detached ? Span.CREATED_DETACHED : 0, site, ref++);
    }

    /** t takes lock m at ms (it was free). */
    public void lock(ExecThread t, long ms, long m, long site) {
        event(t, ms);
        b.call(t, ms * MS, ms * MS, "lock", "pthread_mutex_lock", m, 0, 0, 0, site, ref++);
        b.acquired(t, ms * MS, m, site, false);
    }

    public void unlock(ExecThread t, long ms, long m) {
        instant(t, ms, "unlock", m, 0, 0);
        b.released(t, ms * MS, m);
    }

    /** t asks for {@code taken} at ms while holding {@code held} (an order edge). */
    public void edge(ExecThread t, long ms, long held, long heldSite, long taken, long takenSite) {
        event(t, ms);
        b.lockEdge(t, ms * MS, held, heldSite, 0, taken, takenSite, 0);
        b.acquired(t, ms * MS, held, heldSite, true);
    }

    /** t blocks on m at ms; {@code holderTid} 0 = the source did not say who held it. */
    public Span waitFor(ExecThread t, long ms, long m, int holderTid, long site) {
        event(t, ms);
        return b.enterLockWait(t, ms * MS, m, holderTid, site, 0, ref++);
    }

    /** t got m at ms after waiting. */
    public void gotIt(ExecThread t, long ms, long m) {
        exit(t, ms, Kinds.LOCK_WAIT, 0);
        b.acquired(t, ms * MS, m, 0x404000, false);
    }

    /**
     * {@code creator} creates {@code created} at ms, passing a pointer to {@code arg} that held {@code atCreate}
     * then and {@code atStart} when the new thread started (ms + 1).
     */
    public void createWithArg(ExecThread creator, long ms, ExecThread created, long createId, long site, long arg,
            long atCreate, long atStart) {
        event(creator, ms);
        Span s = b.enter(creator, ms * MS, Kinds.THREAD_CREATE, "pthread_create", createId, site, 0x403000, 0,
                ref++);
        b.carry(s, new Memory(arg, atCreate, 8));
        event(created, ms + 1);
        b.instant(created, (ms + 1) * MS, Kinds.THREAD_START, 0x403000, arg, 0, 0, 0, ref++, new Memory(arg, atStart,
                8));
        event(creator, ms + 1);
        b.exit(creator, (ms + 1) * MS, Kinds.THREAD_CREATE, created.handle(), 0, 0, site, ref++);
    }

    /** The thread's first access to watched bytes at ms: a load of {@code value} by the instruction at pc. */
    public void firstRead(ExecThread t, long ms, long address, long value, long pc) {
        event(t, ms);
        b.instant(t, ms * MS, Kinds.WATCH_READ, address, value, 0, 0, pc, ref++, new Memory(address, value, 4));
    }

    /** t accepts a connection on fd at ms (the call returns at ms + 1). */
    public void accept(ExecThread t, long ms, long fd, long site) {
        enter(t, ms, Kinds.ACCEPT, 3, site);
        event(t, ms + 1);
        b.exit(t, (ms + 1) * MS, Kinds.ACCEPT, fd, 0, 0, site, ref++);
    }

    public void close(ExecThread t, long ms, long fd) {
        event(t, ms);
        b.call(t, ms * MS, ms * MS, Kinds.CLOSE, "close", fd, 0, 0, 0, 0x405000, ref++);
    }

    /** t loads ({@code write} false) or stores the watched variable at ms, holding {@code held}. */
    public void access(ExecThread t, long ms, long address, boolean write, long value, long insn, long... held) {
        event(t, ms);
        b.watchAccess(t, ms * MS, address, write ? Kinds.WATCH_WRITTEN : Kinds.WATCH_READ, value, insn, insn + 4,
                ref++);
        b.watchHeld(t, held);
    }

    public void watch(ExecThread t, long ms, long address, String name) {
        event(t, ms);
        b.watchArmed(t, address, name, 4, 0, true);
    }

    public ModelBuilder builder() {
        return b;
    }

    /** Ends the run (completed) and returns the model. */
    public ExecutionModel done() {
        b.finish(Status.COMPLETED, Long.MIN_VALUE);
        return b.model();
    }

    /** Ends the run at {@code endMs} (a hung program's last moment) and returns the model. */
    public ExecutionModel doneAt(long endMs) {
        b.finish(Status.COMPLETED, endMs * MS);
        return b.model();
    }

    public static List<Finding> run(DynamicDetector d, ExecutionModel m) {
        List<Finding> out = new ArrayList<>();
        Consumer<Finding> sink = out::add;
        d.detect(m, Locations.addressesOnly(m), sink);
        return out;
    }
}
