package interleave.engine.trace;

import static interleave.engine.trace.RecordType.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.events.Attributes;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Memory;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Span;
import interleave.engine.events.Status;
import interleave.engine.events.TraceSource;

/**
 * The tracing agent's run directory as a {@link TraceSource}: the only code that knows the agent's record types and
 * which argument holds what (docs/trace-format.md §5). Either reads a run already read ({@link #of(TraceRun)}), or
 * follows a directory that is still being written ({@link #follow(Path)}): each refresh reads only the records
 * committed since the last one and appends them to the model.
 */
public final class AgentTraceSource implements TraceSource {
    private final TraceRun run;
    private final TraceTail tail;
    private final Path dir;
    private boolean fed;
    private int refeeds;

    /** What has been fed of one file: how many of its records, and the last one's (ts, slot). */
    private static final class FileState {
        ExecThread thread;
        int consumed;
        long lastTs = Long.MIN_VALUE;
        int lastSlot = -1;
        int procStartSlot = -1;
        /** The CPU of the last event fed (carried forward: a CPU record comes only when it changed). */
        int cpu = -1;
        /** Slots of VAR_WATCH records whose name string was not complete when they were fed. */
        final List<Integer> unnamed = new ArrayList<>();
        /** Strings of attributes (an exec's path, argv) not complete when their record was fed. */
        final List<Pending> pending = new ArrayList<>();
    }

    private final Map<String, FileState> states = new HashMap<>();

    /** The text of the string of a key attached to a record (by its index in the fed columns and its slot), or null. */
    private interface Strings {
        String text(int index, int slot, int key);

        /** Called with the text once all its pieces are read (a run that grows: they may come later). */
        default void later(int slot, int key, java.util.function.Consumer<String> apply) {
        }
    }

    /** A string of a record fed before all its pieces were read, and where its text goes once they are. */
    private record Pending(int slot, int key, java.util.function.Consumer<String> apply) {
    }

    /** The CPU an event ran on (by its index in the fed columns and its slot), -1 unknown. */
    private interface Cpus {
        int cpu(int index, int slot);
    }

    private AgentTraceSource(TraceRun run, TraceTail tail, Path dir) {
        this.run = run;
        this.tail = tail;
        this.dir = dir;
    }

    /** A source over a run already read in full. */
    public static AgentTraceSource of(TraceRun run) {
        return new AgentTraceSource(run, null, run.directory());
    }

    /** A run read once with its event model (see {@link #readOnce}). */
    public record Read(TraceRun run, ExecutionModel model) {
    }

    /**
     * Reads a finished run once, for a report or an export: one file at a time, each thread's records fed to the
     * model as soon as its file is read, then dropped but for the few that link threads and processes. The run and
     * its columns are never held whole beside the model; the run returned answers everything but its records
     * (images, threads, links, names, counts, times, damage). Same model as {@link #model(TraceRun)}.
     *
     * @throws TraceException as {@link TraceReader#read(Path)}
     */
    public static Read readOnce(Path dir) throws TraceException {
        return readOnce(dir, 0);
    }

    /**
     * {@link #readOnce(Path)} within a budget of kept spans and instants ({@link ModelBuilder#budget}): past it,
     * plain I/O calls are counted per thread instead of kept; 0 or less: keep every call.
     */
    public static Read readOnce(Path dir, long budget) throws TraceException {
        return readOnce(dir, budget, READ_SLICE);
    }

    /**
     * Slots of a big trace file read and fed at a time by {@link #readOnce}: 262,144 (about 20 MB of columns), or
     * {@code -Dinterleave.read.slice}.
     */
    public static final int READ_SLICE = Integer.getInteger("interleave.read.slice", 1 << 18);

    /**
     * {@link #readOnce(Path, long)} reading a file of more than {@code slice} slots a slice at a time: its records
     * go to the model in the same order as read whole, and the reader holds about one slice of them, whatever the
     * file's size. Same model; 0 or less: every file is read whole.
     */
    public static Read readOnce(Path dir, long budget, int slice) throws TraceException {
        ModelBuilder b = new ModelBuilder().budget(budget);
        AgentTraceSource src = new AgentTraceSource(null, null, dir);
        src.fed = true;
        TraceRun run = TraceReader.readOneFileAtATime(dir, t -> src.feedThread(b, t), slice,
                c -> src.feedSlice(b, c));
        src.feedEnd(b, run);
        return new Read(run, b.model());
    }

    /** A source that follows a run directory (it must exist; it may still be empty). */
    public static AgentTraceSource follow(Path runDir) throws TraceException {
        return new AgentTraceSource(null, TraceTail.follow(runDir), runDir);
    }

