package interleave.ui.timeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.ControlContribution;
import org.eclipse.jface.action.IAction;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnViewerToolTipSupport;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CLabel;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.ISharedImages;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.part.ViewPart;

import interleave.engine.rules.RuleRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.EventDetails;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.StateSpan;
import interleave.ui.RuleDocumentationView;

/**
 * The "Concurrency Timeline" view: a traced run as lanes (process → threads) with what each thread was doing, the
 * forks, signals and lock hand-offs between them, and the observed bugs marked at their moment. Left, the lanes tree;
 * right, the painted timeline ({@link TimelineCanvas}); below, the findings: selecting one zooms to its moment.
 */
public class TimelineView extends ViewPart {
    public static final String ID = "interleave.ui.timeline";
    static final String NOTHING_OPEN = "No trace run open. Run a program with 'interleave trace --out DIR -- PROGRAM',"
            + " then choose Open Trace Run... and the directory DIR.";
    /** Job family of the details and filter searches, for waiting in tests. */
    public static final Object SEARCH_FAMILY = new Object();
    /** Shown in the findings list of a run with none. */
    static final String NO_FINDING = "No concurrency bug observed in this run. No source given: a trace run has no"
            + " static analysis; run Analyze concurrency on the program's C files to see what the rules find there.";
    static final String LOOKING = "Looking for concurrency bugs in this run...";
    /** At most this many matches of the filter are walked through. */
    static final int MAX_MATCHES = 100_000;
    /** Lanes are at least this high, so that three levels of nesting still show. */
    private static final int LANE_HEIGHT = 28;

    private CLabel status;
    private Tree lanes;
    private TimelineCanvas timeline;
    private TableViewer findings;
    private LoadRunJob current;
    private Path lastRequested;
    private TimelineLegend legend;
    private Action legendAction;
    private LoadedRun run;
    private LiveTimeline live;
    /** The follower of the last run that ended while followed: it still measures that run's last paint. */
    private LiveTimeline lastLive;
    private Action pauseAction;
    private Action cpuLanesAction;
    private String statusText = "";
    private final Map<Integer, TreeItem> itemOfRow = new HashMap<>();
    private TableViewer details;
    private EventDetails shownDetails;
    private Text filterText;
    private TimelineFilter filter;
    private List<TimelineFilter.Match> matches = List.of();
    private int matchIndex = -1;
    private Job searchJob;
    private Job detailsJob;
    private Font boldFont;

