package interleave.engine.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/**
 * What happened in a run, as lanes: rows (process → its threads), state spans, instants and arrows, all in ns since
 * {@link #originNs()} (the run's first event). Queries take a time window and touch only what is in it: spans are
 * kept per row and nesting depth in start-sorted arrays (spans of one depth never overlap, so their ends are sorted
 * too), instants per row sorted by time, arrows sorted by their earlier end with a running maximum of their later end.
 * No pixels and no colours here: views ask for a window at a resolution and draw what they get.
 */
public final class TimelineModel {
    private final TraceRun run;
    private final Symbolizer symbolizer;
    private final long origin;
    private final List<Row> rows = new ArrayList<>();
    private final List<List<Level>> levels = new ArrayList<>(); // per row, per depth
    private final List<ThreadTrace> rowThread = new ArrayList<>(); // null for process rows
    private final List<ExecThread> rowExec = new ArrayList<>(); // null for process rows
    private final List<Moments> instants = new ArrayList<>();
    private final Map<ThreadTrace, Integer> threadRow = new IdentityHashMap<>();
    private final Map<ProcessImage, Integer> processRow = new IdentityHashMap<>();
    private final Map<ExecThread, Integer> execRow = new IdentityHashMap<>();
    private Arrow[] arrows = new Arrow[0];
    private long[] arrowMaxEnd = new long[0];

    private TimelineModel(ExecutionModel events, TraceRun run, Symbolizer symbolizer) {
        this.events = events;
        this.run = run;
        this.symbolizer = symbolizer;
        this.origin = events.startNs();
        this.end = events.endNs();
        this.version = events.version();
    }

    /** Builds the model, naming threads by their start routine with addr2line where available. */
    public static TimelineModel build(TraceRun run) {
        return build(run, Symbolizer.forRun(run));
    }

    public static TimelineModel build(TraceRun run, Symbolizer symbolizer) {
        return build(interleave.engine.trace.AgentTraceSource.model(run), run, symbolizer);
    }

    /**
     * The timeline of an execution-event model as it stands now (the model a report or a follower already holds: not
     * derived a second time). The model may grow afterwards; this timeline keeps what it had when built. {@code run}
     * gives the program images for the symbolizer (null: addresses only).
     */
    public static TimelineModel build(ExecutionModel events, TraceRun run, Symbolizer symbolizer) {
        return build(events, run, symbolizer, null);
    }

    /**
     * The timeline of the model now, after {@code previous} was built from an earlier version of the same model (a
     * followed run): the lane of each thread that did not change since (not in the model's
     * {@code threadsChangedSince(previous version)}) and that ends where it did is taken over; the lane of a thread
     * that changed is extended: the spans and instants that had ended are shared with {@code previous} (which does not
     * change: it keeps reading only what it had), what came after them is derived. Rows are made anew, and arrows from
     * each thread's accepts, closes and signals (not from all its spans). Gives the same timeline as a build from
     * scratch.
     */
    public static TimelineModel build(ExecutionModel events, TraceRun run, Symbolizer symbolizer,
            TimelineModel previous) {
        TimelineModel m = new TimelineModel(events, run, symbolizer);
        m.previous = previous != null && previous.events == events && previous.origin == m.origin ? previous : null;
        m.buildRows();
        m.previous = null; // the older timeline is not kept alive by this one
        List<Arrow> arrows = new ArrayList<>();
        new Linker(m, arrows).link();
        m.indexArrows(arrows);
        return m;
    }

    private final ExecutionModel events;
    private final long end;
    private final int version;
    /** What each thread's lane held, for the next build of a growing model. */
    private final Map<ExecThread, Lane> lanes = new IdentityHashMap<>();
    private TimelineModel previous;
    /** Threads whose lanes a build took over from the previous timeline, or extended (for tests and measurements). */
    private int reused, extended;

    /**
     * A thread's spans, instants and the spans arrows are made of, as built, with the model version, row and lane end
     * they were built for, and where the next build of the lane can go on from (null: from scratch).
     */
    private record Lane(int version, long endNs, int row, List<Level> levels, Moments instants, Links links,
            Resume resume) {
    }

    /**
     * Where the shared part of a lane ends: the thread's first {@code spans} spans (all ended; the next one was
     * running) and first {@code moments} moments are in it, the last of each given to see that the model did not
     * feed the thread again from the start ({@code ModelBuilder.reset}); the running stretch then began at
     * {@code runningFrom}. {@code imageKnown}: the process's program image was known (names of locks and routines).
     */
    private record Resume(int spans, Span lastSpan, int moments, interleave.engine.events.Instant lastMoment,
            long runningFrom, long firstTs, boolean imageKnown) {
    }