    /** The model of a run already read. */
    public static ExecutionModel model(TraceRun run) {
        ModelBuilder b = new ModelBuilder();
        of(run).feedRun(b);
        return b.model();
    }

    /**
     * The run as the last refresh read it, in the agent's terms (for the timeline and the detectors that still read
     * records): the run itself for {@link #of}, what the followed directory held at the last refresh otherwise.
     */
    public TraceRun runSoFar() {
        return run != null ? run : tail.snapshot();
    }

    /** How often a process was fed again because a record older than those fed was committed late. */
    public int refeeds() {
        return refeeds;
    }

    @Override
    public boolean refresh(ModelBuilder b) throws TraceException {
        return run != null ? feedRun(b) : feedTail(b);
    }

    // ------------------------------------------------------------------ a run read whole

    private boolean feedRun(ModelBuilder b) {
        if (fed) {
            return false;
        }
        fed = true;
        for (ThreadTrace t : run.threads()) {
            feedThread(b, t);
        }
        return feedEnd(b, run);
    }

    /** Feeds one thread's records, all of them (not a thinned thread). */
    private void feedThread(ModelBuilder b, ThreadTrace t) {
        ExecThread et = threadOf(b, t.file(), t.header());
        EventColumns c = t.columns();
        int[] order = new int[c.size];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        feed(b, et, states.computeIfAbsent(t.file(), k -> new FileState()), t.header(), c, order,
                (i, slot, key) -> t.string(i, key).map(TraceString::text).orElse(null), (i, slot) -> t.cpu(i));
    }

    /** Feeds the next records of a big file, in order (see {@link ChunkedFile}). */
    private void feedSlice(ModelBuilder b, ChunkedFile.Slice c) {
        FileState st = states.computeIfAbsent(c.file, k -> new FileState());
        if (st.thread == null) {
            st.thread = threadOf(b, c.file, c.header);
        }
        int[] order = new int[c.size];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        feed(b, st.thread, st, c.header, c.columns, order, (i, slot, key) -> c.text(slot, key), (i, slot) -> c.cpu(i));
    }

    /** What comes after every thread's records: the programs, lost events, damage, the end. */
    private boolean feedEnd(ModelBuilder b, TraceRun run) {
        for (ProcessImage img : run.images()) {
            b.program(b.process(img.pid(), img.imageStartNs()), img.exe(), img.argv());
        }
        b.lostEvents(run.lostEvents());
        b.problems(run.damage().stream().map(AgentTraceSource::problem).toList());
        return b.finish(Status.COMPLETED, RunEnd.read(dir).orElse(Long.MIN_VALUE));
    }

    private static String problem(TraceDamage d) {
        return d.file() + " at byte " + d.offset() + ": " + d.message();
    }

    // ------------------------------------------------------------------ a run that grows

