package interleave.ui.timeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;

import interleave.engine.finding.Finding;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.StateSpan;
import interleave.ui.timeline.FrameQuery.Frame;
import interleave.ui.timeline.FrameQuery.Request;
import interleave.ui.timeline.FrameQuery.RowData;

/**
 * The painted half of the timeline: a time axis, then one lane per visible item of the lanes tree beside it (same y,
 * same height, so the tree is the lane header). It draws only the lanes the tree shows, only in the visible window,
 * from a {@link Frame} asked of the model at one sample per pixel on a background job; while a newer frame is being
 * computed it keeps drawing the last one (times are in ns, so the old frame is simply drawn at the new scale), and
 * only the answer to the newest request is applied.
 */
public final class TimelineCanvas {
    /** Job family of the frame queries, for waiting in tests. */
    public static final Object FRAME_FAMILY = new Object();
    public static final int AXIS_HEIGHT = 28;
    /** How to use it; the canvas's tooltip wherever the pointer is over nothing in particular. */
    public static final String USAGE = "Mouse wheel: zoom in/out at the pointer. Drag: pan in time."
            + " Shift+wheel: scroll the lanes. Double-click the background or 0: zoom to fit. Keys + and - zoom,"
            + " arrow keys pan. Click an event to see its details; double-click it (or press Enter) to go to its"
            + " source. Hover a red mark to read its finding; click it to select it.";
    private static final double MIN_WINDOW_NS = 1_000;
    private static final int FINDING_HIT_PX = 5;

    private final Canvas canvas;
    private final Tree lanes;
    private final Map<RGB, Color> colours = new HashMap<>();
    private final List<Runnable> windowListeners = new ArrayList<>();
    private final QueryJob queryJob = new QueryJob();

    private LoadedRun run;
    private Map<Integer, TreeItem> itemOfRow = Map.of();
    private double t0 = 0, width = MIN_WINDOW_NS; // the visible window, ns since the run's start
    private int selectedFinding = -1;
    private boolean provisional;
    private IntConsumer findingClicked = i -> {
    };
    private IntConsumer findingOpened = i -> {
    };
    private Consumer<Pick> eventSelected = p -> {
    };
    private Consumer<Pick> eventOpened = p -> {
    };
    private Pick selectedEvent;
    private TimelineFilter filter;

    private volatile Request latest;
    private Frame frame;
    private List<Integer> drawnRows = List.of();

    private long paints, lastPaintNanos, lastPaintCpuNanos; // for the speed benchmark (bench/timeline.sh)
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory
            .getThreadMXBean();

    private int dragX = -1;
    private double dragT0;
    private boolean dragged;

    /**
     * An event picked on the canvas: a span (a call, or a running stretch) or an instant, on its row, as the model
     * gives it at full resolution.
     */
    public record Pick(StateSpan span, Instant instant) {
        public int rowId() {
            return span != null ? span.rowId() : instant.rowId();
        }

        public long timeNs() {
            return span != null ? span.startNs() : instant.timeNs();
        }

        public long endNs() {
            return span != null ? span.endNs() : instant.timeNs();
        }

        /** The event in full (calls the symbolizer: off the UI thread for a program with large debug info). */
        public interleave.engine.timeline.EventDetails details(interleave.engine.timeline.TimelineModel m) {
            return span != null ? interleave.engine.timeline.EventDetails.of(m, span)
                    : interleave.engine.timeline.EventDetails.of(m, instant);
        }
    }

    /** A lane on screen: its row, where it is (canvas coordinates) and the tree item that heads it. */
    record Lane(Row row, TreeItem item, int y, int height) {
    }