    /**
     * The spans of a thread the arrows are made of (accepts, closes, signals sent and handled): the ended ones in an
     * append-only list shared with later timelines, then this timeline's own.
     */
    private record Links(List<Span> shared, int sharedSize, List<Span> own) {
        static boolean wanted(Span s) {
            return switch (s.kind()) {
                case Kinds.ACCEPT, Kinds.CLOSE, Kinds.SIGNAL_SENT, Kinds.SIGNAL_HANDLER -> true;
                default -> false;
            };
        }

        List<Span> all() {
            return new java.util.AbstractList<>() {
                @Override
                public Span get(int i) {
                    return i < sharedSize ? shared.get(i) : own.get(i - sharedSize);
                }

                @Override
                public int size() {
                    return sharedSize + own.size();
                }
            };
        }
    }

    /** How many thread lanes this build took over unchanged from the previous timeline. */
    public int reusedLanes() {
        return reused;
    }

    /** How many thread lanes this build extended with what was new since the previous timeline (not rebuilt). */
    public int extendedLanes() {
        return extended;
    }

    /** How many spans of the row this timeline shares with the next timelines of a growing model (for tests). */
    public int sharedSpans(int rowId) {
        int n = 0;
        for (Level l : levels.get(rowId)) {
            n += l.sharedSize();
        }
        return n;
    }

    /** The spans of the thread that arrows are made of (accepts, closes, signals sent and handled), in its order. */
    List<Span> linkSpans(ExecThread t) {
        Lane l = lanes.get(t);
        return l == null ? List.of() : l.links().all();
    }

    /**
     * The execution-event model behind the timeline (what the detectors read). A followed run's model grows after
     * the timeline was built: read it only while it does not change (the follower's step).
     */
    public ExecutionModel events() {
        return events;
    }

    public TraceRun run() {
        return run;
    }

    public Symbolizer symbolizer() {
        return symbolizer;
    }

    /** Monotonic ns of time 0 of this model (the run's first event). */
    public long originNs() {
        return origin;
    }

    /** Length of the run in ns. */
    public long durationNs() {
        return end - origin;
    }

