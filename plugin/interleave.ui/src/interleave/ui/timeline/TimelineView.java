package interleave.ui.timeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.eclipse.jface.action.Action;
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
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.ISharedImages;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.part.ViewPart;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.Row;
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
    /** A finding's moment is shown in a window this wide at least (ns), or a fortieth of the run. */
    private static final long MOMENT_WINDOW_NS = 200_000;
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
    private String statusText = "";
    private final Map<Integer, TreeItem> itemOfRow = new HashMap<>();

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
        horizontal.setWeights(22, 78);

        findings = new TableViewer(vertical, SWT.SINGLE | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        createFindingColumns();
        findings.addSelectionChangedListener(e -> {
            Object first = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (first instanceof Integer i) {
                showFinding(i);
            }
        });
        findings.addDoubleClickListener(e -> {
            Object first = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (first instanceof Integer i) {
                // to the code that did it when the trace knows the line, else the rule's explanation
                if (run != null && SourceOpener.sourceOf(run.findings().get(i)).isPresent()) {
                    goToSource(i);
                } else {
                    explain(i);
                }
            }
        });
        vertical.setWeights(72, 28);

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
        setTitleToolTip("Concurrency Timeline. " + TimelineCanvas.USAGE);
        setStatus(NOTHING_OPEN, ISharedImages.IMG_OBJS_INFO_TSK);
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
        column("Message", 900, new FindingLabel() {
            @Override
            String text(int i) {
                return run.findings().get(i).message();
            }
        });
    }

    private abstract class FindingLabel extends ColumnLabelProvider {
        abstract String text(int index);

        @Override
        public String getText(Object element) {
            return run == null ? "" : text((Integer) element);
        }

        @Override
        public String getToolTipText(Object element) {
            return run == null ? null : run.findings().get((Integer) element).message();
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
        current = null;
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
        findings.setInput(IntStream.range(0, loaded.findings().size()).boxed().toList());
        if (keepWindow && selected instanceof Integer i && i < loaded.findings().size()) {
            findings.getTable().setSelection(i); // no event: the window is not moved to it again
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
        long w = Math.max(MOMENT_WINDOW_NS, run.model().durationNs() / 40);
        long t = m.get().timeNanos();
        timeline.setWindow(t - w / 2, t + w / 2);
        TreeItem item = itemOfRow.get(run.findingRows().get(index));
        if (item != null) {
            if (item.getParentItem() != null) {
                item.getParentItem().setExpanded(true);
            }
            lanes.showItem(item);
            lanes.setSelection(item);
        }
        timeline.control().redraw();
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
        DetectorRegistry.descriptor(f.ruleId()).ifPresent(d -> {
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
}
