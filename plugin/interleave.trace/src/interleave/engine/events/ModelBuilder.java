package interleave.engine.events;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fills an {@link ExecutionModel} from a source's events, in neutral terms, and derives once what every reader needs:
 * calls paired into spans (an end closes the innermost open span of its kind), lock waits and counts per lock,
 * reaps, joins and detaches indexed by what they name, and the links between processes and threads (fork, exec,
 * creation, names), resolved at the end of each refresh and retried while the other side has not been read yet.
 * Events of one thread must come in time order; a source that finds an earlier event later {@link #reset}s the thread
 * and feeds it again.
 */
public final class ModelBuilder {
    private final ExecutionModel m = new ExecutionModel();
    private int current = 1;
    private boolean changed;
    /** Something besides plain I/O changed in this refresh ({@link ExecutionModel#lifecycleVersion()}). */
    private boolean lifecycle;

    private record ForkLink(int parentPid, long parentStartNs, int parentTid, long requestTs) {
    }

    private record Creation(int creatorTid, long createId) {
    }

    private record Named(ExecThread by, long ts, long handle, String name) {
    }

    private final Map<ExecProcess, ForkLink> forks = new LinkedHashMap<>();
    private final Set<ExecProcess> forksDone = new HashSet<>();
    private final Set<ExecProcess> execStarts = new LinkedHashSet<>();
    private final Map<ExecProcess, Integer> ppids = new HashMap<>();
    private final Set<ExecProcess> ppidLinked = new HashSet<>();
    private final Map<ExecThread, Creation> creations = new LinkedHashMap<>();
    private final Map<ExecProcess, Map<Long, Span>> createsById = new HashMap<>();
    private final Map<ExecProcess, Map<Long, List<Span>>> forksByChild = new HashMap<>();
    private final Map<ExecProcess, List<Named>> names = new HashMap<>();
    private final Set<ExecProcess> dirty = new LinkedHashSet<>();
    private final Map<ExecThread, WatchedVariable.Access> lastAccess = new HashMap<>();
    private final Map<ExecProcess, Map<Integer, List<ExecThread>>> tids = new HashMap<>();

    public ExecutionModel model() {
        return m;
    }

    /**
     * Keep at most about that many spans and instants: past it, plain I/O calls (reads, writes, receives, sends,
     * selects, polls, epoll waits) that closed with nothing inside them are counted per thread and kind instead of
     * kept as spans ({@link ExecThread#countedCalls()}, {@link ExecProcess#countedDescriptors()}). Everything else is
     * still kept: the budget bounds the model of a long run of I/O, not of every run. 0 or less: no limit (the
     * default). Set it before feeding; a live view should not use it (a span it showed could turn into a count).
     */
    public ModelBuilder budget(long events) {
        m.budget = events <= 0 ? Long.MAX_VALUE : events;
        return this;
    }

    /** The calls that may be counted rather than kept past the budget: no lifecycle meaning, read only as I/O. */
    private static final Set<String> PLAIN_IO = Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND,
            Kinds.SELECT, Kinds.POLL, Kinds.EPOLL_WAIT);
    /** Of those, the calls whose subject is a descriptor the process worked with (a poll's is only its first). */
    private static final Set<String> ON_DESCRIPTOR = Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND);

    /**
     * Past the budget, counts the thread's last span instead of keeping it, if it is a plain I/O call that ended with
     * nothing inside it (a handler that interrupted it keeps it a span: detectors walk handlers' parents). Reads that
     * returned end-of-file, and writes after one on the same descriptor until it is closed, are always kept: they tell
     * who closed a connection first (one or two calls per connection).
     */
    private void countIfOverBudget(ExecThread t, Span s) {
        if (s.running()) {
            return;
        }
        boolean endOfFile = (s.kind().equals(Kinds.READ) || s.kind().equals(Kinds.RECV)) && s.result() == 0;
        if (endOfFile) {
            if (t.atEndOfFile == null) {
                t.atEndOfFile = new HashSet<>();
            }
            t.atEndOfFile.add(s.subject());
            return;
        }
        if (t.atEndOfFile != null && !t.atEndOfFile.isEmpty()) {
            if (s.kind().equals(Kinds.CLOSE)) {
                t.atEndOfFile.remove(s.subject());
            } else if ((s.kind().equals(Kinds.WRITE) || s.kind().equals(Kinds.SEND))
                    && t.atEndOfFile.contains(s.subject())) {
                return;
            }
        }
        if (m.kept <= m.budget || !PLAIN_IO.contains(s.kind()) || s.memory != null
                || t.spans.isEmpty() || t.spans.get(t.spans.size() - 1) != s) {
            return;
        }
        t.spans.remove(t.spans.size() - 1);
        m.kept--;
        m.counted++;
        t.counted.computeIfAbsent(s.kind(), CountedCalls::new).add(s);
        if (ON_DESCRIPTOR.contains(s.kind())) {
            t.process.countedDescriptors.add(s.subject());
        }
    }

    // ------------------------------------------------------------------ entities

    /** The process image of that key, created on first use. */
    public ExecProcess process(int pid, long startNs) {
        ExecProcess p = m.byKey.get(ExecutionModel.key(pid, startNs));
        if (p == null) {
            p = new ExecProcess(pid, startNs);
            m.byKey.put(ExecutionModel.key(pid, startNs), p);
            m.processes.add(p);
            touch(p);
        }
        return p;
    }

    /** The thread the source reads from {@code source}, created on first use. */
    public ExecThread thread(ExecProcess p, String source, int tid, boolean main, long handle) {
        ExecThread t = m.bySource.get(source);
        if (t == null) {
            t = new ExecThread(p, source, tid, main);
            t.handle = handle;
            m.bySource.put(source, t);
            p.threads.add(t);
            touch(t);
        }
        return t;
    }

    public void program(ExecProcess p, String exe, List<String> argv) {
        if (exe != null && !exe.isEmpty()) {
            p.exe = exe;
        }
        if (argv != null && !argv.isEmpty()) {
            p.argv = List.copyOf(argv);
        }
        touch(p);
    }

    // ------------------------------------------------------------------ events of one thread, in time order

    /** Counts one record of the thread (modelled or not) and its time, with its CPU ({@link #onCpu}) if known. */
    public void event(ExecThread t, long ts, boolean entersCall) {
        if (t.cpuNow >= 0 && m.kept >= m.budget) {
            // 12 bytes an event, read only by the workbench's threads-against-cores lanes (it builds without a
            // budget): past the budget they are counted, the spans and instants kept still carry their CPU
            t.cpuLeftOut++;
            m.cpuSamplesLeftOut++;
        } else if (t.cpuNow >= 0) {
            if (t.cpuCount == t.cpuTs.length) {
                int n = Math.max(16, t.cpuCount * 2);
                t.cpuTs = java.util.Arrays.copyOf(t.cpuTs, n);
                t.cpuWord = java.util.Arrays.copyOf(t.cpuWord, n);
            }
            t.cpuTs[t.cpuCount] = ts;
            t.cpuWord[t.cpuCount++] = t.cpuNow | (entersCall ? ExecThread.ENTERING : 0);
        }
        event(t, ts);
    }

    /** Counts one record of the thread (modelled or not) and its time. */
    public void event(ExecThread t, long ts) {
        t.events++;
        m.eventCount++;
        t.firstTs = Math.min(t.firstTs, ts);
        t.lastTs = Math.max(t.lastTs, ts);
        touchIo(t);
    }

    /** The CPU the thread runs on for the events fed next (-1: unknown), as the source read it. */
    public void onCpu(ExecThread t, int cpu) {
        t.cpuNow = cpu;
    }

    /** A named detail of a call ({@link Attributes}); a Long or a String, null removes it. */
    public void attribute(Span s, String key, Object value) {
        if (s.attributes == Attributes.NONE) {
            if (value == null) {
                return;
            }
            s.attributes = new Attributes();
        } else if (s.attributes.shared) {
            s.attributes = s.attributes.copy();
        }
        s.attributes.put(key, value);
        late(s.thread(), s.version);
        s.version = current;
        touch(s.thread(), PLAIN_IO.contains(s.kind()));
    }

    /**
     * Named details of a call at once, as key, value, key, value... (values Long or String, never null). Equal sets
     * are shared between spans: a loop's reads carry the same buffer and count, and a million reads must not carry a
     * million copies.
     */
    public void attributes(Span s, Object... kv) {
        if (s.attributes != Attributes.NONE) {
            for (int i = 0; i + 1 < kv.length; i += 2) {
                attribute(s, (String) kv[i], kv[i + 1]);
            }
            return;
        }
        List<Object> key = java.util.Arrays.asList(kv);
        Attributes a = sharedAttributes.get(key);
        if (a == null) {
            a = new Attributes();
            for (int i = 0; i + 1 < kv.length; i += 2) {
                a.put((String) kv[i], kv[i + 1]);
            }
            a.shared = true;
            if (sharedAttributes.size() >= SHARED_ATTRIBUTES) {
                sharedAttributes.clear(); // buffers that vary: keep the table small rather than complete
            }
            sharedAttributes.put(key, a);
        }
        s.attributes = a;
        late(s.thread(), s.version);
        s.version = current;
        touch(s.thread(), PLAIN_IO.contains(s.kind()));
    }

    private static final int SHARED_ATTRIBUTES = 4096;
    private final Map<List<Object>, Attributes> sharedAttributes = new HashMap<>();

    /** A named detail of an instant made {@code withAttributes}. */
    public void attribute(Instant i, String key, Object value) {
        i.attributes().put(key, value);
        late(i.thread(), i.version());
        touch(i.thread());
    }

    /** A detail of something made in an earlier refresh (a string read in a later record): say so on its thread. */
    private void late(ExecThread t, int madeIn) {
        if (madeIn < current) {
            t.lateVersion = current;
        }
    }

    /** A call or a handler begins: a span opens, nested in the innermost open one. */
    public Span enter(ExecThread t, long ts, String kind, String name, long subject, long site, long code, int flags,
            long ref) {
        Span parent = t.open.isEmpty() ? null : t.open.get(t.open.size() - 1);
        Span s = new Span(t, kind, name == null ? kind : name, ts, subject, site, code, flags, ref, parent, current);
        s.cpu = t.cpuNow;
        t.spans.add(s);
        m.kept++;
        t.open.add(s);
        touch(t, PLAIN_IO.contains(kind));
        switch (kind) {
            case Kinds.LOCK_WAIT -> lockOf(t.process, subject, "mutex").waits.add(s);
            case Kinds.SEM_WAIT -> lockOf(t.process, subject, "semaphore").waits.add(s);
            case Kinds.THREAD_CREATE -> createsById.computeIfAbsent(t.process, k -> new HashMap<>()).put(subject, s);
            default -> {
            }
        }
        return s;
    }

    /**
     * A call of that kind returned: closes the innermost open span of the kind, and any opened inside it that never
     * ended (left by longjmp, or their end was not recorded). Returns the span, or null when none was open.
     */
    public Span exit(ExecThread t, long ts, String kind, long result, int err, int flags, long site, long ref) {
        for (int k = t.open.size() - 1; k >= 0; k--) {
            Span s = t.open.get(k);
            if (!s.kind().equals(kind)) {
                continue;
            }
            boolean innerClosed = k < t.open.size() - 1;
            for (int j = t.open.size() - 1; j > k; j--) {
                Span inner = t.open.get(j);
                inner.end = ts;
                inner.version = current;
            }
            t.open.subList(k, t.open.size()).clear();
            close(s, ts, result, err, flags, site, ref);
            touch(t, PLAIN_IO.contains(kind) && !innerClosed);
            countIfOverBudget(t, s);
            if (kind.equals(Kinds.FORK) && result > 0) {
                forksByChild.computeIfAbsent(t.process, x -> new HashMap<>())
                        .computeIfAbsent(result, x -> new ArrayList<>()).add(s);
                dirty.add(t.process);
            }
            return s;
        }
        return null;
    }

    /** A whole call in one record: a span that began and ended ({@code end} = {@code start} if not measured). */
    public Span call(ExecThread t, long ts, long end, String kind, String name, long subject, long result, int err,
            int flags, long site, long ref) {
        Span parent = t.open.isEmpty() ? null : t.open.get(t.open.size() - 1);
        Span s = new Span(t, kind, name == null ? kind : name, ts, subject, site, 0, flags, ref, parent, current);
        s.cpu = t.cpuNow;
        close(s, Math.max(ts, end), result, err, 0, site, ref);
        t.spans.add(s);
        m.kept++;
        touch(t, PLAIN_IO.contains(kind));
        countIfOverBudget(t, s);
        return s;
    }

    private void close(Span s, long ts, long result, int err, int flags, long site, long ref) {
        s.endCpu = s.thread().cpuNow;
        s.end = ts;
        s.result = result;
        s.err = err;
        s.flags |= flags;
        s.endSite = site;
        s.endRef = ref;
        s.version = current;
    }

    /** One moment of the thread; reaps, joins, detaches, exits and thread ends are indexed. */
    public Instant instant(ExecThread t, long ts, String kind, long subject, long result, int err, int flags,
            long site, long ref) {
        return instant(t, ts, kind, subject, result, err, flags, site, ref, null);
    }

    /** An instant that saw memory (a thread's argument at its start, a watched access). */
    public Instant instant(ExecThread t, long ts, String kind, long subject, long result, int err, int flags,
            long site, long ref, Memory memory) {
        return instant(t, ts, kind, subject, result, err, flags, site, ref, memory, false);
    }

    /**
     * An instant that will carry named details ({@link #attribute(Instant, String, Object)}); {@code withAttributes}
     * false shares the empty set.
     */
    public Instant instant(ExecThread t, long ts, String kind, long subject, long result, int err, int flags,
            long site, long ref, Memory memory, boolean withAttributes) {
        Instant i = new Instant(t, kind, ts, subject, result, err, flags, site, ref, current, memory, t.cpuNow,
                withAttributes ? new Attributes() : Attributes.NONE);
        t.instants.add(i);
        m.kept++;
        touch(t);
        index(t, i);
        return i;
    }

    private void index(ExecThread t, Instant i) {
        ExecProcess p = t.process;
        switch (i.kind()) {
            case Kinds.REAP -> p.reapsByPid.computeIfAbsent(i.subject(), k -> new ArrayList<>()).add(i);
            case Kinds.JOIN, Kinds.DETACH -> {
                if (i.err() == 0) {
                    p.releasesByHandle.computeIfAbsent(i.subject(), k -> new ArrayList<>()).add(i);
                }
            }
            case Kinds.PROCESS_EXIT -> {
                if (p.exitInstant == null || i.ts() < p.exitInstant.ts()) {
                    p.exitInstant = i;
                }
            }
            case Kinds.THREAD_END -> {
                if (t.end == null) {
                    t.end = i;
                }
            }
            case Kinds.THREAD_START -> {
                t.startRoutine = i.subject();
                if (t.start == null) {
                    t.start = i;
                }
            }
            default -> {
            }
        }
    }

    /**
     * A thread waits for a lock that was busy: a lock-wait span, with the holder's tid when the source read it from
     * the lock, and the caller of the locking call when it found it.
     */
    public Span enterLockWait(ExecThread t, long ts, long lock, long holderTid, long site, long caller, long ref) {
        return enterLockWait(t, ts, lock, holderTid, site, caller, ref, "pthread_mutex_lock");
    }

    /** A lock wait in a named locking function (pthread_mutex_timedlock, ...). */
    public Span enterLockWait(ExecThread t, long ts, long lock, long holderTid, long site, long caller, long ref,
            String function) {
        Span s = enter(t, ts, Kinds.LOCK_WAIT, function, lock, site, 0, 0, ref);
        s.peer = holderTid;
        s.caller = caller;
        return s;
    }

    /** The variable at that address of the process, watched from now on (first time: created). */
    public WatchedVariable watched(ExecProcess p, long address) {
        touch(p);
        return p.watched.computeIfAbsent(address, a -> new WatchedVariable(p, a));
    }

    /** The watch of a variable was set (or could not be): its name, size and per-thread budget. */
    public void watchArmed(ExecThread t, long address, String name, int bytes, long budget, boolean armed) {
        WatchedVariable v = watched(t.process, address);
        if (v.name == null && name != null && !name.isBlank()) {
            v.name = name;
        }
        v.bytes = bytes;
        if (armed) {
            v.budget = budget;
        }
        touch(t);
    }

    /** The name of a watched variable, when the source learns it late (and none was known). */
    public void nameWatched(ExecProcess p, long address, String name) {
        WatchedVariable v = watched(p, address);
        if (v.name == null && name != null && !name.isBlank()) {
            v.name = name;
        }
    }

    /** One access to a watched variable; the set of held locks may still grow ({@link #watchHeld}). */
    public WatchedVariable.Access watchAccess(ExecThread t, long ts, long address, String kind, long value,
            long instruction, long next, long ref) {
        WatchedVariable.Access a = new WatchedVariable.Access(t, ts, kind, value, instruction, next,
                new java.util.HashSet<>(), ref);
        watched(t.process, address).accesses.add(a);
        lastAccess.put(t, a);
        touch(t);
        return a;
    }

    /** More locks the thread held at its last access to a watched variable. */
    public void watchHeld(ExecThread t, long... locks) {
        WatchedVariable.Access a = lastAccess.get(t);
        if (a != null) {
            for (long l : locks) {
                if (l != 0) {
                    a.held().add(l);
                }
            }
        }
    }

    /** The thread stopped watching the variable; {@code budgetSpent}: accesses after its budget were not seen. */
    public void watchDone(ExecThread t, long address, boolean budgetSpent) {
        watched(t.process, address).budgetSpent.put(t, budgetSpent);
        touch(t);
    }

    /** Attaches the memory a call carried (pthread_create's argument bytes). */
    public void carry(Span s, Memory memory) {
        s.memory = memory;
        touch(s.thread());
    }

    /** The process that sent the signal a handler span runs for (a pid), when the source knows it. */
    public void sentBy(Span handler, long pid) {
        handler.peer = pid;
        touch(handler.thread());
    }

    /** The thread now holds the lock (it acquired it at {@code site}; {@code assumed}: only seen holding it). */
    public void acquired(ExecThread t, long ts, long lock, long site, boolean assumed) {
        Lock l = lockOf(t.process, lock, "mutex");
        if (!assumed) {
            l.op(ts, t, true);
        }
        if (assumed) {
            t.held.putIfAbsent(lock, new long[] {ts, site});
        } else {
            t.held.put(lock, new long[] {ts, site});
            t.lastAcquiredSite.put(lock, site);
        }
        touch(t);
    }

    /** The thread let the lock go (unlocked it, or a condition wait released it). */
    public void released(ExecThread t, long ts, long lock) {
        lockOf(t.process, lock, "mutex").op(ts, t, false);
        t.held.remove(lock);
        touch(t);
    }

    /**
     * Thread {@code tid} of the process released the lock at {@code ts}, as the thread it handed the lock to
     * reported (the releaser's own trace has no event for it); resolved to the thread when the model is finished.
     */
    public void releasedBy(ExecProcess p, int tid, long ts, long lock) {
        lockOf(p, lock, "mutex").reportedReleases.add(new long[] {tid, ts});
        touch(p);
    }

    /** An order edge of one thread with its call sites: what makes two edges the same. */
    private record EdgeKey(ExecThread thread, long held, long heldSite, long heldCaller, long taken, long takenSite,
            long takenCaller) {
    }

    /**
     * Edges given so far. A source may give the same edge again: agents before format 1.5 remembered the edges they
     * wrote in a small per-thread table, so a program with thousands of locks (memcached's item locks) made them write
     * one edge millions of times (1.5 writes each once per thread, but a process's threads each write theirs). The
     * first of each is what the detectors use; the copies would only take memory.
     */
    private final Set<EdgeKey> edgesSeen = new HashSet<>();

    /** A thread asked for lock {@code taken} while holding {@code held}. */
    public void lockEdge(ExecThread t, long ts, long held, long heldSite, long heldCaller, long taken, long takenSite,
            long takenCaller) {
        if (!edgesSeen.add(new EdgeKey(t, held, heldSite, heldCaller, taken, takenSite, takenCaller))) {
            touch(t);
            return;
        }
        lockOf(t.process, held, "mutex");
        lockOf(t.process, taken, "mutex").edgesIn
                .add(new Lock.Edge(t, ts, held, heldSite, heldCaller, taken, takenSite, takenCaller));
        touch(t);
    }

    /** Counts of a lock's work that the source summarized instead of recording each event. */
    public void lockCounts(ExecThread t, long address, String type, long acquisitions, long contended,
            long failedTries, long holdNs, long longestHoldNs) {
        lockOf(t.process, address, type).addCounts(acquisitions, contended, failedTries, holdNs, longestHoldNs);
        touch(t);
    }

    /**
     * Waits and hand-offs of a lock that the source counted instead of recording each one: {@code waits} short waits
     * (included in {@link #lockCounts}' contended ones) lasting {@code waitNs} in total, the longest
     * {@code longestWaitNs}, and {@code handoffs} releases to a waiter recorded as no event.
     */
    public void lockWaitCounts(ExecThread t, long address, String type, long waits, long waitNs, long longestWaitNs,
            long handoffs) {
        lockOf(t.process, address, type).addWaitCounts(waits, waitNs, longestWaitNs, handoffs);
        touch(t);
    }

    /**
     * Counts of many locks taken at one call site that the source summarized together (one thread, one window):
     * {@code locks} locks between {@code lowest} and {@code highest} (given by {@link #lockGroupRange}).
     */
    public void lockGroupCounts(ExecThread t, long site, String type, long acquisitions, long contended,
            long failedTries, long holdNs, long longestHoldNs) {
        lockGroupOf(t.process, site, type).addCounts(acquisitions, contended, failedTries, holdNs, longestHoldNs);
        touch(t);
    }

    /** Counted waits and hand-offs of a summarized group, as {@link #lockWaitCounts} for one lock. */
    public void lockGroupWaitCounts(ExecThread t, long site, String type, long waits, long waitNs,
            long longestWaitNs, long handoffs) {
        lockGroupOf(t.process, site, type).addWaitCounts(waits, waitNs, longestWaitNs, handoffs);
        touch(t);
    }

    /** Which locks one summary of the group covered: how many, lowest and highest address. */
    public void lockGroupRange(ExecThread t, long site, String type, long lowest, long highest, long locks) {
        LockGroup g = lockGroupOf(t.process, site, type);
        if (g.summaries++ == 0 || Long.compareUnsigned(lowest, g.lowest) < 0) {
            g.lowest = lowest;
        }
        if (Long.compareUnsigned(highest, g.highest) > 0) {
            g.highest = highest;
        }
        g.mostLocks = Math.max(g.mostLocks, locks);
        touch(t);
    }

    private LockGroup lockGroupOf(ExecProcess p, long site, String type) {
        return p.lockGroups.computeIfAbsent(type + "@" + site, k -> new LockGroup(p, site, type));
    }

    /** The lock of that identity in the process, created on first use. */
    public Lock lockOf(ExecProcess p, long address, String type) {
        return p.locks.computeIfAbsent(address, a -> new Lock(p, a, type));
    }

    public void nameLock(ExecProcess p, long address, String name) {
        Lock l = p.locks.get(address);
        if (l != null) {
            l.name = name;
        }
    }

    // ------------------------------------------------------------------ links, resolved in finish()

    /** The image was forked by that parent's thread; {@code requestTs} when the parent asked (or -1). */
    public void forkedFrom(ExecProcess child, int parentPid, long parentStartNs, int parentTid, long requestTs) {
        child.origin = ExecProcess.Origin.FORK;
        child.forkRequestTs = requestTs > 0 ? requestTs : -1;
        forks.put(child, new ForkLink(parentPid, parentStartNs, parentTid, requestTs));
        touch(child);
    }

    /** The image started a program (maybe by exec of an earlier image of the same pid). */
    public void programStarted(ExecProcess p) {
        execStarts.add(p);
    }

    /** The parent pid the image had when it started (links a program started by an untraced exec path). */
    public void parentPid(ExecProcess p, int ppid) {
        ppids.put(p, ppid);
    }

    /** The thread was created by the process's thread {@code creatorTid}, by the create call of {@code createId}. */
    public void createdBy(ExecThread t, int creatorTid, long createId) {
        creations.put(t, new Creation(creatorTid, createId));
        dirty.add(t.process);
    }

    /** A thread named the thread of {@code handle} (maybe itself). */
    public void named(ExecThread by, long ts, long handle, String name) {
        names.computeIfAbsent(by.process, k -> new ArrayList<>()).add(new Named(by, ts, handle, name));
        touch(by);
    }

    /** The events the source knows it lost so far (a total, not an increment). */
    public void lostEvents(long total) {
        if (m.lostEvents != total) {
            m.lostEvents = total;
            changed = true;
        }
    }

    public void problems(List<String> problems) {
        if (!problems.equals(m.problems)) {
            m.problems.clear();
            m.problems.addAll(problems);
            changed = true;
        }
    }

    /**
     * Drops everything derived for the process's threads, so the source can feed all their events again in order
     * (it found a record older than one it had fed: slots are committed out of order now and then).
     */
    public void reset(ExecProcess p) {
        for (ExecThread t : p.threads) {
            m.eventCount -= t.events;
            t.events = 0;
            m.kept -= t.spans.size() + t.instants.size();
            for (CountedCalls c : t.counted.values()) {
                m.counted -= c.calls;
            }
            t.counted.clear();
            t.atEndOfFile = null;
            t.firstTs = Long.MAX_VALUE;
            t.lastTs = Long.MIN_VALUE;
            t.spans.clear();
            t.instants.clear();
            t.open.clear();
            t.end = null;
            t.start = null;
            t.startRoutine = 0;
            t.held.clear();
            t.lastAcquiredSite.clear();
            t.cpuNow = -1;
            t.cpuCount = 0;
            m.cpuSamplesLeftOut -= t.cpuLeftOut;
            t.cpuLeftOut = 0;
            touch(t);
        }
        p.countedDescriptors.clear();
        p.reapsByPid.clear();
        p.releasesByHandle.clear();
        p.exitInstant = null;
        p.locks.clear();
        p.lockGroups.clear();
        edgesSeen.removeIf(e -> e.thread().process == p); // its edges come again with the rest of its events
        p.watched.clear();
        createsById.remove(p);
        forksByChild.remove(p);
        names.remove(p);
        for (ExecProcess c : p.children) {
            forksDone.remove(c);
        }
        touch(p);
    }

    private void touch(ExecThread t) {
        t.version = current;
        touch(t.process);
    }

    private void touch(ExecProcess p) {
        touchIo(p);
        lifecycle = true;
    }

    /** The thread changed, with only plain I/O ({@link #PLAIN_IO}) or a count of events when {@code io}. */
    private void touch(ExecThread t, boolean io) {
        if (io) {
            touchIo(t);
        } else {
            touch(t);
        }
    }

    /** The thread changed, but only by plain I/O or a count of events: the lifecycle version stays. */
    private void touchIo(ExecThread t) {
        t.version = current;
        touchIo(t.process);
    }

    private void touchIo(ExecProcess p) {
        p.version = current;
        dirty.add(p);
        changed = true;
    }

    /**
     * Ends a refresh: resolves the links, orders processes and threads, and raises the version if anything changed.
     *
     * @param endHint when the source knows the run was stopped (later than its last event), else Long.MIN_VALUE
     * @return true if the model changed
     */
    public boolean finish(Status status, long endHint) {
        if (status != m.status) {
            lifecycle = true;
        }
        if (status != m.status || endHint != m.endHint) {
            changed = true;
        }
        if (!changed) {
            return false;
        }
        m.status = status;
        m.endHint = endHint;
        for (ExecProcess p : dirty) {
            p.threads.sort(Comparator.comparing((ExecThread t) -> !t.isMain()).thenComparingLong(ExecThread::firstTs)
                    .thenComparingInt(ExecThread::tid));
        }
        m.processes.sort(Comparator.comparingLong(ExecProcess::startNs).thenComparingInt(ExecProcess::pid));
        tids.clear();
        linkCreations();
        for (ExecProcess p : dirty) {
            linkNames(p);
            reportedReleases(p);
            holders(p);
            orderWatched(p);
        }
        linkForks();
        linkExecs();
        linkByPpid();
        for (ExecProcess p : m.processes) {
            inheritProgram(p);
            p.children.sort(Comparator.comparingLong(ExecProcess::startNs));
            exitOf(p);
        }
        m.threads.clear();
        long s = Long.MAX_VALUE, e = Long.MIN_VALUE;
        for (ExecProcess p : m.processes) {
            m.threads.addAll(p.threads);
            for (ExecThread t : p.threads) {
                if (t.events > 0) {
                    s = Math.min(s, t.firstTs);
                    e = Math.max(e, t.lastTs);
                }
            }
        }
        m.startNs = s == Long.MAX_VALUE ? 0 : s;
        m.endNs = e == Long.MIN_VALUE ? 0 : Math.max(e, endHint);
        if (lifecycle) {
            m.lifecycleVersion = current;
        }
        m.version = current++;
        changed = false;
        lifecycle = false;
        tids.clear();
        dirty.clear();
        return true;
    }

    private void linkCreations() {
        for (Map.Entry<ExecThread, Creation> en : creations.entrySet()) {
            ExecThread t = en.getKey();
            if (!dirty.contains(t.process)) {
                continue;
            }
            Creation c = en.getValue();
            ExecThread creator = null;
            for (ExecThread o : byTid(t.process).getOrDefault(c.creatorTid(), List.of())) {
                if (o != t) {
                    creator = o;
                }
            }
            Span s = createsById.getOrDefault(t.process, Map.of()).get(c.createId());
            if (s != null && s.thread() != creator) {
                s = null;
            }
            t.creator = creator;
            t.createSpan = s;
            t.createTs = s != null ? s.start() : -1;
            t.createSite = s != null ? s.site() : 0;
            t.createdTs = s != null && !s.running() ? s.end() : -1;
            t.createdDetached = s != null && !s.running() && (s.flags() & Span.CREATED_DETACHED) != 0;
        }
    }

    /**
     * A name names the thread of that handle alive at the time (handles are reused), or the next one to start with
     * it (named between its creation and its first record). The last name wins.
     */
    private void linkNames(ExecProcess p) {
        for (ExecThread t : p.threads) {
            t.name = null;
            t.nameTs = Long.MIN_VALUE;
        }
        for (Named n : names.getOrDefault(p, List.of())) {
            ExecThread target = null;
            for (ExecThread t : p.threads) {
                if (t.handle == n.handle() && t.firstTs <= n.ts() && (target == null || t.firstTs > target.firstTs)) {
                    target = t;
                }
            }
            if (target == null) {
                for (ExecThread t : p.threads) {
                    if (t.handle == n.handle() && t.firstTs > n.ts()
                            && (target == null || t.firstTs < target.firstTs)) {
                        target = t;
                    }
                }
            }
            if (target != null && n.ts() >= target.nameTs) {
                target.name = n.name();
                target.nameTs = n.ts();
            }
        }
    }

    /** Watched accesses thread by thread (in the process's thread order), each thread's in time order. */
    private static void orderWatched(ExecProcess p) {
        if (p.watched.isEmpty()) {
            return;
        }
        Map<ExecThread, Integer> pos = new HashMap<>();
        p.threads.forEach(t -> pos.put(t, pos.size()));
        for (WatchedVariable v : p.watched.values()) {
            v.accesses.sort(Comparator.comparingInt((WatchedVariable.Access a) -> pos.getOrDefault(a.thread(), -1))
                    .thenComparingLong(WatchedVariable.Access::ts).thenComparingLong(WatchedVariable.Access::ref));
            Map<ExecThread, Boolean> spent = new LinkedHashMap<>();
            p.threads.stream().filter(v.budgetSpent::containsKey).forEach(t -> spent.put(t, v.budgetSpent.get(t)));
            v.budgetSpent.clear();
            v.budgetSpent.putAll(spent);
        }
    }

    /**
     * Releases reported by the thread they handed a lock to: each becomes a release of the thread of that tid alive
     * then (a tid can be reused after its thread ended); one whose thread is not read yet waits for a later finish.
     */
    private void reportedReleases(ExecProcess p) {
        for (Lock l : p.locks.values()) {
            l.reportedReleases.removeIf(r -> {
                ExecThread by = null;
                for (ExecThread t : byTid(p).getOrDefault((int) r[0], List.of())) {
                    if (by == null || t.firstTs <= r[1]) {
                        by = t;
                    }
                }
                if (by == null) {
                    return false;
                }
                l.op(r[1], by, false);
                return true;
            });
        }
    }

    /** Each lock's holder: of the threads holding it, the one that took it last. */
    private static void holders(ExecProcess p) {
        Map<Long, Long> since = new HashMap<>();
        for (Lock l : p.locks.values()) {
            l.holder = null;
        }
        for (ExecThread t : p.threads) {
            for (Map.Entry<Long, long[]> h : t.held.entrySet()) {
                Lock l = p.locks.computeIfAbsent(h.getKey(), a -> new Lock(p, a, "mutex"));
                long ts = h.getValue()[0];
                if (l.holder == null || ts > since.get(h.getKey())) {
                    l.holder = t;
                    since.put(h.getKey(), ts);
                }
            }
        }
    }

    private void linkForks() {
        for (Map.Entry<ExecProcess, ForkLink> en : forks.entrySet()) {
            ExecProcess child = en.getKey();
            if (forksDone.contains(child)) {
                continue;
            }
            ForkLink f = en.getValue();
            ExecProcess parent = f.parentStartNs() != 0 ? m.byKey.get(ExecutionModel.key(f.parentPid(),
                    f.parentStartNs())) : latestBefore(f.parentPid(), child.startNs());
            if (parent == null) {
                continue;
            }
            if (child.parent != parent) {
                if (child.parent != null) {
                    child.parent.children.remove(child);
                }
                child.parent = parent;
                parent.children.add(child);
                touch(parent);
            }
            child.forkingThread = null;
            child.forkSpan = null;
            List<Span> forkCalls = forksByChild.getOrDefault(parent, Map.of()).getOrDefault((long) child.pid(),
                    List.of());
            for (ExecThread pt : byTid(parent).getOrDefault(f.parentTid(), List.of())) {
                child.forkingThread = pt;
                for (Span s : forkCalls) {
                    if (s.thread() == pt && s.end() >= f.requestTs()) {
                        child.forkSpan = s;
                        break;
                    }
                }
            }
            if (child.forkSpan != null) {
                forksDone.add(child);
            }
            touch(child);
        }
    }

    /** The process's threads by tid (tids are reused: in thread order), built once per refresh. */
    private Map<Integer, List<ExecThread>> byTid(ExecProcess p) {
        return tids.computeIfAbsent(p, k -> {
            Map<Integer, List<ExecThread>> m = new HashMap<>();
            for (ExecThread t : k.threads) {
                m.computeIfAbsent(t.tid(), x -> new ArrayList<>()).add(t);
            }
            return m;
        });
    }

    private ExecProcess latestBefore(int pid, long ts) {
        ExecProcess best = null;
        for (ExecProcess p : m.processes) {
            if (p.pid() == pid && p.startNs() <= ts && (best == null || p.startNs() > best.startNs())) {
                best = p;
            }
        }
        return best;
    }

    private void linkExecs() {
        List<ExecProcess> pending = new ArrayList<>(execStarts);
        pending.sort(Comparator.comparingLong(ExecProcess::startNs).thenComparingInt(ExecProcess::pid));
        for (ExecProcess img : pending) {
            if (img.execPredecessor != null) {
                continue;
            }
            ExecThread main = img.mainThread().orElse(null);
            if (main == null || main.events == 0) {
                continue;
            }
            long startTs = main.firstTs;
            ExecProcess best = null;
            for (ExecProcess p : m.processes) {
                if (p == img || p.pid() != img.pid() || p.startNs() >= img.startNs() || p.execSuccessor != null) {
                    continue;
                }
                long open = openExec(p);
                if (open > 0 && open <= startTs && (best == null || p.startNs() > best.startNs())) {
                    best = p;
                }
            }
            if (best != null) {
                best.execSuccessor = img;
                img.execPredecessor = best;
                img.origin = ExecProcess.Origin.EXEC;
                if (ppidLinked.remove(img) && img.parent != null) {
                    img.parent.children.remove(img);
                }
                touch(best);
                touch(img);
            }
        }
        for (ExecProcess p : m.processes) {
            if (p.execPredecessor != null) {
                p.parent = p.execPredecessor.parent;
            }
        }
    }

    /** Start of an exec call that never returned (it succeeded), or -1. */
    private static long openExec(ExecProcess p) {
        for (ExecThread t : p.threads) {
            for (Span s : t.open) {
                if (s.kind().equals(Kinds.EXEC)) {
                    return s.start();
                }
            }
        }
        return -1;
    }

    private void linkByPpid() {
        for (ExecProcess img : m.processes) {
            if (img.origin != ExecProcess.Origin.START || img.parent != null || !ppids.containsKey(img)) {
                continue;
            }
            ExecProcess p = latestBefore(ppids.get(img), img.startNs());
            if (p != null && p != img && p.endTs() >= img.startNs()) {
                img.parent = p;
                p.children.add(img);
                ppidLinked.add(img);
            }
        }
    }

    /** A forked child runs its parent's program until it execs. */
    private static void inheritProgram(ExecProcess img) {
        if (img.origin == ExecProcess.Origin.FORK && img.exe.isEmpty()) {
            ExecProcess p = img.parent;
            while (p != null && p.exe.isEmpty() && p.origin == ExecProcess.Origin.FORK) {
                p = p.parent;
            }
            if (p != null) {
                img.exe = p.exe;
                img.argv = p.argv;
            }
        }
    }

    private static void exitOf(ExecProcess p) {
        if (p.exitInstant != null) {
            p.exit = new Exit(Exit.How.EXITED, (int) p.exitInstant.subject(), p.exitInstant.ts());
            return;
        }
        if (p.execSuccessor != null) {
            p.exit = new Exit(Exit.How.EXECED, 0, p.lastTs());
            return;
        }
        ExecProcess first = p;
        while (first.execPredecessor != null) {
            first = first.execPredecessor;
        }
        if (first.parent != null) {
            Instant reap = first.parent.reapOf(p.pid(), first.startNs());
            int status = reap == null ? 0 : (int) reap.result();
            int sig = status & 0x7f;
            if (reap != null && sig != 0 && sig != 0x7f) {
                p.exit = new Exit(Exit.How.KILLED, sig, p.lastTs());
                return;
            }
        }
        p.exit = Exit.RUNNING_NOW;
    }
}