    /** ns since the origin for a monotonic timestamp of the trace. */
    public long time(long monotonicNs) {
        return monotonicNs - origin;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public Row row(int id) {
        return rows.get(id);
    }

    public int rowOf(ThreadTrace thread) {
        Integer r = threadRow.get(thread);
        if (r == null) {
            throw new IllegalArgumentException(thread + " is not part of this model's run");
        }
        return r;
    }

    /** The row of a thread of {@link #events()}. */
    public int rowOf(ExecThread thread) {
        Integer r = execRow.get(thread);
        if (r == null) {
            throw new IllegalArgumentException(thread + " is not part of this model's run");
        }
        return r;
    }

    public int rowOf(ProcessImage image) {
        Integer r = processRow.get(image);
        if (r == null) {
            throw new IllegalArgumentException(image + " is not part of this model's run");
        }
        return r;
    }

    /** The thread of {@link #events()} behind a thread row. */
    public Optional<ExecThread> execThread(int rowId) {
        return Optional.ofNullable(rowExec.get(rowId));
    }

    /** The agent's thread behind a thread row (its records), when the timeline was built from a run read whole. */
    public Optional<ThreadTrace> thread(int rowId) {
        return Optional.ofNullable(rowThread.get(rowId));
    }

    /** A lock or variable of the process by the global at its address (the program's symbols), else its address. */
    String dataName(ExecProcess p, long address) {
        ProcessImage img = image(p);
        return img == null ? Describe.hex(address) : symbolizer.dataName(img, address).orElse(Describe.hex(address));
    }

    /** The agent's image of a process of the model (for the symbolizer), or null. */
    ProcessImage image(ExecProcess p) {
        return run == null ? null : run.image(p.pid(), p.startNs()).orElse(null);
    }

    /** The model's span drawn at that row and depth from that start, or null (running, or none). */
    Span spanAt(int rowId, int depth, long startNs) {
        List<Level> ls = levels.get(rowId);
        if (depth < 0 || depth >= ls.size()) {
            return null;
        }
        Level l = ls.get(depth);
        for (int i = l.firstStartingAtOrAfter(startNs); i < l.size() && l.start(i) == startNs; i++) {
            if (l.span(i) != null) {
                return l.span(i);
            }
        }
        return null;
    }

    /** What an instant of this model stands for (the first of its kind at its time on its row), or null. */
    Describe.Origin originOf(Instant in) {
        Moments a = instants.get(in.rowId());
        for (int i = a.firstAtOrAfter(in.timeNs()); i < a.size() && a.at(i).timeNs() == in.timeNs(); i++) {
            if (a.at(i).kind() == in.kind()) {
                return a.originAt(i);
            }
        }
        return null;
    }

    /** Deepest nesting of the row's spans + 1 (0 for process rows). */
    public int depthCount(int rowId) {
        return levels.get(rowId).size();
    }

    /** Every span of the row that overlaps [t0, t1], by depth then start. */
    public List<StateSpan> spans(int rowId, long t0, long t1) {
        List<StateSpan> out = new ArrayList<>();
        List<Level> ls = levels.get(rowId);
        for (int d = 0; d < ls.size(); d++) {
            Level l = ls.get(d);
            for (int i = l.firstEndingAtOrAfter(t0); i < l.size() && l.start(i) <= t1; i++) {
                out.add(span(rowId, l, d, i, 1));
            }
        }
        return out;
    }

    /**
     * Spans for drawing at one sample per {@code resolutionNanos}: spans shorter than the resolution that follow each
     * other are merged into one span (state of the first, {@code mergedCount} > 1), so the answer has at most about
     * (t1 - t0) / resolution spans per depth however many events the window holds.
     */
    public List<StateSpan> spans(int rowId, long t0, long t1, long resolutionNanos) {
        if (resolutionNanos <= 1) {
            return spans(rowId, t0, t1);
        }
        List<StateSpan> out = new ArrayList<>();
        List<Level> ls = levels.get(rowId);
        for (int d = 0; d < ls.size(); d++) {
            Level l = ls.get(d);
            int i = l.firstEndingAtOrAfter(t0);
            while (i < l.size() && l.start(i) <= t1) {
                if (l.end(i) - l.start(i) >= resolutionNanos) {
                    out.add(span(rowId, l, d, i, 1));
                    i++;
                    continue;
                }
                long sampleEnd = l.start(i) + resolutionNanos;
                int j = Math.max(i + 1, l.firstEndingAtOrAfter(sampleEnd)); // i..j-1 end inside this sample
                if (j < l.size() && l.start(j) < sampleEnd && l.end(j) - l.start(j) < resolutionNanos) {
                    j++; // the short span straddling the sample's end belongs to it as well
                }
                StateSpan first = span(rowId, l, d, i, j - i);
                out.add(new StateSpan(rowId, first.startNs(), l.end(j - 1), first.state(), d, j - i,
                        first.unfinished(), j - i == 1 ? first.detail() : ""));
                i = j;
            }
        }
        return out;
    }

    private StateSpan span(int rowId, Level l, int depth, int i, int count) {
        Span x = l.span(i);
        String detail = x == null ? "" : Describe.withCpu(Describe.call(this, x), x.cpu());
        return new StateSpan(rowId, l.start(i), l.end(i), l.state(i), depth, count, l.unfinished(i), detail);
    }

    /** Instants of the row in [t0, t1], by time. */
    public List<Instant> instants(int rowId, long t0, long t1) {
        Moments a = instants.get(rowId);
        List<Instant> out = new ArrayList<>();
        for (int i = a.firstAtOrAfter(t0); i < a.size() && a.at(i).timeNs() <= t1; i++) {
            out.add(a.at(i));
        }
        return out;
    }

    /** Arrows that touch [t0, t1] (either end inside, or spanning it), by their earlier end. */
    public List<Arrow> arrows(long t0, long t1) {
        int lo = 0, hi = arrows.length;
        while (lo < hi) { // first arrow whose running maximum end reaches t0: all before it end earlier
            int mid = (lo + hi) >>> 1;
            if (arrowMaxEnd[mid] < t0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<Arrow> out = new ArrayList<>();
        for (int i = lo; i < arrows.length && arrows[i].minNs() <= t1; i++) {
            if (arrows[i].maxNs() >= t0) {
                out.add(arrows[i]);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- building

    private int addRow(Row.Kind kind, int parent, int pid, int tid, String label, long start, long end,
            ThreadTrace thread, ExecThread exec) {
        int id = rows.size();
        rows.add(new Row(id, parent, kind, pid, tid, label, start, end));
        levels.add(new ArrayList<>());
        rowThread.add(thread);
        rowExec.add(exec);
        instants.add(Moments.NONE);
        return id;
    }

    /**
     * Rows from the execution-event model: a process row per image, then its threads (main first). The agent's thread
     * behind each row is kept for the span and detail texts, which still read its records.
     */
    private void buildRows() {
        Map<String, ThreadTrace> traces = new HashMap<>();
        for (ThreadTrace x : run == null ? List.<ThreadTrace>of() : run.threads()) {
            traces.put(x.file(), x);
        }
        for (ExecProcess p : events().processes()) {
            long imgEnd = imageEnd(p);
            int prow = addRow(Row.Kind.PROCESS, -1, p.pid(), p.pid(), "pid " + p.pid() + " " + p.command(),
                    time(p.firstTs()), time(imgEnd), null, null);
            ProcessImage img = image(p);
            if (img != null) {
                processRow.put(img, prow);
            }
            Map<Long, String> startNames = startRoutineNames(img, p);
            for (ExecThread t : p.threads()) {
                String role = t.isMain() ? (p.origin() == ExecProcess.Origin.FORK ? "forked main" : "main")
                        : startNames.getOrDefault(t.startRoutine(), "thread");
                // the name the program gave the thread comes first, as in top and gdb
                String name = t.name().filter(n -> !n.isEmpty()).map(n -> n.equals(role) ? n : n + " (" + role + ")")
                        .orElse(role);
                long end = t.end().map(interleave.engine.events.Instant::ts).orElse(Math.max(t.lastTs(), imgEnd));
                ThreadTrace trace = traces.get(t.source());
                int row = addRow(Row.Kind.THREAD, prow, t.pid(), t.tid(), "tid " + t.tid() + " " + name,
                        time(t.firstTs()), time(end), trace, t);
                execRow.put(t, row);
                if (trace != null) {
                    threadRow.put(trace, row);
                }
                Lane before = previous == null ? null : previous.lanes.get(t);
                if (before != null && t.version() <= previous.version && before.endNs() == end
                        && before.row() == row) {
                    reuse(row, t, before);
                } else if (buildLane(row, t, end, before)) {
                    extended++;
                }
            }
        }
    }

    private Map<Long, String> startRoutineNames(ProcessImage img, ExecProcess p) {
        List<Long> addrs = new ArrayList<>();
        for (ExecThread t : p.threads()) {
            if (t.startRoutine() != 0) {
                addrs.add(t.startRoutine());
            }
        }
        Map<Long, String> out = new HashMap<>();
        if (addrs.isEmpty() || img == null) {
            return out;
        }
        symbolizer.symbolizeAll(img, addrs, false).forEach((a, line) -> out.put(a,
                line.functionName().orElse("start 0x" + Long.toHexString(a))));
        return out;
    }

    /** When an image ended: its exit (or exec), else the wait that reaped it (killed), else the end of the run. */
    private long imageEnd(ExecProcess p) {
        if (p.exitInstant().isPresent() || p.execSuccessor().isPresent()) {
            return Math.max(p.endTs(), p.lastTs());
        }
        interleave.engine.events.Instant reap = p.parent().map(q -> q.reapOf(p.pid(), p.startNs())).orElse(null);
        return reap != null ? Math.max(reap.ts(), p.lastTs()) : end;
    }

    /** The state a span of the model shows as, or null for kinds the timeline does not draw as spans. */
    static State stateOf(String kind) {
        return switch (kind) {
            case Kinds.ACCEPT -> State.ACCEPT;
            case Kinds.CONNECT -> State.CONNECT;
            case Kinds.READ -> State.READ;
            case Kinds.WRITE -> State.WRITE;
            case Kinds.RECV -> State.RECV;
            case Kinds.SEND -> State.SEND;
            case Kinds.SELECT -> State.SELECT;
            case Kinds.POLL -> State.POLL;
            case Kinds.EPOLL_WAIT -> State.EPOLL;
            case Kinds.LOCK_WAIT -> State.LOCK;
            case Kinds.COND_WAIT -> State.COND_WAIT;
            case Kinds.SEM_WAIT -> State.SEM_WAIT;
            case Kinds.THREAD_JOIN -> State.JOIN;
            case Kinds.PROCESS_WAIT -> State.WAIT_CHILD;
            case Kinds.SLEEP -> State.SLEEP;
            case Kinds.FORK -> State.FORK;
            case Kinds.EXEC -> State.EXEC;
            case Kinds.THREAD_CREATE -> State.CREATE_THREAD;
            case Kinds.RAISE -> State.RAISE;
            case Kinds.SIGNAL_HANDLER -> State.SIGNAL_HANDLER;
            case Kinds.STDIO -> State.STDIO;
            case Kinds.MALLOC -> State.MALLOC;
            case Kinds.FREE -> State.FREE;
            default -> null;
        };
    }

    /** The lane of an unchanged thread as the previous timeline built it (at the same row). */
    private void reuse(int row, ExecThread t, Lane before) {
        levels.set(row, before.levels());
        instants.set(row, before.instants());
        lanes.put(t, before);
        reused++;
    }

    /** Whether a list the model only appends to still starts with what a lane took from it ({@code count}, last). */
    private static boolean startsWith(List<?> list, int count, Object last) {
        return list.size() >= count && (count == 0 || list.get(count - 1) == last);
    }

    /** (ts, ref) of a moment before the start record of a span: in the thread's order of records. */
    private static boolean before(interleave.engine.events.Instant i, Span s) {
        return i.ts() < s.start() || i.ts() == s.start() && i.ref() < s.ref();
    }

    /**
     * Writes the spans of one thread into its levels, in the thread's order: a span that ended goes to the shared
     * part while none before it is still running, the others to the timeline's own part.
     */
    private final class LaneWriter {
        final List<Level> ls;
        final long endTs;
        long runningFrom;
        boolean blockedAtEnd, ordered = true;

        LaneWriter(List<Level> ls, long runningFrom, long endTs) {
            this.ls = ls;
            this.runningFrom = runningFrom;
            this.endTs = endTs;
        }

        private void add(int depth, long s, long e, State st, Span ev, boolean open, boolean shared) {
            Level l = level(ls, depth);
            ordered &= l.lastStart() <= s;
            if (shared) {
                l.addSettled(s, e, st, ev, open);
            } else {
                l.add(s, e, st, ev, open);
            }
        }

        void span(Span s, boolean shared) {
            State st = stateOf(s.kind());
            if (st == null || s.ref() == s.endRef()) {
                return; // not drawn, or one record (a call measured in one event): no span
            }
            if (s.running()) {
                // the stretch before it first: the level stays in start order, with nothing to sort
                if (s.depth() == 0 && s.start() > runningFrom) {
                    add(0, time(runningFrom), time(s.start()), State.RUNNING, null, false, shared);
                }
                add(s.depth(), time(s.start()), time(Math.max(endTs, s.start())), st, s, true, shared);
                blockedAtEnd |= s.depth() == 0;
                return;
            }
            if (s.depth() == 0) {
                if (s.start() > runningFrom) {
                    add(0, time(runningFrom), time(s.start()), State.RUNNING, null, false, shared);
                }
                runningFrom = s.end();
            }
            add(s.depth(), time(s.start()), time(s.end()), st, s, s.endRef() < 0, shared);
        }

        void end() {
            if (!blockedAtEnd && endTs > runningFrom) {
                add(0, time(runningFrom), time(endTs), State.RUNNING, null, false, false);
            }
        }
    }

    /**
     * The thread's spans from the model (call pairing is the model's): calls that began and ended in two events, at
     * their depth; a call closed because an outer one returned (a handler left with longjmp) or never closed is
     * unfinished. The gaps of depth 0 are RUNNING. Instants are the spans' and the model's moments.
     * <p>
     * A thread of a growing model keeps growing at its end: its spans up to the first one still running have ended and
     * never change, and what comes later starts after them. So a lane the previous timeline built for the thread is
     * extended (its shared part taken over, what follows derived again): a step costs what the thread did since, plus
     * what was still running then. Returns whether the lane was extended rather than built from scratch.
     */
    private boolean buildLane(int row, ExecThread x, long endTs, Lane before) {
        boolean imageKnown = image(x.process()) != null;
        Resume r = before == null ? null : before.resume();
        List<Span> spans = x.spans();
        List<interleave.engine.events.Instant> moments = x.instants();
        boolean extend = r != null && before.row() == row && (r.imageKnown() || !imageKnown)
                && x.lateVersion() <= before.version()
                && r.firstTs() == x.firstTs() && startsWith(spans, r.spans(), r.lastSpan())
                && startsWith(moments, r.moments(), r.lastMoment());
        List<Level> ls = new ArrayList<>();
        Moments in;
        List<Span> sharedLinks;
        int from = 0, mFrom = 0;
        long runningFrom = x.firstTs();
        if (extend) {
            for (Level l : before.levels()) {
                ls.add(l.continuing());
            }
            in = before.instants().continuing();
            Links b = before.links();
            sharedLinks = b.shared().size() == b.sharedSize() ? b.shared()
                    : new ArrayList<>(b.shared().subList(0, b.sharedSize()));
            from = r.spans();
            mFrom = r.moments();
            runningFrom = r.runningFrom();
        } else {
            in = new Moments();
            sharedLinks = new ArrayList<>();
        }
        int n = spans.size(), cut = from;
        while (cut < n && !spans.get(cut).running()) {
            cut++;
        }
        int mCut = moments.size();
        if (cut < n) {
            mCut = mFrom;
            while (mCut < moments.size() && before(moments.get(mCut), spans.get(cut))) {
                mCut++;
            }
        }
        LaneWriter w = new LaneWriter(ls, runningFrom, endTs);
        List<Span> ownLinks = new ArrayList<>();
        for (int i = from; i < cut; i++) {
            Span s = spans.get(i);
            w.span(s, true);
            if (Links.wanted(s)) {
                sharedLinks.add(s);
            }
        }
        long settledRunningFrom = w.runningFrom;
        for (int i = cut; i < n; i++) {
            Span s = spans.get(i);
            w.span(s, false);
            if (Links.wanted(s)) {
                ownLinks.add(s);
            }
        }
        w.end();
        List<Describe.Marked> settled = Describe.instants(this, row, spans.subList(from, cut),
                moments.subList(mFrom, mCut));
        Describe.Origin last = in.lastShared();
        if (!settled.isEmpty() && last != null) {
            Describe.Origin first = settled.get(0).origin();
            w.ordered &= last.ts() < first.ts() || last.ts() == first.ts() && last.ref() < first.ref();
        }
        if (!w.ordered) {
            // spans or moments out of the thread's order (not expected from a source): everything this timeline's
            // own, sorted, and the next build starts over
            buildUnordered(row, x, endTs, before);
            return false;
        }
        in.addShared(settled);
        in.freeze(Describe.instants(this, row, spans.subList(cut, n), moments.subList(mCut, moments.size())));
        for (Level l : ls) {
            l.freeze();
        }
        levels.set(row, ls);
        instants.set(row, in);
        Resume next = new Resume(cut, cut > 0 ? spans.get(cut - 1) : null, mCut, mCut > 0 ? moments.get(mCut - 1)
                : null, settledRunningFrom, x.firstTs(), imageKnown);
        lanes.put(x, new Lane(version, endTs, row, ls, in, new Links(sharedLinks, sharedLinks.size(), ownLinks),
                next));
        return extend;
    }

    /** The lane from scratch, all of it the timeline's own and sorted; not extended by the next build. */
    private void buildUnordered(int row, ExecThread x, long endTs, Lane before) {
        List<Level> ls = new ArrayList<>();
        LaneWriter w = new LaneWriter(ls, x.firstTs(), endTs);
        List<Span> links = new ArrayList<>();
        for (Span s : x.spans()) {
            w.span(s, false);
            if (Links.wanted(s)) {
                links.add(s);
            }
        }
        w.end();
        for (Level l : ls) {
            l.sortOwn();
            l.freeze();
        }
        Moments in = new Moments().freeze(Describe.instants(this, row, x));
        levels.set(row, ls);
        instants.set(row, in);
        lanes.put(x, new Lane(version, endTs, row, ls, in, new Links(List.of(), 0, links), null));
    }

    private static Level level(List<Level> ls, int depth) {
        while (ls.size() <= depth) {
            ls.add(new Level());
        }
        return ls.get(depth);
    }

    private void indexArrows(List<Arrow> list) {
        list.sort(Comparator.comparingLong(Arrow::minNs).thenComparingLong(Arrow::maxNs)
                .thenComparingInt(Arrow::fromRow).thenComparingInt(Arrow::toRow));
        arrows = list.toArray(new Arrow[0]);
        arrowMaxEnd = new long[arrows.length];
        long max = Long.MIN_VALUE;
        for (int i = 0; i < arrows.length; i++) {
            max = Math.max(max, arrows[i].maxNs());
            arrowMaxEnd[i] = max;
        }
    }
}