    private boolean feedTail(ModelBuilder b) throws TraceException {
        tail.pollQuietly();
        List<FileScanner> scanners = tail.scanners();
        // a record older than one already fed (slots committed out of order): that process is fed again from its
        // first record, all its threads, so what is derived across them (names, locks, reaps) is derived once more
        Set<ExecProcess> refeed = new HashSet<>();
        Map<FileScanner, int[]> batches = new IdentityHashMap<>();
        for (FileScanner s : scanners) {
            if (s.header == null) {
                continue;
            }
            FileState st = states.computeIfAbsent(s.name, k -> new FileState());
            if (st.thread == null) {
                st.thread = threadOf(b, s.name, s.header);
            }
            int[] batch = sortedRange(s.raw, st.consumed, s.raw.size);
            batches.put(s, batch);
            if (batch.length > 0 && before(s.raw.ts[batch[0]], s.raw.slot[batch[0]], st.lastTs, st.lastSlot)) {
                refeed.add(st.thread.process());
            }
        }
        for (ExecProcess p : refeed) {
            b.reset(p);
            refeeds++;
        }
        long lost = 0;
        List<String> problems = new ArrayList<>();
        for (FileScanner s : scanners) {
            s.damage.forEach(d -> problems.add(problem(d)));
            if (s.header == null) {
                continue;
            }
            lost += s.header.lostEvents();
            FileState st = states.get(s.name);
            int[] batch = batches.get(s);
            if (refeed.contains(st.thread.process())) {
                st.consumed = 0;
                st.lastTs = Long.MIN_VALUE;
                st.lastSlot = -1;
                st.procStartSlot = -1;
                st.cpu = -1;
                st.unnamed.clear();
                st.pending.clear();
                batch = sortedRange(s.raw, 0, s.raw.size);
            }
            feed(b, st.thread, st, s.header, s.raw, batch, new Strings() {
                @Override
                public String text(int i, int slot, int key) {
                    String text = AgentTraceSource.text(s, slot, key);
                    if (text == null && key == S_WATCH_VAR) {
                        st.unnamed.add(slot); // its pieces come later
                    }
                    return text;
                }

                @Override
                public void later(int slot, int key, java.util.function.Consumer<String> apply) {
                    st.pending.add(new Pending(slot, key, apply));
                }
            }, (i, slot) -> {
                Integer cpu = s.cpus.get(slot);
                if (cpu != null) {
                    st.cpu = cpu;
                }
                return st.cpu;
            });
            for (java.util.Iterator<Integer> it = st.unnamed.iterator(); it.hasNext();) {
                int slot = it.next();
                String name = text(s, slot, S_WATCH_VAR);
                if (name != null) {
                    for (int i = 0; i < s.raw.size; i++) {
                        if (s.raw.slot[i] == slot) {
                            b.nameWatched(st.thread.process(), s.raw.args[i * 5], name);
                        }
                    }
                    it.remove();
                }
            }
            for (java.util.Iterator<Pending> it = st.pending.iterator(); it.hasNext();) {
                Pending p = it.next();
                String text = text(s, p.slot(), p.key());
                if (text != null) {
                    p.apply().accept(text);
                    it.remove();
                }
            }
            st.consumed = s.raw.size;
            if (st.procStartSlot >= 0) {
                FileScanner.StringParts exe = s.strings.get(((long) st.procStartSlot << 8) | S_EXE);
                FileScanner.StringParts argv = s.strings.get(((long) st.procStartSlot << 8) | S_ARGV);
                ExecProcess p = st.thread.process();
                if (p.exe().isEmpty() && exe != null && exe.received >= exe.bytes.length) {
                    b.program(p, new TraceString(exe.bytes.clone(), exe.cut, false).text(), null);
                }
                if (p.argv().isEmpty() && argv != null && argv.received >= argv.bytes.length) {
                    b.program(p, null, new TraceString(argv.bytes.clone(), argv.cut, false).parts());
                }
            }
        }
        b.lostEvents(lost);
        b.problems(problems);
        boolean ended = Files.isRegularFile(dir.resolve(RunEnd.FILE));
        return b.finish(ended ? Status.COMPLETED : Status.RUNNING, RunEnd.read(dir).orElse(Long.MIN_VALUE));
    }

    /** A complete string of the file, or null (not written yet, or not all its pieces). */
    private static String text(FileScanner s, int slot, int key) {
        FileScanner.StringParts sp = s.strings.get(((long) slot << 8) | key);
        return sp == null || sp.received < sp.bytes.length ? null
                : new TraceString(sp.bytes.clone(), sp.cut, false).text();
    }

    private static boolean before(long ts, int slot, long ts2, int slot2) {
        return ts < ts2 || ts == ts2 && slot < slot2;
    }