    public TimelineCanvas(Composite parent, Tree lanes) {
        this.lanes = lanes;
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED | SWT.NO_BACKGROUND);
        canvas.setToolTipText(USAGE);
        canvas.addListener(SWT.Paint, e -> {
            long start = System.nanoTime(), cpu = THREADS.getCurrentThreadCpuTime();
            paint(e.gc);
            lastPaintNanos = System.nanoTime() - start;
            lastPaintCpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
            paints++;
            Runnable painted = onFramePainted;
            if (painted != null && paintedRun() != null) {
                onFramePainted = null;
                painted.run();
            }
        });
        canvas.addListener(SWT.Resize, e -> canvas.redraw());
        canvas.addListener(SWT.MouseVerticalWheel, this::wheel);
        canvas.addListener(SWT.MouseDown, this::mouseDown);
        canvas.addListener(SWT.MouseMove, this::mouseMove);
        canvas.addListener(SWT.MouseUp, this::mouseUp);
        canvas.addListener(SWT.MouseDoubleClick, this::doubleClick);
        canvas.addListener(SWT.KeyDown, this::key);
        canvas.addListener(SWT.Dispose, e -> {
            queryJob.cancel();
            colours.values().forEach(Color::dispose);
        });
        // The tree scrolls, expands and collapses lanes: follow it.
        Runnable later = () -> canvas.getDisplay().asyncExec(this::redraw);
        lanes.getVerticalBar().addListener(SWT.Selection, e -> redraw());
        for (int type : new int[] { SWT.Expand, SWT.Collapse, SWT.MouseWheel, SWT.KeyDown, SWT.Resize,
                SWT.Selection }) {
            lanes.addListener(type, e -> later.run());
        }
    }

    public Canvas control() {
        return canvas;
    }

    /** Shows a run (null: none); the window is where its activity is. itemOfRow maps each row to its lane's tree item. */
    void setRun(LoadedRun newRun, Map<Integer, TreeItem> items) {
        setRun(newRun, items, false);
    }

    /**
     * Shows a run; {@code keepWindow}: a newer snapshot of the run shown (following it live), the window and the
     * selected finding stay where the user left them.
     */
    void setRun(LoadedRun newRun, Map<Integer, TreeItem> items, boolean keepWindow) {
        LoadedRun before = run;
        run = newRun;
        itemOfRow = Map.copyOf(items);
        frame = null;
        latest = null;
        if (!keepWindow || !sameLane(before, newRun, selectedEvent)) {
            selectedEvent = null; // row ids follow the build order: a newer snapshot may number lanes differently
        }
        if (!keepWindow) {
            selectedFinding = -1;
            zoomToActivity();
        } else {
            if (selectedFinding >= run.findings().size()) {
                selectedFinding = -1;
            }
            canvas.redraw();
        }
    }

    private static boolean sameLane(LoadedRun a, LoadedRun b, Pick p) {
        if (a == null || b == null || p == null || p.rowId() >= a.model().rows().size()
                || p.rowId() >= b.model().rows().size()) {
            return false;
        }
        var x = a.model().row(p.rowId());
        var y = b.model().row(p.rowId());
        return x.pid() == y.pid() && x.tid() == y.tid();
    }

    private Runnable onFramePainted;

    /**
     * Runs once, on the UI thread, after the next paint that drew a frame of the run shown (its spans, not the empty
     * lanes): the loader waits for it before the detectors take the cores.
     */
    void afterFramePainted(Runnable action) {
        onFramePainted = action;
    }

    /** Findings of a run still going: drawn hollow and labelled provisional until the run ends. */
    void setProvisional(boolean provisional) {
        if (this.provisional != provisional) {
            this.provisional = provisional;
            canvas.redraw();
        }
    }

    public boolean provisional() {
        return provisional;
    }

    /** The run whose frame the last paint drew (null before its frame came): a live view's "on screen". */
    LoadedRun paintedRun() {
        return frame != null && frame.request().run() == run ? run : null;
    }

    /**
     * The same run (same model) with more to tell, its findings: the window, the selected event and the frame at
     * hand stay.
     */
    void updateRun(LoadedRun checked) {
        if (frame != null && frame.request().run() == run) {
            Request q = frame.request();
            frame = new Frame(new Request(checked, q.t0(), q.t1(), q.resolutionNs(), q.rowIds()), frame.rows(),
                    frame.arrows(), frame.arrowsThinned());
        }
        latest = null;
        run = checked;
        selectedFinding = -1;
        redraw();
    }

    /** The span where the run's events happen (see {@link ActivityWindow}), or the whole run. */
    public void zoomToActivity() {
        java.util.Optional<long[]> w = run == null ? java.util.Optional.empty() : ActivityWindow.of(run.model());
        if (w.isPresent()) {
            setWindow(w.get()[0], w.get()[1]);
        } else {
            zoomToFit();
        }
    }

    void onFindingClicked(IntConsumer listener) {
        findingClicked = listener;
    }

    /** Double-click on a finding's mark. */
    void onFindingOpened(IntConsumer listener) {
        findingOpened = listener;
    }

    /** A click on an event (null: on nothing). */
    void onEventSelected(Consumer<Pick> listener) {
        eventSelected = listener;
    }

    /** A double-click on an event, or Enter with one selected. */
    void onEventOpened(Consumer<Pick> listener) {
        eventOpened = listener;
    }

    public Pick selectedEvent() {
        return selectedEvent;
    }

    /** Marks the event as selected (outlined) without telling the listeners. */
    void selectEvent(Pick p) {
        selectedEvent = p;
        redraw();
    }

    /** Events that do not match are drawn faded, matching ones outlined; null or empty: no filter. */
    void setFilter(TimelineFilter f) {
        filter = f == null || f.isEmpty() ? null : f;
        redraw();
    }

    /** The lane at canvas y, or null. */
    Lane laneAt(int y) {
        for (Lane l : lanes()) {
            if (y >= l.y() && y < l.y() + l.height()) {
                return l;
            }
        }
        return null;
    }

    /**
     * The event under (x, y): an instant within 3 pixels, else the deepest call under the pointer, else a call within
     * 3 pixels (shorter than a pixel at this zoom), else the running stretch there. Asked of the model at full
     * resolution, so a span drawn merged with its neighbours still gives the one under the pointer.
     */
    public java.util.Optional<Pick> eventAt(int x, int y) {
        Lane lane = run == null || y < AXIS_HEIGHT ? null : laneAt(y);
        if (lane == null || run.model().execThread(lane.row().id()).isEmpty()) {
            return java.util.Optional.empty();
        }
        int row = lane.row().id();
        var model = run.model();
        long t = timeAt(x);
        long tol = Math.max(1, (long) Math.ceil(3 * nsPerPixel()));
        Instant nearest = null;
        for (Instant i : model.instants(row, t - tol, t + tol)) {
            if (nearest == null || Math.abs(i.timeNs() - t) < Math.abs(nearest.timeNs() - t)) {
                nearest = i;
            }
        }
        if (nearest != null) {
            return java.util.Optional.of(new Pick(null, nearest));
        }
        StateSpan under = null, near = null;
        for (StateSpan s : model.spans(row, t - tol, t + tol)) {
            if (s.startNs() <= t && t <= s.endNs()) {
                if (under == null || s.depth() > under.depth()) {
                    under = s;
                }
            } else if (s.state() != interleave.engine.timeline.State.RUNNING
                    && (near == null || s.depth() > near.depth())) {
                near = s;
            }
        }
        if (under != null && under.state() == interleave.engine.timeline.State.RUNNING && near != null) {
            under = near;
        }
        StateSpan picked = under != null ? under : near;
        return picked == null ? java.util.Optional.empty() : java.util.Optional.of(new Pick(picked, null));
    }

    public void addWindowListener(Runnable listener) {
        windowListeners.add(listener);
    }

    // ---------------------------------------------------------------- the window

    public long visibleStartNs() {
        return (long) Math.floor(t0);
    }

    public long visibleEndNs() {
        return (long) Math.ceil(t0 + width);
    }

    public double nsPerPixel() {
        return width / plotWidth();
    }

    private int plotWidth() {
        return Math.max(1, canvas.getClientArea().width);
    }

    private long durationNs() {
        return run == null ? 0 : run.model().durationNs();
    }

    public void zoomToFit() {
        double d = Math.max(durationNs(), MIN_WINDOW_NS);
        setWindowExact(-d * 0.01, d * 1.02);
    }

    /** Shows [from, to] (ns since the run's start), kept within sensible bounds. */
    public void setWindow(long from, long to) {
        setWindowExact(from, Math.max(1, to - from));
    }

    /** Zooms by factor (below 1: in) keeping the time under pixel x where it is. */
    public void zoom(double factor, int x) {
        double at = t0 + x * nsPerPixel();
        double w = clampWidth(width * factor);
        setWindowExact(at - x * (w / plotWidth()), w);
    }

    /** Moves the window by pixels (positive: later times come into view). */
    public void pan(int pixels) {
        setWindowExact(t0 + pixels * nsPerPixel(), width);
    }

    private double clampWidth(double w) {
        return Math.min(Math.max(w, MIN_WINDOW_NS), Math.max(durationNs(), MIN_WINDOW_NS) * 1.2);
    }

    private void setWindowExact(double from, double w) {
        w = clampWidth(w);
        double d = durationNs();
        if (w >= d) {
            from = Math.max(Math.min(from, 0), d - w); // the whole run stays in view
        } else {
            // half a window past either end at most: a moment at the run's start or end can still be centred
            from = Math.max(-w * 0.5, Math.min(from, d - w * 0.5));
        }
        if (from == t0 && w == width) {
            return;
        }
        t0 = from;
        width = w;
        canvas.redraw();
        windowListeners.forEach(Runnable::run);
    }

    public int xOf(long ns) {
        double x = (ns - t0) / nsPerPixel();
        return (int) Math.max(-10_000, Math.min(x, 100_000));
    }

    public long timeAt(int x) {
        return Math.round(t0 + x * nsPerPixel());
    }

    // ---------------------------------------------------------------- findings

    public int selectedFinding() {
        return selectedFinding;
    }

    void selectFinding(int index) {
        selectedFinding = index;
        canvas.redraw();
    }

    /** The finding whose mark is at (x, y), or -1. */
    public int findingAt(int x, int y) {
        if (run == null || y < AXIS_HEIGHT) {
            return -1;
        }
        int best = -1, bestDistance = FINDING_HIT_PX + 1;
        for (int i = 0; i < run.findings().size(); i++) {
            TraceMoment m = run.findings().get(i).moment().orElse(null);
            if (m != null) {
                int d = Math.abs(xOf(m.timeNanos()) - x);
                if (d < bestDistance) {
                    best = i;
                    bestDistance = d;
                }
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- lanes and frames (also for tests)

    /**
     * The lanes the tree shows now, top to bottom. Found by their bounds (a binary search for the first one on
     * screen, since the tree's items are laid out top to bottom), not by {@code Tree.getTopItem()}, which GTK
     * answers from the first item under the tree's top edge even when an earlier one is partly visible.
     */
    List<Lane> lanes() {
        List<Lane> out = new ArrayList<>();
        if (run == null || lanes.getItemCount() == 0) {
            return out;
        }
        List<TreeItem> items = shownItems();
        int height = lanes.getClientArea().height;
        int rowHeight = lanes.getItemHeight();
        int lo = 0, hi = items.size();
        while (lo < hi) { // first item whose bottom is below the tree's top edge
            int mid = (lo + hi) >>> 1;
            if (items.get(mid).getBounds().y + rowHeight <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int i = lo; i < items.size(); i++) {
            TreeItem item = items.get(i);
            int y = item.getBounds().y;
            if (y >= height) {
                break;
            }
            out.add(new Lane((Row) item.getData(), item, AXIS_HEIGHT + y, rowHeight));
        }
        return out;
    }

    /** The tree's items a user can see by scrolling: every process, and the threads of expanded ones. */
    private List<TreeItem> shownItems() {
        List<TreeItem> items = new ArrayList<>();
        for (TreeItem p : lanes.getItems()) {
            items.add(p);
            if (p.getExpanded()) {
                items.addAll(List.of(p.getItems()));
            }
        }
        return items;
    }

    /** How many times the canvas was painted, and how long the last paint took (ns): for the speed benchmark. */
    public long paintCount() {
        return paints;
    }

    public long lastPaintNanos() {
        return lastPaintNanos;
    }

    /** CPU time of the UI thread in the last paint (ns): what it costs, whatever else the machine is doing. */
    public long lastPaintCpuNanos() {
        return lastPaintCpuNanos;
    }

    /** Row ids of the lanes on screen. */
    public List<Integer> visibleRowIds() {
        return lanes().stream().map(l -> l.row().id()).toList();
    }

    /** Row ids of the lanes the last paint drew. */
    public List<Integer> drawnRowIds() {
        return drawnRows;
    }

    /** Arrows in the frame last applied, 0 when none. */
    public int frameArrowCount() {
        return frame == null ? 0 : frame.arrows().size();
    }

    /** Spans in the frame last applied (what is drawn), 0 when none. */
    public int frameSpanCount() {
        return frame == null ? 0 : frame.spanCount();
    }

    /** For test messages: each row of the frame last applied with its span and instant counts. */
    public String describeFrame() {
        if (frame == null) {
            return "no frame";
        }
        StringBuilder b = new StringBuilder("frame " + frame.request().t0() + ".." + frame.request().t1() + " @"
                + frame.request().resolutionNs() + "ns:");
        frame.rows().forEach((id, r) -> b.append(" row ").append(id).append('=').append(r.spans().size())
                .append('/').append(r.instants().size()));
        return b.append(", ").append(frame.arrows().size()).append(" arrows").toString();
    }

    /** The largest number of spans of one lane at one depth in the frame last applied. */
    public int frameMaxSpansPerLaneAndDepth() {
        if (frame == null) {
            return 0;
        }
        int max = 0;
        for (RowData r : frame.rows().values()) {
            Map<Integer, Integer> byDepth = new HashMap<>();
            for (StateSpan s : r.spans()) {
                max = Math.max(max, byDepth.merge(s.depth(), 1, Integer::sum));
            }
        }
        return max;
    }

    /** The window and resolution of the frame last applied: {t0, t1, ns per sample}; null when none. */
    public long[] frameWindow() {
        return frame == null ? null
                : new long[] { frame.request().t0(), frame.request().t1(), frame.request().resolutionNs() };
    }

    /** The y of the middle of the row's lane, or -1 when it is not on screen. */
    public int laneCenterY(int rowId) {
        for (Lane l : lanes()) {
            if (l.row().id() == rowId) {
                return l.y() + l.height() / 2;
            }
        }
        return -1;
    }

    private void redraw() {
        if (!canvas.isDisposed()) {
            canvas.redraw();
        }
    }

    /** Asks for a frame covering the window at this resolution unless the one drawn or the one coming does. */
    private void request(List<Lane> shown) {
        long from = visibleStartNs(), to = visibleEndNs();
        long res = Math.max(1, (long) Math.floor(nsPerPixel()));
        List<Integer> ids = shown.stream().map(l -> l.row().id()).toList();
        if (frame != null && frame.request().covers(run, from, to, res, ids)) {
            return;
        }
        Request pending = latest;
        if (pending != null && pending.covers(run, from, to, res, ids)) {
            return;
        }
        long margin = (to - from) / 2; // a little either side, so that panning has data at once
        latest = new Request(run, from - margin, to + margin, res, ids);
        queryJob.cancel();
        queryJob.schedule();
    }

    /** Computes the newest request; its answer is applied only if no newer request came meanwhile. */
    private final class QueryJob extends Job {
        QueryJob() {
            super("Concurrency Timeline: fetching the visible window");
            setSystem(true);
        }

        @Override
        public boolean belongsTo(Object family) {
            return family == FRAME_FAMILY;
        }

        @Override
        protected IStatus run(IProgressMonitor monitor) {
            Request q = latest;
            if (q == null) {
                return Status.OK_STATUS;
            }
            Frame f = FrameQuery.run(q, monitor::isCanceled);
            if (f == null) {
                return Status.CANCEL_STATUS;
            }
            if (!canvas.isDisposed()) {
                canvas.getDisplay().asyncExec(() -> {
                    if (!canvas.isDisposed() && latest == q) {
                        frame = f;
                        canvas.redraw();
                    }
                });
            }
            return Status.OK_STATUS;
        }
    }

    // ---------------------------------------------------------------- input

    private void wheel(Event e) {
        if (run == null) {
            return;
        }
        e.doit = false;
        if ((e.stateMask & SWT.SHIFT) != 0) {
            scrollLanes(e.count > 0 ? -3 : 3);
            return;
        }
        zoom(Math.pow(0.85, e.count), e.x);
    }

    private void scrollLanes(int by) {
        List<TreeItem> items = shownItems();
        List<Lane> shown = lanes();
        int top = shown.isEmpty() ? 0 : Math.max(0, items.indexOf(shown.get(0).item()));
        int next = Math.max(0, Math.min(items.size() - 1, top + by));
        if (!items.isEmpty() && next != top) {
            lanes.setTopItem(items.get(next));
            redraw();
        }
    }

    private void mouseDown(Event e) {
        canvas.setFocus();
        if (e.button == 1 && run != null) {
            dragX = e.x;
            dragT0 = t0;
            dragged = false;
        }
    }

    private void mouseMove(Event e) {
        if (dragX >= 0 && (e.stateMask & SWT.BUTTON1) != 0) {
            if (Math.abs(e.x - dragX) > 2) {
                dragged = true;
            }
            if (dragged) {
                setWindowExact(dragT0 - (e.x - dragX) * nsPerPixel(), width);
            }
            return;
        }
        String tip = toolTipAt(e.x, e.y);
        if (!Objects.equals(tip, canvas.getToolTipText())) {
            canvas.setToolTipText(tip);
        }
    }

    private void mouseUp(Event e) {
        if (dragX < 0) {
            return;
        }
        if (dragged) {
            setWindowExact(dragT0 - (e.x - dragX) * nsPerPixel(), width);
        } else {
            int f = findingAt(e.x, e.y);
            if (f >= 0) {
                findingClicked.accept(f);
            } else {
                Lane l = laneAt(e.y);
                if (l != null) {
                    lanes.setSelection(l.item());
                }
                selectedEvent = eventAt(e.x, e.y).orElse(null);
                eventSelected.accept(selectedEvent);
                redraw();
            }
        }
        dragX = -1;
        dragged = false;
    }

    private void doubleClick(Event e) {
        int f = findingAt(e.x, e.y);
        if (f >= 0) {
            findingOpened.accept(f);
            return;
        }
        java.util.Optional<Pick> p = eventAt(e.x, e.y);
        if (p.isPresent()) {
            selectedEvent = p.get();
            redraw();
            eventOpened.accept(p.get());
            return;
        }
        zoomToFit();
    }

    private void key(Event e) {
        switch (e.keyCode) {
        case SWT.CR, SWT.KEYPAD_CR -> {
            if (selectedEvent != null) {
                eventOpened.accept(selectedEvent);
            }
        }
        case '+', '=', SWT.KEYPAD_ADD -> zoom(0.7, plotWidth() / 2);
        case '-', SWT.KEYPAD_SUBTRACT -> zoom(1 / 0.7, plotWidth() / 2);
        case '0', SWT.KEYPAD_0 -> zoomToFit();
        case SWT.ARROW_LEFT -> pan(-plotWidth() / 10);
        case SWT.ARROW_RIGHT -> pan(plotWidth() / 10);
        case SWT.ARROW_UP -> scrollLanes(-1);
        case SWT.ARROW_DOWN -> scrollLanes(1);
        default -> {
            // not ours
        }
        }
    }

    /** What the pointer is over, in words: a finding, a span, an instant; else how to use the canvas. */
    public String toolTipAt(int x, int y) {
        if (run == null) {
            return USAGE;
        }
        String onCpu = cpuToolTipAt(x, y);
        if (onCpu != null) {
            return onCpu;
        }
        int f = findingAt(x, y);
        if (f >= 0) {
            Finding finding = run.findings().get(f);
            return finding.message() + "\n\n" + finding.ruleId() + " (" + finding.severity().label() + ") at "
                    + TimelinePresentation.time(finding.moment().get().timeNanos()) + ". Click to select it."
                    + (provisional ? "\nProvisional: the run goes on and may still prove it wrong." : "");
        }
        Lane lane = null;
        for (Lane l : lanes()) {
            if (y >= l.y() && y < l.y() + l.height()) {
                lane = l;
            }
        }
        if (lane == null || frame == null || !frame.rows().containsKey(lane.row().id())) {
            return USAGE;
        }
        RowData data = frame.rows().get(lane.row().id());
        for (Instant i : data.instants()) {
            if (Math.abs(xOf(i.timeNs()) - x) <= 2) {
                return lane.row().label() + ": " + i.label() + " at " + TimelinePresentation.time(i.timeNs());
            }
        }
        long t = timeAt(x);
        StateSpan best = null;
        for (StateSpan s : data.spans()) {
            if (s.startNs() <= t && t <= s.endNs() && (best == null || s.depth() > best.depth())) {
                best = s;
            }
        }
        if (best == null) {
            return USAGE;
        }
        StringBuilder tip = new StringBuilder(lane.row().label()).append(": ")
                .append(TimelinePresentation.describe(best));
        tip.append("\nfrom ").append(TimelinePresentation.time(best.startNs())).append(" for ")
                .append(TimelinePresentation.time(best.endNs() - best.startNs()));
        if (best.unfinished()) {
            tip.append("; the call had not returned when the trace ended (blocked, deadlocked or killed)");
        }
        if (best.mergedCount() > 1) {
            tip.append("\n").append(best.mergedCount())
                    .append(" short spans drawn as one at this zoom; zoom in to see each");
        } else if (best.state() != interleave.engine.timeline.State.RUNNING) {
            tip.append("\nClick for its details, double-click to go to its source.");
        }
        return tip.toString();
    }

    // ---------------------------------------------------------------- painting

    private Color colour(RGB rgb) {
        return colours.computeIfAbsent(rgb, c -> new Color(canvas.getDisplay(), c));
    }

    private void paint(GC gc) {
        Rectangle area = canvas.getClientArea();
        gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        gc.fillRectangle(area);
        if (run == null) {
            gc.setForeground(colour(TimelinePresentation.TEXT));
            gc.drawText("No trace run open. Open Trace Run... (in this view's toolbar or the Interleave menu) reads"
                    + " a directory written by 'interleave trace --out DIR'.", 8, AXIS_HEIGHT + 8, true);
            drawnRows = List.of();
            return;
        }
        List<Lane> shown = lanes();
        drawnRows = shown.stream().map(l -> l.row().id()).toList();
        request(shown);
        gc.setAntialias(SWT.OFF); // lanes, spans and ticks are axis-aligned: smoothing them only costs time
        gc.setTextAntialias(SWT.ON);

        // outside the run: shaded; lane stripes and the selected lane
        int runStart = xOf(0), runEnd = xOf(durationNs());
        gc.setBackground(colour(TimelinePresentation.AXIS_BACKGROUND));
        if (runStart > 0) {
            gc.fillRectangle(0, AXIS_HEIGHT, runStart, area.height);
        }
        if (runEnd < area.width) {
            gc.fillRectangle(Math.max(0, runEnd), AXIS_HEIGHT, area.width, area.height);
        }
        TreeItem[] selection = lanes.getSelection();
        for (int i = 0; i < shown.size(); i++) {
            Lane l = shown.get(i);
            boolean selected = selection.length > 0 && selection[0] == l.item();
            if (selected || i % 2 == 1) {
                gc.setBackground(colour(selected ? TimelinePresentation.LANE_SELECTED : TimelinePresentation.LANE_STRIPE));
                gc.fillRectangle(Math.max(0, runStart), l.y(), Math.min(area.width, runEnd) - Math.max(0, runStart),
                        l.height());
            }
        }
        long step = TimelinePresentation.tickStep(nsPerPixel() * 90);
        gc.setForeground(colour(TimelinePresentation.GRID));
        for (long t = Math.floorDiv(visibleStartNs(), step) * step; t <= visibleEndNs(); t += step) {
            gc.drawLine(xOf(t), AXIS_HEIGHT, xOf(t), area.height);
        }

        Map<Integer, Lane> laneOfRow = new HashMap<>();
        for (Lane l : shown) {
            laneOfRow.put(l.row().id(), l);
        }
        if (frame != null && frame.request().run() == run) {
            for (Lane l : shown) {
                RowData data = frame.rows().get(l.row().id());
                if (data != null) {
                    drawLane(gc, l, data, area);
                }
            }
            drawArrows(gc, laneOfRow, area);
        }
        drawSelectedEvent(gc, laneOfRow, area);
        drawFindings(gc, laneOfRow, area);
        drawCpuLanes(gc, area);
        drawAxis(gc, area, step);
    }

    // ---------------------------------------------------------------- CPU lanes

    /** Height of one CPU lane, in pixels. */
    static final int CPU_LANE_HEIGHT = 18;
    /** Thread colours on the CPU lanes: distinct, none the findings' red. */
    private static final RGB[] THREAD_COLOURS = { new RGB(0x1e, 0x88, 0xe5), new RGB(0x43, 0xa0, 0x47),
            new RGB(0xfb, 0x8c, 0x00), new RGB(0x8e, 0x24, 0xaa), new RGB(0x00, 0xac, 0xc1),
            new RGB(0x6d, 0x4c, 0x41), new RGB(0xc0, 0xca, 0x33), new RGB(0x3f, 0x51, 0xb5),
            new RGB(0xec, 0x40, 0x7a), new RGB(0x75, 0x75, 0x75) };

    private boolean cpuLanesShown;
    private List<Integer> cpus = List.of(); // of the run shown, when the lanes are on
    private CpuLanes.Frame cpuFrame;
    private volatile CpuRequest cpuLatest;

    private record CpuRequest(LoadedRun run, long t0, long t1, long resolutionNs) {
    }
    private final CpuJob cpuJob = new CpuJob();

    /** Shows or hides one lane per CPU at the bottom of the canvas: which thread ran there. */
    public void setCpuLanes(boolean on) {
        cpuLanesShown = on;
        redraw();
    }

    public boolean cpuLanesShown() {
        return cpuLanesShown;
    }

    /** The CPUs drawn (empty while their lanes are off, computing, or the trace has no CPU records). */
    public List<Integer> cpuLaneCpus() {
        return cpuLanesShown && cpuFrame != null && run != null && cpuFrame.run().model() == run.model() ? cpus
                : List.of();
    }

    /** The y of the middle of the k-th CPU lane drawn, or -1. */
    public int cpuLaneY(int k) {
        List<Integer> drawn = cpuLaneCpus();
        if (k < 0 || k >= drawn.size()) {
            return -1;
        }
        return cpuStripTop() + k * CPU_LANE_HEIGHT + CPU_LANE_HEIGHT / 2;
    }

    private int cpuStripTop() {
        return canvas.getClientArea().height - cpuLaneCpus().size() * CPU_LANE_HEIGHT;
    }

    static RGB threadColour(int rowId) {
        return THREAD_COLOURS[Math.floorMod(rowId, THREAD_COLOURS.length)];
    }

    /** The strip of CPU lanes over the bottom of the lanes (asked for in the background when not at hand). */
    private void drawCpuLanes(GC gc, Rectangle area) {
        if (!cpuLanesShown) {
            return;
        }
        long from = visibleStartNs(), to = visibleEndNs();
        long res = Math.max(1, (long) Math.floor(nsPerPixel()));
        CpuRequest pending = cpuLatest;
        boolean fresh = cpuFrame != null && cpuFrame.covers(run, from, to, res);
        if (!fresh && (pending == null || pending.run().model() != run.model() || pending.t0() > from || pending.t1() < to
                || pending.resolutionNs() != res)) {
            long margin = (to - from) / 2;
            cpuLatest = new CpuRequest(run, from - margin, to + margin, res);
            cpuJob.cancel();
            cpuJob.schedule();
        }
        if (cpuLaneCpus().isEmpty()) {
            return;
        }
        int top = cpuStripTop();
        gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        gc.fillRectangle(0, top, area.width, area.height - top);
        gc.setForeground(colour(TimelinePresentation.TEXT));
        gc.drawLine(0, top, area.width, top);
        for (int k = 0; k < cpus.size(); k++) {
            int y = top + k * CPU_LANE_HEIGHT;
            for (CpuLanes.Span sp : cpuFrame.cpus().getOrDefault(cpus.get(k), List.of())) {
                int x0 = Math.max(-1, xOf(sp.startNs())), x1 = Math.min(area.width + 1, xOf(sp.endNs()));
                if (x1 < 0 || x0 > area.width) {
                    continue;
                }
                gc.setBackground(colour(threadColour(sp.rowId())));
                gc.fillRectangle(x0, y + 2, Math.max(1, x1 - x0), CPU_LANE_HEIGHT - 4);
            }
            gc.setForeground(colour(TimelinePresentation.TEXT));
            gc.drawText("CPU " + cpus.get(k), 4, y + 2, true);
        }
    }

    /** Over a CPU lane: the thread that ran there, else null (not over the strip). */
    private String cpuToolTipAt(int x, int y) {
        List<Integer> drawn = cpuLaneCpus();
        int top = cpuStripTop();
        if (drawn.isEmpty() || y < top) {
            return null;
        }
        int k = Math.min(drawn.size() - 1, (y - top) / CPU_LANE_HEIGHT);
        long t = timeAt(x);
        for (CpuLanes.Span sp : cpuFrame.cpus().getOrDefault(drawn.get(k), List.of())) {
            if (xOf(sp.startNs()) <= x && x <= Math.max(xOf(sp.startNs()), xOf(sp.endNs()))) {
                Row r = run.model().row(sp.rowId());
                return "CPU " + drawn.get(k) + ": " + r.label() + " (pid " + r.pid() + ", tid " + r.tid() + ") ran here, "
                        + TimelinePresentation.time(sp.startNs()) + " to " + TimelinePresentation.time(sp.endNs())
                        + ".\nA thread is on a CPU between its traced calls (time inside a call is not counted:"
                        + " it may have slept there).";
            }
        }
        return "CPU " + drawn.get(k) + " at " + TimelinePresentation.time(t)
                + ": no traced thread ran its own code here (idle, another program, or inside a call).";
    }

    /** Computes the CPU lanes for the newest request, in the background like the frame query. */
    private final class CpuJob extends Job {
        CpuJob() {
            super("Concurrency Timeline: CPU lanes");
            setSystem(true);
        }

        @Override
        public boolean belongsTo(Object family) {
            return family == FRAME_FAMILY;
        }

        @Override
        protected IStatus run(IProgressMonitor monitor) {
            CpuRequest q = cpuLatest;
            if (q == null) {
                return Status.OK_STATUS;
            }
            LoadedRun on = q.run();
            List<Integer> all = CpuLanes.cpusOf(on.model());
            CpuLanes.Frame f = CpuLanes.run(on, q.t0(), q.t1(), q.resolutionNs(), monitor::isCanceled);
            if (f == null) {
                return Status.CANCEL_STATUS;
            }
            if (!canvas.isDisposed()) {
                canvas.getDisplay().asyncExec(() -> {
                    if (!canvas.isDisposed() && cpuLatest == q && run != null && run.model() == on.model()) {
                        cpus = all;
                        cpuFrame = f;
                        canvas.redraw();
                    }
                });
            }
            return Status.OK_STATUS;
        }
    }

    private void drawLane(GC gc, Lane l, RowData data, Rectangle area) {
        Row row = l.row();
        if (row.kind() == Row.Kind.PROCESS) { // the process's life as a line; its threads have the detail
            int x0 = Math.max(-1, xOf(row.startNs())), x1 = Math.min(area.width + 1, xOf(row.endNs()));
            gc.setBackground(colour(TimelinePresentation.PROCESS_LIFE));
            gc.fillRectangle(x0, l.y() + l.height() / 2 - 2, Math.max(1, x1 - x0), 4);
        }
        int textHeight = gc.getFontMetrics().getHeight();
        for (StateSpan s : data.spans()) {
            int x0 = xOf(s.startNs()), x1 = xOf(s.endNs());
            if (x1 < 0 || x0 > area.width) {
                continue;
            }
            x0 = Math.max(-1, x0);
            x1 = Math.min(area.width + 1, x1);
            int inset = 2 + s.depth() * 4;
            int h = Math.max(3, l.height() - 2 * inset);
            int y = l.y() + (l.height() - h) / 2;
            boolean match = filter != null && filter.matches(row, s);
            RGB fill = TimelinePresentation.of(s.state());
            gc.setBackground(colour(filter != null && !match ? TimelinePresentation.faded(fill) : fill));
            gc.fillRectangle(x0, y, Math.max(1, x1 - x0), h);
            if (match && s.state() != interleave.engine.timeline.State.RUNNING) {
                gc.setForeground(colour(TimelinePresentation.MATCH));
                gc.drawRectangle(x0, y, Math.max(1, x1 - x0 - 1), h - 1);
            }
            if (x1 - x0 > 24 && h >= textHeight) { // what the call was about, inside it: "mutex m1", "read fd 4"
                String label = TimelinePresentation.laneLabel(s);
                if (!label.isEmpty()) {
                    gc.setClipping(Math.max(0, x0) + 2, y, Math.min(x1, area.width) - Math.max(0, x0) - 4, h);
                    gc.setForeground(colour(TimelinePresentation.TEXT));
                    gc.drawText(label, Math.max(0, x0) + 3, y + (h - textHeight) / 2, true);
                    gc.setClipping((Rectangle) null);
                }
            }
            if (s.unfinished()) {
                gc.setForeground(colour(TimelinePresentation.UNFINISHED));
                gc.setLineWidth(2);
                gc.drawLine(x1 - 1, y - 1, x1 - 1, y + h); // the call never returned
                gc.setLineWidth(1);
            }
        }
        for (Instant i : data.instants()) {
            int x = xOf(i.timeNs());
            if (x < -2 || x > area.width + 2) {
                continue;
            }
            RGB rgb = TimelinePresentation.of(i.kind());
            Color c = colour(filter != null && !filter.matches(row, i) ? TimelinePresentation.faded(rgb) : rgb);
            gc.setForeground(c);
            gc.setBackground(c);
            gc.drawLine(x, l.y() + 1, x, l.y() + l.height() - 2);
            gc.fillPolygon(new int[] { x - 3, l.y() + 1, x + 4, l.y() + 1, x, l.y() + 5 });
        }
    }

    /** The selected event outlined: a frame around its call, a thick line with a ring for an instant. */
    private void drawSelectedEvent(GC gc, Map<Integer, Lane> laneOfRow, Rectangle area) {
        Pick p = selectedEvent;
        Lane l = p == null ? null : laneOfRow.get(p.rowId());
        if (l == null) {
            return;
        }
        gc.setForeground(colour(TimelinePresentation.SELECTED_EVENT));
        gc.setLineWidth(2);
        if (p.span() != null) {
            int x0 = Math.max(-2, xOf(p.span().startNs())), x1 = Math.min(area.width + 2, xOf(p.span().endNs()));
            int inset = 2 + p.span().depth() * 4;
            int h = Math.max(3, l.height() - 2 * inset);
            gc.drawRectangle(x0 - 1, l.y() + (l.height() - h) / 2 - 1, Math.max(2, x1 - x0 + 2), h + 2);
        } else {
            int x = xOf(p.instant().timeNs());
            gc.drawLine(x, l.y(), x, l.y() + l.height() - 1);
            gc.drawOval(x - 5, l.y() + l.height() / 2 - 5, 10, 10);
        }
        gc.setLineWidth(1);
    }

    /** Arrows between lanes on screen (a collapsed process's lane stands for its threads). */
    private void drawArrows(GC gc, Map<Integer, Lane> laneOfRow, Rectangle area) {
        // smooth slanted lines while they are few; thousands of them (a busy mutex's hand-offs over the whole run)
        // are drawn plain, which costs a fraction
        gc.setAntialias(frame.arrows().size() <= 500 ? SWT.ON : SWT.OFF);
        for (Arrow a : frame.arrows()) {
            int y0 = arrowY(a.fromRow(), laneOfRow);
            int y1 = arrowY(a.toRow(), laneOfRow);
            if (y0 == Integer.MIN_VALUE || y1 == Integer.MIN_VALUE) {
                continue;
            }
            int x0 = xOf(a.fromNs()), x1 = xOf(a.toNs());
            if (Math.max(x0, x1) < 0 || Math.min(x0, x1) > area.width) {
                continue;
            }
            Color c = colour(TimelinePresentation.of(a.kind()));
            gc.setForeground(c);
            gc.setBackground(c);
            gc.drawLine(x0, y0, x1, y1);
            if (Math.abs(x1 - x0) + Math.abs(y1 - y0) < 8) {
                continue; // too short for a head to show anything
            }
            double angle = Math.atan2(y1 - y0, x1 - x0);
            int[] head = { x1, y1, (int) Math.round(x1 - 7 * Math.cos(angle - 0.4)),
                    (int) Math.round(y1 - 7 * Math.sin(angle - 0.4)), (int) Math.round(x1 - 7 * Math.cos(angle + 0.4)),
                    (int) Math.round(y1 - 7 * Math.sin(angle + 0.4)) };
            gc.fillPolygon(head);
        }
        gc.setAntialias(SWT.OFF);
        if (frame.arrowsThinned()) {
            gc.setForeground(colour(TimelinePresentation.TEXT));
            gc.drawText("(not every arrow drawn: zoom in)", 4, area.height - 18, true);
        }
    }

    /** The middle of the row's lane, or of its process's lane when the process is collapsed; MIN_VALUE if hidden. */
    private int arrowY(int rowId, Map<Integer, Lane> laneOfRow) {
        Lane l = laneOfRow.get(rowId);
        if (l == null && rowId >= 0 && rowId < run.model().rows().size()) {
            l = laneOfRow.get(run.model().row(rowId).parentId());
            if (l != null && itemOfRow.get(l.row().id()).getExpanded()) {
                l = null; // the process is open and the row scrolled away
            }
        }
        return l == null ? Integer.MIN_VALUE : l.y() + l.height() / 2;
    }

    private void drawFindings(GC gc, Map<Integer, Lane> laneOfRow, Rectangle area) {
        Color red = colour(TimelinePresentation.FINDING);
        for (int i = 0; i < run.findings().size(); i++) {
            TraceMoment m = run.findings().get(i).moment().orElse(null);
            if (m == null) {
                continue;
            }
            int x = xOf(m.timeNanos());
            if (x < -5 || x > area.width + 5) {
                continue;
            }
            boolean selected = i == selectedFinding;
            gc.setForeground(red);
            gc.setBackground(red);
            gc.setLineWidth(selected ? 2 : 1);
            gc.setLineDash(new int[] { 4, 3 });
            gc.drawLine(x, AXIS_HEIGHT, x, area.height);
            gc.setLineDash(null);
            int row = run.findingRows().get(i);
            Lane l = laneOfRow.get(row);
            if (l == null && row >= 0) {
                l = laneOfRow.get(run.model().row(row).parentId());
            }
            if (l != null && provisional) {
                gc.setLineWidth(2); // hollow: the run goes on and may still make it right
                gc.drawRectangle(x - (selected ? 4 : 3), l.y() + 2, selected ? 8 : 6, l.height() - 4);
            } else if (l != null) {
                gc.fillRectangle(x - (selected ? 4 : 3), l.y() + 1, selected ? 8 : 6, l.height() - 2);
            }
            gc.setLineWidth(1);
        }
        if (selectedFinding >= 0 && selectedFinding < run.findings().size()
                && run.findings().get(selectedFinding).moment().isPresent()) {
            int i = selectedFinding;
            int x = xOf(run.findings().get(i).moment().get().timeNanos());
            gc.setForeground(red);
            String label = run.findings().get(i).ruleId() + (provisional ? " (provisional)" : "");
            Point size = gc.textExtent(label);
            int lx = Math.min(Math.max(2, x + 6), area.width - size.x - 4);
            gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_WHITE));
            gc.fillRectangle(lx - 2, AXIS_HEIGHT + 2, size.x + 4, size.y);
            gc.drawText(label, lx, AXIS_HEIGHT + 2, true);
        }
    }

    private void drawAxis(GC gc, Rectangle area, long step) {
        gc.setBackground(colour(TimelinePresentation.AXIS_BACKGROUND));
        gc.fillRectangle(0, 0, area.width, AXIS_HEIGHT - 1);
        gc.setForeground(colour(TimelinePresentation.PROCESS_LIFE));
        gc.drawLine(0, AXIS_HEIGHT - 1, area.width, AXIS_HEIGHT - 1);
        gc.setForeground(colour(TimelinePresentation.TEXT));
        int textY = Math.max(0, (AXIS_HEIGHT - 8 - gc.getFontMetrics().getHeight()) / 2);
        for (long t = Math.floorDiv(visibleStartNs(), step) * step; t <= visibleEndNs(); t += step) {
            int x = xOf(t);
            gc.drawLine(x, AXIS_HEIGHT - 7, x, AXIS_HEIGHT - 1);
            gc.drawText(TimelinePresentation.tick(t, step), x + 3, textY, true);
        }
        // findings stay visible on top of the axis
        Color red = colour(TimelinePresentation.FINDING);
        gc.setBackground(red);
        for (int i = 0; i < run.findings().size(); i++) {
            TraceMoment m = run.findings().get(i).moment().orElse(null);
            if (m != null) {
                int x = xOf(m.timeNanos());
                if (x >= -6 && x <= area.width + 6 && provisional) {
                    gc.setForeground(red);
                    gc.drawPolygon(new int[] { x - 5, AXIS_HEIGHT - 8, x + 6, AXIS_HEIGHT - 8, x, AXIS_HEIGHT - 1 });
                } else if (x >= -6 && x <= area.width + 6) {
                    gc.fillPolygon(new int[] { x - 5, AXIS_HEIGHT - 8, x + 6, AXIS_HEIGHT - 8, x, AXIS_HEIGHT - 1 });
                }
            }
        }
    }
}