    @Override
    public void createPartControl(Composite parent) {
        Composite root = new Composite(parent, SWT.NONE);
        root.setLayout(grid(0));
        status = new CLabel(root, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        legend = new TimelineLegend(root);
        legend.setVisible(false);

        SashForm vertical = new SashForm(root, SWT.VERTICAL);
        vertical.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        SashForm horizontal = new SashForm(vertical, SWT.HORIZONTAL);

        Composite left = new Composite(horizontal, SWT.NONE);
        left.setLayout(grid(0));
        Label header = new Label(left, SWT.NONE);
        header.setText(" Process / thread");
        GridData headerData = new GridData(SWT.FILL, SWT.CENTER, true, false);
        headerData.heightHint = TimelineCanvas.AXIS_HEIGHT; // the tree's items line up with the canvas's lanes
        header.setLayoutData(headerData);
        lanes = new Tree(left, SWT.SINGLE | SWT.FULL_SELECTION | SWT.V_SCROLL);
        lanes.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        lanes.addListener(SWT.MeasureItem, e -> e.height = Math.max(e.height, LANE_HEIGHT)); // room for nesting

        Composite right = new Composite(horizontal, SWT.NONE);
        right.setLayout(new FillLayout());
        timeline = new TimelineCanvas(right, lanes);
        timeline.onFindingClicked(i -> findings.setSelection(new StructuredSelection(i), true));
        timeline.onFindingOpened(this::openFinding);
        timeline.onEventSelected(this::showDetails);
        timeline.onEventOpened(this::openEvent);
        horizontal.setWeights(22, 78);

        SashForm bottom = new SashForm(vertical, SWT.HORIZONTAL);
        findings = new TableViewer(bottom, SWT.SINGLE | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        createFindingColumns();
        findings.addSelectionChangedListener(e -> {
            Object first = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (first instanceof Integer i && i >= 0) {
                showFinding(i);
            }
        });
        findings.addDoubleClickListener(e -> {
            Object first = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (first instanceof Integer i && i >= 0) {
                openFinding(i);
            }
        });
        createDetails(bottom);
        bottom.setWeights(60, 40);
        vertical.setWeights(72, 28);
        createFilter();

        Action fit = new Action("Zoom to Fit") {
            @Override
            public void run() {
                timeline.zoomToFit();
                if (live != null) {
                    live.fitAgain(); // following: the whole run again, as it grows
                }
            }
        };
        fit.setToolTipText("Show the whole run (double-click the timeline or press 0)");
        getViewSite().getActionBars().getToolBarManager().add(fit);
        legendAction = new Action("Legend", IAction.AS_CHECK_BOX) {
            @Override
            public void run() {
                legend.setVisible(isChecked());
            }
        };
        legendAction.setToolTipText("Show what the colours, ticks, arrows and red marks mean");
        getViewSite().getActionBars().getToolBarManager().add(legendAction);
        pauseAction = new Action("Pause Following", IAction.AS_CHECK_BOX) {
            @Override
            public void run() {
                setText(isChecked() ? "Resume Following" : "Pause Following");
                if (live != null) {
                    live.setPaused(isChecked());
                }
            }
        };
        pauseAction.setToolTipText("Stop showing the run's newest events while it goes on (it is still read);"
                + " uncheck to show them again");
        pauseAction.setEnabled(false);
        getViewSite().getActionBars().getToolBarManager().add(pauseAction);
        cpuLanesAction = new Action("CPU Lanes", IAction.AS_CHECK_BOX) {
            @Override
            public void run() {
                timeline.setCpuLanes(isChecked());
            }
        };
        cpuLanesAction.setToolTipText("Show one lane per CPU at the bottom: which thread ran on which core (time"
                + " slicing on one core, parallelism on two); traces from agent format 1.2 on record the CPUs");
        getViewSite().getActionBars().getToolBarManager().add(cpuLanesAction);
        setTitleToolTip("Concurrency Timeline. " + TimelineCanvas.USAGE);
        setStatus(NOTHING_OPEN, ISharedImages.IMG_OBJS_INFO_TSK);
    }

    /** The details pane: the selected event's fields; double-click its source line or an arrow to follow it. */
    private void createDetails(Composite parent) {
        details = new TableViewer(parent, SWT.SINGLE | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        Table table = details.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        details.setContentProvider(ArrayContentProvider.getInstance());
        String[] titles = { "Event", "" };
        int[] widths = { 130, 600 };
        for (int k = 0; k < 2; k++) {
            int col = k;
            TableViewerColumn c = new TableViewerColumn(details, SWT.LEFT);
            c.getColumn().setText(titles[k]);
            c.getColumn().setWidth(widths[k]);
            c.setLabelProvider(new ColumnLabelProvider() {
                @Override
                public String getText(Object element) {
                    DetailRow r = (DetailRow) element;
                    return col == 0 ? r.name() : r.value();
                }
            });
        }
        details.addDoubleClickListener(e -> {
            Object first = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (first instanceof DetailRow r && r.open() != null) {
                r.open().run();
            }
        });
        details.setInput(List.of(new DetailRow("", "Click an event on the timeline to see it here.", null)));
    }

    /** One line of the details pane; open is what a double-click on it does (null: nothing). */
    public record DetailRow(String name, String value, Runnable open) {
    }

    /** The filter field and the previous/next match buttons in the view's toolbar. */
    private void createFilter() {
        var toolbar = getViewSite().getActionBars().getToolBarManager();
        toolbar.add(new ControlContribution("interleave.timeline.filter") {
            @Override
            protected Control createControl(Composite parent) {
                filterText = new Text(parent, SWT.SEARCH | SWT.ICON_CANCEL | SWT.ICON_SEARCH);
                filterText.setMessage("Filter: pid 12, tid 13, fd 4, cpu 1, m1, accept");
                filterText.setToolTipText("Highlight the events that match, fade the others; Enter: next match."
                        + " pid N, tid N, fd N and cpu N pick a process, a thread, a descriptor, a core; any other"
                        + " word is looked"
                        + " for in what the events say (a lock's variable, a call, a signal) and in the lane names.");
                filterText.addListener(SWT.Modify, e -> {
                    String now = filterText.getText();
                    filterText.getDisplay().timerExec(300, () -> {
                        if (!filterText.isDisposed() && filterText.getText().equals(now)) {
                            setFilter(now);
                        }
                    });
                });
                filterText.addListener(SWT.DefaultSelection, e -> {
                    if (filter == null || !filter.text().equals(filterText.getText().trim())) {
                        setFilter(filterText.getText());
                    } else {
                        nextMatch();
                    }
                });
                return filterText;
            }

            @Override
            protected int computeWidth(Control control) {
                return 220;
            }
        });
        Action previous = new Action("Previous Match") {
            @Override
            public void run() {
                previousMatch();
            }
        };
        previous.setImageDescriptor(PlatformUI.getWorkbench().getSharedImages()
                .getImageDescriptor(ISharedImages.IMG_TOOL_BACK));
        previous.setToolTipText("Previous event matching the filter");
        Action next = new Action("Next Match") {
            @Override
            public void run() {
                nextMatch();
            }
        };
        next.setImageDescriptor(PlatformUI.getWorkbench().getSharedImages()
                .getImageDescriptor(ISharedImages.IMG_TOOL_FORWARD));
        next.setToolTipText("Next event matching the filter (Enter in the filter field)");
        toolbar.add(previous);
        toolbar.add(next);
        getViewSite().getActionBars().updateActionBars();
    }

    private static GridLayout grid(int margin) {
        GridLayout l = new GridLayout(1, false);
        l.marginWidth = margin;
        l.marginHeight = margin;
        l.verticalSpacing = 0;
        return l;
    }

    private void createFindingColumns() {
        Table table = findings.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        ColumnViewerToolTipSupport.enableFor(findings);
        findings.setContentProvider(ArrayContentProvider.getInstance());
        column("Time", 90, new FindingLabel() {
            @Override
            String text(int i) {
                return run.moment(i).map(m -> TimelinePresentation.time(m.timeNanos())).orElse("");
            }
        });
        column("Rule", 230, new FindingLabel() {
            @Override
            String text(int i) {
                return run.findings().get(i).ruleId();
            }

            @Override
            public Image getImage(Object element) {
                if ((Integer) element < 0) {
                    return null;
                }
                Severity s = run.findings().get((Integer) element).severity();
                return PlatformUI.getWorkbench().getSharedImages().getImage(switch (s) {
                case ERROR -> ISharedImages.IMG_OBJS_ERROR_TSK;
                case WARNING -> ISharedImages.IMG_OBJS_WARN_TSK;
                case NOTE -> ISharedImages.IMG_OBJS_INFO_TSK;
                });
            }
        });
        column("Lane", 200, new FindingLabel() {
            @Override
            String text(int i) {
                int row = run.findingRows().get(i);
                return row < 0 ? "" : run.model().row(row).label();
            }
        });
        messageColumn = new FindingLabel() {
            @Override
            String text(int i) {
                return run.findings().get(i).message();
            }
        };
        column("Message", 900, messageColumn);
    }

    private FindingLabel messageColumn;

    private abstract class FindingLabel extends ColumnLabelProvider {
        abstract String text(int index);

        @Override
        public String getText(Object element) {
            int i = (Integer) element;
            if (i < 0) { // the one line of a run without findings
                return this != messageColumn ? "" : run != null && !run.checked() ? LOOKING : NO_FINDING;
            }
            return run == null ? "" : text(i);
        }

        @Override
        public String getToolTipText(Object element) {
            int i = (Integer) element;
            return run == null ? null : i < 0 ? (run.checked() ? NO_FINDING : LOOKING) : run.findings().get(i).message();
        }
    }

    private void column(String title, int width, ColumnLabelProvider label) {
        TableViewerColumn c = new TableViewerColumn(findings, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(label);
    }

    @Override
    public void setFocus() {
        timeline.control().setFocus();
    }

    // ---------------------------------------------------------------- opening a run

    /**
     * Reads the run directory in the background and shows it when done; a newer call wins over an older one still
     * reading. Returns the job (family {@link LoadRunJob#FAMILY}).
     */
    public LoadRunJob open(Path directory) {
        if (current != null) {
            current.cancel();
        }
        stopFollowing();
        LoadRunJob[] self = new LoadRunJob[1];
        var display = lanes.getDisplay();
        self[0] = new LoadRunJob(directory, outcome -> display.asyncExec(() -> apply(self[0], outcome)));
        current = self[0];
        lastRequested = directory;
        setStatus("Reading " + directory + " ...", ISharedImages.IMG_OBJS_INFO_TSK);
        current.schedule();
        return current;
    }

    private void apply(LoadRunJob job, LoadRunJob.Outcome outcome) {
        if (job != current || lanes.isDisposed()) {
            return; // an older request, or the view is gone
        }
        if (!outcome.last()) {
            show(outcome.run()); // the timeline, while the detectors look for bugs in it
            timeline.afterFramePainted(job::framePainted); // then they start
            if (!timeline.control().isVisible()) {
                job.framePainted(); // nothing will be painted: no reason to wait
            }
            return;
        }
        current = null;
        if (outcome.run() != null && run != null && run.model() == outcome.run().model()) {
            showFindings(outcome.run()); // the same timeline, now with its findings: the user's window stays
            return;
        }
        if (outcome.run() == null) {
            String still = run == null ? "" : " Still showing " + run.directory() + ".";
            setStatus(outcome.error() + still, ISharedImages.IMG_OBJS_ERROR_TSK);
            return;
        }
        show(outcome.run());
    }

    private void show(LoadedRun loaded) {
        show(loaded, false);
    }

    private void show(LoadedRun loaded, boolean keepWindow) {
        long start = System.nanoTime();
        try {
            showRun(loaded, keepWindow);
        } finally {
            lastShowNanos = System.nanoTime() - start;
        }
    }

    private long lastShowNanos;

    /** How long the last run took to be put on screen on the UI thread (lanes, findings table), ns: for the benchmark. */
    public long lastShowNanos() {
        return lastShowNanos;
    }

    private void showRun(LoadedRun loaded, boolean keepWindow) {
        run = loaded;
        setPartName("Concurrency Timeline: " + (loaded.directory().getFileName() == null ? loaded.directory()
                : loaded.directory().getFileName()));
        setStatus(loaded.summary(),
                loaded.damaged() ? ISharedImages.IMG_OBJS_WARN_TSK : ISharedImages.IMG_OBJS_INFO_TSK);
        lanes.setRedraw(false);
        java.util.Set<String> collapsed = new java.util.HashSet<>();
        if (keepWindow) { // a newer snapshot of the same run: lanes the user closed stay closed
            for (TreeItem i : lanes.getItems()) {
                if (i.getItemCount() > 0 && !i.getExpanded()) {
                    collapsed.add(i.getText());
                }
            }
        }
        try {
            lanes.removeAll();
            itemOfRow.clear();
            List<Row> rows = loaded.model().rows();
            boolean expand = rows.size() <= 2_000;
            Map<Integer, TreeItem> processItems = new HashMap<>();
            Map<Integer, Integer> threadsOf = new HashMap<>();
            for (Row r : rows) {
                if (r.kind() == Row.Kind.THREAD) {
                    threadsOf.merge(r.parentId(), 1, Integer::sum);
                }
            }
            for (Row r : rows) {
                TreeItem parent = r.parentId() < 0 ? null : processItems.get(r.parentId());
                if (parent != null && r.kind() == Row.Kind.THREAD && threadsOf.get(r.parentId()) == 1) {
                    // a single-threaded process is one lane showing its thread: a forking server's 80 children
                    // take 80 rows, not 160
                    parent.setData(r);
                    itemOfRow.put(r.id(), parent);
                    continue;
                }
                TreeItem item = parent == null ? new TreeItem(lanes, SWT.NONE) : new TreeItem(parent, SWT.NONE);
                item.setText(r.label());
                item.setData(r);
                itemOfRow.put(r.id(), item);
                if (r.kind() == Row.Kind.PROCESS) {
                    processItems.put(r.id(), item);
                }
            }
            if (expand) {
                processItems.values().forEach(i -> i.setExpanded(!collapsed.contains(i.getText())));
            }
        } finally {
            lanes.setRedraw(true);
        }
        timeline.setRun(loaded, itemOfRow, keepWindow);
        Object selected = findings.getStructuredSelection().getFirstElement();
        findings.setInput(loaded.findings().isEmpty() ? List.of(-1)
                : IntStream.range(0, loaded.findings().size()).boxed().toList());
        if (keepWindow && selected instanceof Integer i && i >= 0 && i < loaded.findings().size()) {
            findings.getTable().setSelection(i); // no event: the window is not moved to it again
        }
        if (!keepWindow || timeline.selectedEvent() == null) {
            shownDetails = null;
            details.setInput(List.of(new DetailRow("", "Click an event on the timeline to see it here.", null)));
        }
        setFilter(filter == null ? "" : filter.text()); // the filter stays across Reload and live snapshots
    }

    /** The detectors' findings for the run shown (same model): the lanes, the window and the selection stay. */
    private void showFindings(LoadedRun checked) {
        run = checked;
        timeline.updateRun(checked);
        findings.setInput(checked.findings().isEmpty() ? List.of(-1)
                : IntStream.range(0, checked.findings().size()).boxed().toList());
        if (filter == null || matchIndex < 0) {
            setStatus(checked.summary(),
                    checked.damaged() ? ISharedImages.IMG_OBJS_WARN_TSK : ISharedImages.IMG_OBJS_INFO_TSK);
        }
    }

    // ---------------------------------------------------------------- following a run live

    /**
     * Follows a run directory while it is written (a traced launch, or {@code interleave trace} in a terminal): the
     * view shows the run as it grows, its findings provisional until it ends. Returns the follower's job (family
     * {@link FollowRunJob#FAMILY}, and {@link LoadRunJob#FAMILY}: it ends when the run does).
     */
    public FollowRunJob follow(Path directory) {
        if (current != null) {
            current.cancel();
            current = null;
        }
        stopFollowing();
        lastRequested = directory;
        live = new LiveTimeline(this, directory);
        pauseAction.setChecked(false);
        pauseAction.setText("Pause Following");
        pauseAction.setEnabled(true);
        setStatus("Following " + directory + ": waiting for the program's first events...",
                ISharedImages.IMG_OBJS_INFO_TSK);
        live.start();
        return live.job();
    }

    /** The follower of the run shown, while there is one. */
    public Optional<LiveTimeline> live() {
        return Optional.ofNullable(live);
    }

    private void stopFollowing() {
        if (lastLive != null) {
            lastLive.stop();
            lastLive = null;
        }
        if (live != null) {
            live.stop();
            live = null;
        }
        if (pauseAction != null) {
            pauseAction.setChecked(false);
            pauseAction.setText("Pause Following");
            pauseAction.setEnabled(false);
        }
        timeline.setProvisional(false);
    }

    void showLive(LiveTimeline from, LoadedRun loaded, interleave.engine.tracing.RunFollower.Snapshot s,
            boolean first) {
        if (from != live || lanes.isDisposed()) {
            return;
        }
        show(loaded, !first);
        timeline.setProvisional(s.provisional());
        liveStatus(from);
        if (!s.provisional()) {
            lastLive = live;
            live = null; // the run ended: this is the run, as Open Trace Run would show it
            pauseAction.setChecked(false);
            pauseAction.setText("Pause Following");
            pauseAction.setEnabled(false);
        }
    }

    void liveStatus(LiveTimeline from) {
        if (lanes.isDisposed()) {
            return;
        }
        var s = from.shown();
        if (s == null || !s.hasEvents() || run == null) {
            return;
        }
        String text = run.summary();
        if (s.provisional()) {
            text = "Following (running" + (from.paused() ? ", paused: Resume shows the newest" : "") + "): "
                    + text.replace("findings (red marks;", "provisional findings (hollow red marks;")
                            .replace(" finding (red marks;", " provisional finding (hollow red marks;")
                            .replace("no concurrency bug observed.", "no concurrency bug observed so far.");
        }
        if (!s.note().isEmpty()) {
            text += " " + s.note();
        }
        setStatus(text, run.damaged() || !s.note().isEmpty() ? ISharedImages.IMG_OBJS_WARN_TSK
                : ISharedImages.IMG_OBJS_INFO_TSK);
    }

    void liveWithoutEvents(LiveTimeline from, interleave.engine.tracing.RunFollower.Snapshot s) {
        if (from != live || lanes.isDisposed()) {
            return;
        }
        live = null;
        pauseAction.setEnabled(false);
        setStatus(from.directory() + ": " + s.note(), ISharedImages.IMG_OBJS_ERROR_TSK);
    }

    void liveFailed(LiveTimeline from, String message) {
        if (from != live || lanes.isDisposed()) {
            return;
        }
        live = null;
        pauseAction.setEnabled(false);
        setStatus(message + (run == null ? "" : " Still showing what was read."), ISharedImages.IMG_OBJS_ERROR_TSK);
    }

    /** Says in the status line that a traced program could not be started (its launch's error has the details). */
    public void notStarted(String message) {
        if (!lanes.isDisposed()) {
            setStatus(message, ISharedImages.IMG_OBJS_ERROR_TSK);
        }
    }

    /** The CPU Lanes toolbar toggle. */
    public IAction cpuLanesAction() {
        return cpuLanesAction;
    }

    /** The Pause Following toolbar toggle. */
    public IAction pauseAction() {
        return pauseAction;
    }

    private void setStatus(String text, String image) {
        statusText = text;
        status.setText(text);
        status.setToolTipText(text);
        status.setImage(PlatformUI.getWorkbench().getSharedImages().getImage(image));
    }

    // ---------------------------------------------------------------- findings

    /** Zooms the timeline to the finding's moment, selects its lane and marks it. */
    public void showFinding(int index) {
        if (run == null || index < 0 || index >= run.findings().size()) {
            return;
        }
        timeline.selectFinding(index);
        Optional<TraceMoment> m = run.moment(index);
        if (m.isEmpty()) {
            return;
        }
        long[] w = MomentWindow.of(run.model(), run.findingRows().get(index), m.get().timeNanos());
        timeline.setWindow(w[0], w[1]);
        revealLane(run.findingRows().get(index));
        timeline.control().redraw();
    }

    private void revealLane(int row) {
        TreeItem item = itemOfRow.get(row);
        if (item != null) {
            if (item.getParentItem() != null) {
                item.getParentItem().setExpanded(true);
            }
            lanes.showItem(item);
            lanes.setSelection(item);
        }
    }

    /** Double-click on a finding: to the code that did it when the trace knows the line, else the rule's page. */
    private void openFinding(int i) {
        if (run == null || i < 0 || i >= run.findings().size()) {
            return;
        }
        if (SourceOpener.sourceOf(run.findings().get(i)).isPresent()) {
            goToSource(i);
        } else {
            explain(i);
        }
    }

    /**
     * Opens the finding's source file (file:line from the symbolized return address) in an editor; the status line
     * says why when it cannot. Returns that reason, empty when the editor opened.
     */
    public Optional<String> goToSource(int index) {
        if (run == null || index < 0 || index >= run.findings().size()) {
            return Optional.of("No such finding.");
        }
        var where = run.findings().get(index).location();
        Optional<String> why = SourceOpener.open(getSite().getPage(), where.file(), where.startLine());
        why.ifPresent(w -> setStatus(w, ISharedImages.IMG_OBJS_WARN_TSK));
        return why;
    }

    private void explain(int index) {
        Finding f = run.findings().get(index);
        RuleRegistry.descriptor(f.ruleId()).ifPresent(d -> {
            try {
                RuleDocumentationView v = (RuleDocumentationView) getSite().getPage()
                        .showView(RuleDocumentationView.ID);
                List<String> evidence = new ArrayList<>();
                for (RelatedLocation r : f.evidence()) {
                    evidence.add(r.range() + ": " + r.message());
                }
                v.showRule(d, evidence);
            } catch (PartInitException e) {
                setStatus("Could not open the rule's page: " + e.getMessage(), ISharedImages.IMG_OBJS_ERROR_TSK);
            }
        });
    }

    // ---------------------------------------------------------------- events: details and Go to Source

    /** Shows the event's details below (computed off the UI thread: the symbolizer may run addr2line). */
    public void showDetails(TimelineCanvas.Pick pick) {
        if (detailsJob != null) {
            detailsJob.cancel();
        }
        if (pick == null || run == null) {
            shownDetails = null;
            details.setInput(List.of(new DetailRow("", "Click an event on the timeline to see it here.", null)));
            return;
        }
        LoadedRun on = run;
        detailsJob = background("Concurrency Timeline: event details", () -> {
            EventDetails d = pick.details(on.model());
            return () -> {
                if (run == on && !details.getControl().isDisposed()) {
                    shownDetails = d;
                    details.setInput(detailRows(d));
                }
            };
        });
    }

    /** Double-click or Enter on an event: its details, then its source line. */
    private void openEvent(TimelineCanvas.Pick pick) {
        if (run == null || pick == null) {
            return;
        }
        LoadedRun on = run;
        background("Concurrency Timeline: finding the event's source", () -> {
            EventDetails d = pick.details(on.model());
            return () -> {
                if (run == on && !details.getControl().isDisposed()) {
                    shownDetails = d;
                    details.setInput(detailRows(d));
                    goToSource(d);
                }
            };
        });
    }

    /** Runs work in a job of {@link #SEARCH_FAMILY}; what it returns runs on the UI thread afterwards. */
    private Job background(String name, java.util.function.Supplier<Runnable> work) {
        var display = lanes.getDisplay();
        Job job = new Job(name) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                Runnable then;
                try {
                    then = work.get();
                } catch (RuntimeException e) {
                    org.eclipse.core.runtime.ILog.of(TimelineView.class).error(name + " failed", e);
                    then = () -> setStatus(name + " failed (" + e + "). This is a bug in Interleave; the details are"
                            + " in the Error Log.", ISharedImages.IMG_OBJS_ERROR_TSK);
                }
                if (!monitor.isCanceled() && then != null && !display.isDisposed()) {
                    display.asyncExec(then);
                }
                return Status.OK_STATUS;
            }

            @Override
            public boolean belongsTo(Object family) {
                return family == SEARCH_FAMILY;
            }
        };
        job.setSystem(true);
        job.schedule();
        return job;
    }

    private List<DetailRow> detailRows(EventDetails d) {
        List<DetailRow> out = new ArrayList<>();
        Row row = run.model().row(d.rowId());
        out.add(new DetailRow("call", d.call() + (d.unfinished() ? " (never returned)" : ""), null));
        out.add(new DetailRow("lane", row.label(), null));
        out.add(new DetailRow("process / thread", "pid " + d.pid() + ", tid " + d.tid(), null));
        out.add(new DetailRow("time", TimelinePresentation.time(d.timeNs()), null));
        if (d.durationNs() >= 0) {
            out.add(new DetailRow("duration", TimelinePresentation.time(d.durationNs())
                    + (d.unfinished() ? " until the trace ended" : ""), null));
        }
        for (EventDetails.Field f : d.fields()) {
            out.add(new DetailRow(f.name(), f.value(), null));
        }
        if (d.source().isPresent()) {
            var src = d.source().get();
            out.add(new DetailRow("source", src.hasLine() ? src.file() + ":" + src.line()
                    + src.functionName().map(fn -> " (in " + fn + ")").orElse("") + "  (double-click to open)"
                    : src.describe() + " (no line information)", () -> goToSource(d)));
        }
        for (Arrow a : d.related()) {
            boolean outgoing = a.fromRow() == d.rowId() && a.fromNs() >= d.timeNs();
            int otherRow = outgoing ? a.toRow() : a.fromRow();
            long otherNs = outgoing ? a.toNs() : a.fromNs();
            out.add(new DetailRow(outgoing ? "leads to" : "comes from", a.label() + (outgoing ? " → " : " ← ")
                    + run.model().row(otherRow).label() + " at " + TimelinePresentation.time(otherNs)
                    + "  (double-click to go there)", () -> goTo(otherRow, otherNs)));
        }
        return out;
    }

    /** Centres the window on a moment of a lane, keeping the zoom, and selects the event there. */
    private void goTo(int row, long ns) {
        long w = timeline.visibleEndNs() - timeline.visibleStartNs();
        timeline.setWindow(ns - w / 2, ns + w / 2);
        revealLane(row);
        timeline.control().redraw();
        var model = run.model();
        TimelineCanvas.Pick pick = null;
        for (Instant i : model.instants(row, ns, ns)) {
            pick = new TimelineCanvas.Pick(null, i);
        }
        if (pick == null) {
            StateSpan best = null;
            for (StateSpan s : model.spans(row, ns, ns)) {
                if (best == null || s.depth() > best.depth()) {
                    best = s;
                }
            }
            pick = best == null ? null : new TimelineCanvas.Pick(best, null);
        }
        timeline.selectEvent(pick);
        showDetails(pick);
    }

    /**
     * Opens the event's source line in an editor; the status line says why when it cannot (no return address, no
     * line information). Returns that reason, empty when the editor opened.
     */
    public Optional<String> goToSource(EventDetails d) {
        Optional<String> why;
        if (d.source().isEmpty()) {
            why = Optional.of("This " + d.call() + " has no place in the program's code to go to (no return"
                    + " address: a running stretch, a thread's end or a process's start).");
        } else if (!d.source().get().hasLine()) {
            String problems = String.join("; ", run.model().symbolizer().problems());
            why = Optional.of("No source line for " + d.source().get().describe() + ": build the program with -g"
                    + (problems.isEmpty() ? "." : " (" + problems + ")."));
        } else {
            why = SourceOpener.open(getSite().getPage(), d.source().get().file(), d.source().get().line());
        }
        why.ifPresent(w -> setStatus(w, ISharedImages.IMG_OBJS_WARN_TSK));
        return why;
    }

    // ---------------------------------------------------------------- filter and search

    /**
     * Filters by the text (see {@link TimelineFilter}): matching events are outlined, the others faded, matching
     * lanes shown in bold; the matches are searched in the background, then the first one at or after the window's
     * start is shown. Empty text: no filter.
     */
    public void setFilter(String text) {
        if (filterText != null && !filterText.isDisposed() && !filterText.getText().equals(text)) {
            filterText.setText(text);
        }
        TimelineFilter f = TimelineFilter.parse(text);
        filter = f.isEmpty() ? null : f;
        timeline.setFilter(filter);
        matches = List.of();
        matchIndex = -1;
        markLanes();
        if (searchJob != null) {
            searchJob.cancel();
        }
        if (run == null || filter == null) {
            if (run != null) {
                setStatus(run.summary(), run.damaged() ? ISharedImages.IMG_OBJS_WARN_TSK : ISharedImages.IMG_OBJS_INFO_TSK);
            }
            return;
        }
        LoadedRun on = run;
        TimelineFilter asked = filter;
        searchJob = background("Concurrency Timeline: searching", () -> {
            List<TimelineFilter.Match> found = asked.search(on.model(), MAX_MATCHES, () -> false);
            return () -> {
                if (run != on || filter != asked || lanes.isDisposed()) {
                    return;
                }
                matches = found;
                markLanes();
                if (found.isEmpty()) {
                    setStatus("Nothing matches \"" + asked.text() + "\".", ISharedImages.IMG_OBJS_WARN_TSK);
                } else {
                    long from = timeline.visibleStartNs();
                    int k = 0;
                    while (k < found.size() - 1 && found.get(k).startNs() < from) {
                        k++;
                    }
                    matchIndex = k - 1;
                    nextMatch();
                }
            };
        });
    }

    /** Lanes with a match in bold. */
    private void markLanes() {
        if (lanes.isDisposed()) {
            return;
        }
        if (boldFont == null) {
            FontData[] fd = lanes.getFont().getFontData();
            for (FontData d : fd) {
                d.setStyle(d.getStyle() | SWT.BOLD);
            }
            boldFont = new Font(lanes.getDisplay(), fd);
        }
        java.util.Set<TreeItem> bold = new java.util.HashSet<>();
        for (TimelineFilter.Match m : matches) {
            TreeItem item = itemOfRow.get(m.rowId());
            if (item != null) {
                bold.add(item); // a one-thread process's lane is its thread's too
            }
        }
        for (TreeItem item : itemOfRow.values()) {
            if (!item.isDisposed()) {
                item.setFont(bold.contains(item) ? boldFont : null);
            }
        }
    }

    public void nextMatch() {
        step(1);
    }

    public void previousMatch() {
        step(-1);
    }

    private void step(int by) {
        if (matches.isEmpty() || run == null) {
            return;
        }
        matchIndex = Math.floorMod(matchIndex + by, matches.size());
        TimelineFilter.Match m = matches.get(matchIndex);
        long w = timeline.visibleEndNs() - timeline.visibleStartNs();
        long length = m.endNs() - m.startNs();
        if (length > w * 8 / 10 || m.span() == null && m.instant() == null) {
            long margin = Math.max(length / 10, MomentWindow.MIN_NS / 2);
            timeline.setWindow(m.startNs() - margin, Math.max(m.endNs(), m.startNs() + w / 2) + margin);
        } else {
            long mid = m.startNs() + length / 2;
            timeline.setWindow(mid - w / 2, mid + w / 2);
        }
        revealLane(m.rowId());
        TimelineCanvas.Pick pick = m.span() == null && m.instant() == null ? null
                : new TimelineCanvas.Pick(m.span(), m.instant());
        timeline.selectEvent(pick);
        if (pick != null) {
            showDetails(pick);
        }
        String more = matches.size() >= MAX_MATCHES ? "+" : "";
        setStatus("Match " + (matchIndex + 1) + " of " + matches.size() + more + " for \"" + filter.text() + "\": "
                + run.model().row(m.rowId()).label() + " at " + TimelinePresentation.time(m.startNs())
                + (pick == null || pick.span() == null ? pick == null ? "" : ", " + pick.instant().label()
                        : ", " + TimelinePresentation.describe(pick.span()))
                + ". Enter or the arrows in the toolbar: next and previous.", ISharedImages.IMG_OBJS_INFO_TSK);
        timeline.control().redraw();
    }

    /**
     * Reads the shown run again (Reload); null when none is shown. The directory of a run that failed to load counts
     * too, so a run still being written can be retried.
     */
    public LoadRunJob reload() {
        Path dir = lastRequested != null ? lastRequested : run == null ? null : run.directory();
        return dir == null ? null : open(dir);
    }

    @Override
    public void dispose() {
        // closing the view stops what Interleave started from Eclipse (traced programs, load clients)
        interleave.ui.launch.TracedRuns.stopAll();
        if (boldFont != null) {
            boldFont.dispose();
        }
        if (live != null) {
            live.stop();
        }
        if (lastLive != null) {
            lastLive.stop();
        }
        super.dispose();
    }

    // ---------------------------------------------------------------- for tests and handlers

    public Optional<LoadedRun> run() {
        return Optional.ofNullable(run);
    }

    public String statusText() {
        return statusText;
    }

    public Tree lanesTree() {
        return lanes;
    }

    public Table findingsTable() {
        return findings.getTable();
    }

    public TimelineLegend legend() {
        return legend;
    }

    /** The toolbar's Legend toggle. */
    public IAction legendAction() {
        return legendAction;
    }

    public TimelineCanvas timeline() {
        return timeline;
    }

    /** The details pane's lines, as shown. */
    public List<DetailRow> detailRows() {
        Object in = details.getInput();
        List<DetailRow> out = new ArrayList<>();
        if (in instanceof List<?> l) {
            l.forEach(o -> out.add((DetailRow) o));
        }
        return out;
    }

    public Optional<EventDetails> shownDetails() {
        return Optional.ofNullable(shownDetails);
    }

    public Table detailsTable() {
        return details.getTable();
    }

    /** The filter's matches by time, and which one is shown (-1: none yet). */
    public List<TimelineFilter.Match> matches() {
        return matches;
    }

    public int matchIndex() {
        return matchIndex;
    }

    public Text filterField() {
        return filterText;
    }
}