    /** Indices from..to-1 of the columns in (ts, slot) order. */
    private static int[] sortedRange(EventColumns c, int from, int to) {
        Integer[] idx = new Integer[to - from];
        boolean sorted = true;
        for (int i = from; i < to; i++) {
            idx[i - from] = i;
            if (i > from && before(c.ts[i], c.slot[i], c.ts[i - 1], c.slot[i - 1])) {
                sorted = false;
            }
        }
        if (!sorted) {
            java.util.Arrays.sort(idx, (x, y) -> c.ts[x] != c.ts[y] ? Long.compare(c.ts[x], c.ts[y])
                    : Integer.compare(c.slot[x], c.slot[y]));
        }
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    // ------------------------------------------------------------------ records to model events

    private static ExecThread threadOf(ModelBuilder b, String file, TraceHeader h) {
        ExecProcess p = b.process(h.pid(), h.imageStartNs());
        boolean main = h.isMain() || h.tid() == h.pid() && !h.isCreated();
        ExecThread t = b.thread(p, file, h.tid(), main, h.pthreadSelf());
        if (h.isCreated() && h.createId() != 0) {
            b.createdBy(t, h.creatorTid(), h.createId());
        }
        if (main) {
            b.parentPid(p, h.ppid());
        }
        return t;
    }

    private static void feed(ModelBuilder b, ExecThread t, FileState st, TraceHeader h, EventColumns c, int[] order,
            Strings strings, Cpus cpus) {
        for (int i : order) {
            int w = c.word[i];
            int type = w & 0xffff, phase = (w >>> 16) & 0xff, flags = w >>> 24;
            long ts = c.ts[i], ra = c.ra[i];
            int e = c.err[i], slot = c.slot[i];
            int a = i * 5;
            long a0 = c.args[a], a1 = c.args[a + 1], a2 = c.args[a + 2], a3 = c.args[a + 3], a4 = c.args[a + 4];
            boolean first = st.lastSlot < 0;
            st.lastTs = ts;
            st.lastSlot = slot;
            b.onCpu(t, cpus.cpu(i, slot));
            b.event(t, ts, phase == ENTER);
            if (first && type == FORK_CHILD) {
                b.forkedFrom(t.process(), (int) a0, a2, (int) a1, a3);
            }
            if (first && type == PROC_START && t.isMain()) {
                b.programStarted(t.process());
            }
            if (type == PROC_START && st.procStartSlot < 0) {
                st.procStartSlot = slot;
            }
            record(b, t, type, phase, flags, e, ts, ra, a0, a1, a2, a3, a4, slot, i, strings);
        }
    }

    private static void record(ModelBuilder b, ExecThread t, int type, int phase, int flags, int err, long ts, long ra,
            long a0, long a1, long a2, long a3, long a4, int slot, int index, Strings strings) {
        long ref = slot;
        switch (type) {
            case PROC_START -> {
                var i = b.instant(t, ts, Kinds.PROCESS_START, a0, a1, err, flags, ra, ref, null, true);
                text(strings, index, slot, S_ARGV, v -> b.attribute(i, Attributes.ARGV, v));
            }
            case PROC_EXIT -> {
                var i = b.instant(t, ts, Kinds.PROCESS_EXIT, a0, 0, err, flags, ra, ref, null, true);
                b.attribute(i, Attributes.FUNCTION, switch (flags) {
                    case 2 -> "_exit";
                    case 3 -> "_Exit";
                    case 4 -> "return from main";
                    default -> "exit";
                });
            }
            case FORK_CHILD -> b.instant(t, ts, Kinds.FORKED, a0, 0, err, 0, ra, ref);
            case FORK -> call(b, t, phase, ts, Kinds.FORK, flags == 1 ? "vfork" : flags == 2 ? "_Fork" : "fork", 0,
                    a0, err, 0, 0, ra, ref);
            case EXEC -> {
                Span s = call(b, t, phase, ts, Kinds.EXEC, EXEC_NAMES[Math.min(flags, EXEC_NAMES.length - 1)], a0, 0,
                        err, 0, 0, ra, ref);
                if (s != null && phase != EXIT) {
                    text(strings, index, slot, S_EXEC_PATH, v -> b.attribute(s, Attributes.PATH, v));
                    text(strings, index, slot, S_EXEC_ARGV, v -> b.attribute(s, Attributes.ARGV, v));
                }
            }
            case SPAWN -> b.call(t, ts, ts, "spawn", flags == 1 ? "posix_spawnp" : "posix_spawn", 0, a0, err, 0, ra,
                    ref);
            case WAIT -> {
                Span s = call(b, t, phase, ts, Kinds.PROCESS_WAIT, switch (flags) {
                    case 1 -> "waitpid";
                    case 2 -> "wait3";
                    case 3 -> "wait4";
                    default -> "wait";
                }, a0, a2, err, 0, 0, ra, ref);
                if (s != null && phase != EXIT) {
                    b.attributes(s, Attributes.OPTIONS, a1);
                }
                if (s != null && phase != ENTER && a2 > 0) {
                    b.attribute(s, Attributes.STATUS, a3);
                }
                if (phase == EXIT && a2 > 0) {
                    b.instant(t, ts, Kinds.REAP, a2, a3, err, 0, ra, ref);
                }
            }
            case THREAD_CREATE -> {
                // ENTER: a0 routine, a1 arg, a2 create id, a3 bytes 0-7 at arg, flags = bytes read; EXIT: a0 pthread_t
                if (phase == ENTER) {
                    Span s = b.enter(t, ts, Kinds.THREAD_CREATE, "pthread_create", a2, ra, a0, 0, ref);
                    b.carry(s, new Memory(a1, a3, flags));
                } else {
                    call(b, t, phase, ts, Kinds.THREAD_CREATE, "pthread_create", 0, a0, err, 0,
                            phase == EXIT && (flags & CREATE_DETACHED) != 0 ? Span.CREATED_DETACHED : 0, ra, ref);
                }
            }
            case THREAD_START -> b.instant(t, ts, Kinds.THREAD_START, a0, a1, err, flags, ra, ref,
                    new Memory(a1, a3, flags));
            case THREAD_EXIT -> {
                // flags 1: the start routine returned a0 (else pthread_exit's value, or unknown)
                var i = b.instant(t, ts, Kinds.THREAD_END, a0, 0, err, flags, ra, ref, null, flags == 1);
                if (flags == 1) {
                    b.attribute(i, Attributes.RETURN_VALUE, a0);
                }
            }
            case PTHREAD_EXIT -> b.instant(t, ts, "pthread-exit", a0, 0, err, flags, ra, ref);
            case PTHREAD_JOIN -> {
                call(b, t, phase, ts, Kinds.THREAD_JOIN, switch (flags) {
                    case JOIN_TIMED -> "pthread_timedjoin_np";
                    case JOIN_TRY -> "pthread_tryjoin_np";
                    case JOIN_CLOCK -> "pthread_clockjoin_np";
                    default -> "pthread_join";
                }, a0, a1, err, 0, 0, ra, ref);
                if (phase == EXIT || phase == CALL) {
                    b.instant(t, ts, Kinds.JOIN, a0, a1, err, flags, ra, ref);
                }
            }
            case PTHREAD_DETACH -> b.instant(t, ts, Kinds.DETACH, a0, 0, err, flags, ra, ref);
            case THREAD_NAME -> {
                if (err == 0) {
                    b.named(t, ts, a0, nameOf(a1, a2));
                }
            }
            case MUTEX_LOCK -> {
                // ENTER: a1 the holder's tid, a2 the caller; EXIT or CALL (1.0, every lock): acquired if err 0
                if (phase == CALL) {
                    b.call(t, ts, ts + a4, "lock", "pthread_mutex_lock", a0, 0, err, 0, ra, ref);
                } else if (phase == ENTER) {
                    b.enterLockWait(t, ts, a0, a1, ra, a2, ref, (flags & 1) != 0 ? "pthread_mutex_timedlock"
                            : "pthread_mutex_lock");
                } else {
                    b.exit(t, ts, Kinds.LOCK_WAIT, 0, err, 0, ra, ref);
                    if (phase == EXIT && a3 > 0 && a4 > 0) { // 1.4: the release that handed it over
                        b.releasedBy(t.process(), (int) a3, a4, a0);
                    }
                }
                if (phase != ENTER && err == 0) {
                    b.acquired(t, ts, a0, ra, false);
                }
            }
            case MUTEX_TRYLOCK -> {
                b.call(t, ts, ts + a4, "trylock", "pthread_mutex_trylock", a0, 0, err, 0, ra, ref);
                if (err == 0) {
                    b.acquired(t, ts, a0, ra, false);
                }
            }
            case MUTEX_UNLOCK -> {
                b.instant(t, ts, "unlock", a0, 0, err, flags, ra, ref);
                if (err == 0) {
                    b.released(t, ts, a0);
                }
            }
            case COND_WAIT -> {
                // a0 cond, a1 mutex: released at ENTER, held again at EXIT
                Span s = call(b, t, phase, ts, Kinds.COND_WAIT, flags == 1 ? "pthread_cond_timedwait"
                        : "pthread_cond_wait", a0, a1, err, 0, 0, ra, ref);
                if (s != null && phase != EXIT) {
                    b.attributes(s, Attributes.MUTEX, a1);
                }
                if (phase == ENTER) {
                    b.released(t, ts, a1);
                } else if (phase == EXIT) {
                    b.acquired(t, ts, a1, ra, false);
                }
            }
            case COND_SIGNAL -> b.instant(t, ts, "cond-signal", a0, 0, err, flags, ra, ref);
            case COND_BROADCAST -> b.instant(t, ts, "cond-broadcast", a0, 0, err, flags, ra, ref);
            case SEM_WAIT -> call(b, t, phase, ts, Kinds.SEM_WAIT, flags == 1 ? "sem_timedwait" : "sem_wait", a0, 0,
                    err, 0, 0, ra, ref);
            case SEM_TRYWAIT -> b.call(t, ts, ts + a4, "sem-trywait", "sem_trywait", a0, 0, err, 0, ra, ref);
            case SEM_POST -> b.instant(t, ts, "sem-post", a0, 0, err, flags, ra, ref);
            case LOCK_EDGE -> { // held a0 (taken at a2, caller a3) when it asked for a1 at ra (caller a4)
                b.lockEdge(t, ts, a0, a2, a3, a1, ra, a4);
                b.acquired(t, ts, a0, a2, true);
            }
            case LOCK_STATS -> {
                // a1 acquisitions, a4 contended | failed tries << 32; a2 a3 hold total and longest (a semaphore: a2
                // posts); flags bit 0 a semaphore, bit 1 hold times not measured, bit 2 (1.5) the sum of many locks
                // taken at ra (a LOCK_GROUP follows)
                boolean sem = (flags & 1) != 0, group = (flags & 4) != 0;
                String lockType = sem ? "semaphore" : "mutex";
                long hold = sem ? 0 : a2, longest = sem ? 0 : a3;
                if (group) {
                    b.lockGroupCounts(t, ra, lockType, a1, a4 & 0xffffffffL, a4 >>> 32, hold, longest);
                } else {
                    b.lockCounts(t, a0, lockType, a1, a4 & 0xffffffffL, a4 >>> 32, hold, longest);
                }
                var i = b.instant(t, ts, Kinds.LOCK_COUNTS, a0, 0, err, 0, ra, ref, null, true);
                b.attribute(i, Attributes.LOCK_TYPE, lockType);
                b.attribute(i, Attributes.ACQUISITIONS, a1);
                b.attribute(i, Attributes.CONTENDED, a4 & 0xffffffffL);
                b.attribute(i, Attributes.FAILED_TRIES, a4 >>> 32);
                if (sem) {
                    b.attribute(i, Attributes.POSTS, a2);
                } else if ((flags & 2) == 0) {
                    b.attribute(i, Attributes.HOLD_NS, a2);
                    b.attribute(i, Attributes.LONGEST_HOLD_NS, a3);
                }
                if (group) {
                    b.attribute(i, Attributes.GROUP_LOCKS, 0L); // the count and range come with the LOCK_GROUP
                }
            }
            case LOCK_WAITS -> { // 1.4: the waits and hand-offs counted in the window of the LOCK_STATS before it
                String lockType = (flags & 1) != 0 ? "semaphore" : "mutex";
                if ((flags & 4) != 0) {
                    b.lockGroupWaitCounts(t, ra, lockType, a1, a2, a3, a4);
                } else {
                    b.lockWaitCounts(t, a0, lockType, a1, a2, a3, a4);
                }
                var counts = lastLockCounts(t, a0);
                if (counts != null) {
                    b.attribute(counts, Attributes.COUNTED_WAITS, a1);
                    b.attribute(counts, Attributes.COUNTED_WAIT_NS, a2);
                    b.attribute(counts, Attributes.LONGEST_COUNTED_WAIT_NS, a3);
                    b.attribute(counts, Attributes.COUNTED_HANDOFFS, a4);
                }
            }
            case LOCK_GROUP -> { // 1.5: locks a0..a1, a2 of them, summed up by the LOCK_STATS before it
                b.lockGroupRange(t, ra, (flags & 1) != 0 ? "semaphore" : "mutex", a0, a1, a2);
                var counts = lastLockCounts(t, a0);
                if (counts != null) {
                    b.attribute(counts, Attributes.GROUP_LOCKS, a2);
                    b.attribute(counts, Attributes.GROUP_HIGH, a1);
                }
            }
            case ACCEPT -> call(b, t, phase, ts, Kinds.ACCEPT, flags == 1 ? "accept4" : "accept", a0, a3, err, 0, 0,
                    ra, ref);
            case CONNECT -> call(b, t, phase, ts, Kinds.CONNECT, "connect", a0, a3, err, 0, 0, ra, ref);
            case READ -> io(b, call(b, t, phase, ts, Kinds.READ, "read", a0, a3, err, 0, 0, ra, ref), phase, a1, a2);
            case WRITE -> io(b, call(b, t, phase, ts, Kinds.WRITE, "write", a0, a3, err, 0, 0, ra, ref), phase, a1, a2);
            case RECV -> io(b, call(b, t, phase, ts, Kinds.RECV, flags == 1 ? "recvfrom" : "recv", a0, a3, err, 0, 0,
                    ra, ref), phase, a1, a2);
            case SEND -> io(b, call(b, t, phase, ts, Kinds.SEND, flags == 1 ? "sendto" : "send", a0, a3, err, 0, 0,
                    ra, ref), phase, a1, a2);
            case SOCKET -> b.call(t, ts, ts, "socket", "socket", a0, a3, err, 0, ra, ref);
            case BIND -> b.call(t, ts, ts, "bind", "bind", a0, a3, err, 0, ra, ref);
            case LISTEN -> b.call(t, ts, ts, "listen", "listen", a0, a3, err, 0, ra, ref);
            case CLOSE -> b.call(t, ts, ts, Kinds.CLOSE, "close", a0, a3, err, 0, ra, ref);
            case SHUTDOWN -> b.call(t, ts, ts, "shutdown", "shutdown", a0, a3, err, 0, ra, ref);
            case DUP -> b.call(t, ts, ts, "dup", flags == 1 ? "dup2" : flags == 2 ? "dup3" : "dup", a0, a3, err, 0,
                    ra, ref);
            case PIPE -> b.call(t, ts, ts, "pipe", flags == 1 ? "pipe2" : "pipe", a0, a1, err, 0, ra, ref);
            case SELECT -> { // a0 nfds, a1 timeout in ns (-1 none), a2 the read set's fds 0-63
                Span s = call(b, t, phase, ts, Kinds.SELECT, flags == 1 ? "pselect" : "select", a0, a3, err, 0, 0,
                        ra, ref);
                if (s != null && phase != EXIT) {
                    b.attributes(s, Attributes.TIMEOUT_NS, a1, Attributes.READ_SET, a2);
                }
            }
            case POLL -> { // a0 nfds, a1 timeout in ms (-1 none), a2 the first fd
                Span s = call(b, t, phase, ts, Kinds.POLL, flags == 1 ? "ppoll" : "poll", a2, a3, err, 0, 0, ra,
                        ref);
                if (s != null && phase != EXIT) {
                    b.attributes(s, Attributes.NFDS, a0, Attributes.TIMEOUT_MS, a1);
                }
            }
            case EPOLL_WAIT -> { // a0 epoll fd, a1 maxevents, a2 timeout in ms
                Span s = call(b, t, phase, ts, Kinds.EPOLL_WAIT, flags == 1 ? "epoll_pwait" : "epoll_wait", a0, a3,
                        err, 0, 0, ra, ref);
                if (s != null && phase != EXIT) {
                    b.attributes(s, Attributes.MAX_EVENTS, a1, Attributes.TIMEOUT_MS, a2);
                }
            }
            case SLEEP -> call(b, t, phase, ts, Kinds.SLEEP, flags == 1 ? "usleep" : flags == 2 ? "nanosleep"
                    : "sleep", a0, a3, err, 0, 0, ra, ref);
            case SIGACTION -> b.call(t, ts, ts, "sigaction", (flags & 2) != 0 ? "signal" : "sigaction", a0, a1, err,
                    0, ra, ref);
            case SIGNAL_HANDLER -> { // ENTER: a0 signo, a1 handler, a3 sender pid (0 unknown); ra = interrupted pc
                Span s = call(b, t, phase, ts, Kinds.SIGNAL_HANDLER, signalName((int) a0), a0, 0, err,
                        phase == ENTER ? a1 : 0, phase == ENTER ? ((flags & SIG_IN_STDIO) != 0 ? Span.IN_STDIO : 0)
                                | ((flags & SIG_IN_HEAP) != 0 ? Span.IN_HEAP : 0) : 0, ra, ref);
                if (phase == ENTER && a3 > 0) {
                    b.sentBy(s, a3);
                }
            }
            case KILL -> b.call(t, ts, ts, Kinds.SIGNAL_SENT, "kill", a0, a3, err, (int) a1, ra, ref);
            case RAISE -> call(b, t, phase, ts, Kinds.RAISE, "raise", a1, a3, err, 0, 0, ra, ref);
            case PTHREAD_KILL -> b.call(t, ts, ts, Kinds.SIGNAL_SENT, "pthread_kill", a0, 0, err, (int) a1, ra, ref);
            case STDIO -> call(b, t, phase, ts, Kinds.STDIO, stdioName(flags), a0, a3, err, 0, 0, ra, ref);
            case MALLOC -> call(b, t, phase, ts, Kinds.MALLOC, flags == 1 ? "calloc" : flags == 2 ? "realloc"
                    : "malloc", a0, a3, err, 0, 0, ra, ref);
            case FREE -> call(b, t, phase, ts, Kinds.FREE, "free", a0, 0, err, 0, 0, ra, ref);
            case ARG_WATCH -> { // kind in flags bits 0-3; READ/WRITTEN: a1 value, a4 bytes known, a2 instruction
                int kind = flags & 0xf;
                String k = switch (kind) {
                    case WATCH_ARMED -> Kinds.WATCH_ARMED;
                    case WATCH_UNAVAILABLE -> Kinds.WATCH_UNAVAILABLE;
                    case WATCH_READ -> Kinds.WATCH_READ;
                    case WATCH_WRITTEN -> Kinds.WATCH_WRITTEN;
                    case WATCH_ACCESSED -> Kinds.WATCH_ACCESSED;
                    case WATCH_NOT_ACCESSED -> Kinds.WATCH_NOT_ACCESSED;
                    default -> "watch-" + kind;
                };
                boolean access = kind == WATCH_READ || kind == WATCH_WRITTEN;
                b.instant(t, ts, k, a0, a1, err, flags, access ? a2 : ra, ref,
                        access ? new Memory(a0, a1, (int) a4) : null);
            }
            case VAR_WATCH -> { // kind in flags bits 0-3 (format §5 VAR_WATCH)
                int kind = flags & 0xf;
                switch (kind) {
                    case VW_ARMED, VW_UNAVAILABLE -> b.watchArmed(t, a0, strings.text(index, slot, S_WATCH_VAR), (int) a1,
                            a3, kind == VW_ARMED);
                    case VW_READ, VW_WRITTEN, VW_ACCESSED -> {
                        // a3: cpu | bytes << 32 | variable << 40 | locks held << 48; a4 the first lock held
                        b.watchAccess(t, ts, a0, kind == VW_READ ? Kinds.WATCH_READ
                                : kind == VW_WRITTEN ? Kinds.WATCH_WRITTEN : Kinds.WATCH_ACCESSED, a1, a2, ra, ref);
                        if (((a3 >>> 48) & 0xff) > 0) {
                            b.watchHeld(t, a4);
                        }
                    }
                    case VW_HELD -> b.watchHeld(t, a0, a1, a2, a3, a4);
                    case VW_DONE -> b.watchDone(t, a0, a4 != 0);
                    default -> {
                    }
                }
            }
            default -> {
                // FORK_CHILD is a link (above); types of newer minors are counted, not modelled
            }
        }
    }

    /** The string of the record, now or once its pieces are read. */
    private static void text(Strings strings, int index, int slot, int key, java.util.function.Consumer<String> apply) {
        String text = strings.text(index, slot, key);
        if (text != null) {
            apply.accept(text);
        } else {
            strings.later(slot, key, apply);
        }
    }

    private static final String[] EXEC_NAMES = {"execve", "execv", "execvp", "execvpe", "execl", "execlp", "execle"};

    /** The buffer and count of a read or write (a1, a2 of its ENTER). */
    private static void io(ModelBuilder b, Span s, int phase, long buffer, long count) {
        if (s != null && phase != EXIT) {
            b.attributes(s, Attributes.BUFFER, buffer, Attributes.COUNT, count);
        }
    }

    /** ENTER opens, EXIT closes, CALL is both (format §4.1: a4 = duration of a CALL record). */
    private static Span call(ModelBuilder b, ExecThread t, int phase, long ts, String kind, String name,
            long subject, long result, int err, long code, int flags, long ra, long ref) {
        switch (phase) {
            case ENTER -> {
                return b.enter(t, ts, kind, name, subject, ra, code, flags, ref);
            }
            case EXIT -> {
                return b.exit(t, ts, kind, result, err, flags, ra, ref);
            }
            case CALL -> {
                return b.call(t, ts, ts, kind, name, subject, result, err, flags, ra, ref);
            }
            default -> {
                b.instant(t, ts, kind, subject, result, err, flags, ra, ref);
                return null;
            }
        }
    }

    static String stdioName(int flags) {
        return switch (flags) {
            case 0 -> "printf";
            case 1 -> "fprintf";
            case 2 -> "vprintf";
            case 3 -> "vfprintf";
            case 4 -> "puts";
            case 5 -> "fputs";
            case 6 -> "putchar";
            case 7 -> "fputc";
            case 8 -> "fwrite";
            case 9 -> "fflush";
            case 10 -> "dprintf";
            case 11 -> "perror";
            default -> "stdio";
        };
    }

    /** The NUL-padded name bytes of a THREAD_NAME record (a1, a2 little-endian). */
    private static String nameOf(long lo, long hi) {
        byte[] bytes = new byte[16];
        for (int k = 0; k < 8; k++) {
            bytes[k] = (byte) (lo >>> (8 * k));
            bytes[8 + k] = (byte) (hi >>> (8 * k));
        }
        int n = 0;
        while (n < 16 && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The thread's last instant if it is the lock counts of {@code lock} (the records that complete it follow it). */
    private static interleave.engine.events.Instant lastLockCounts(ExecThread t, long lock) {
        var is = t.instants();
        var last = is.isEmpty() ? null : is.get(is.size() - 1);
        return last != null && last.kind().equals(Kinds.LOCK_COUNTS) && last.subject() == lock ? last : null;
    }
}
