package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.jface.action.IContributionItem;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IWorkbenchPage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.finding.Finding;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceReader;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.OpenTraceRunHandler;
import interleave.ui.timeline.TimelineCanvas;
import interleave.ui.timeline.TimelineView;

/**
 * The Concurrency Timeline view on committed runs of the sample programs (tests/interleave.engine.tests/traces, found
 * through -Dinterleave.traces): lanes, findings, zooming to a finding, wheel zoom and drag pan as SWT events on the
 * canvas, only the visible lanes queried, damaged and missing runs explained in the status line.
 */
class TimelineViewTest {
    private TimelineView view;

    static Path trace(String name) {
        String dir = System.getProperty("interleave.traces");
        assertNotNull(dir, "-Dinterleave.traces is not set (tests/interleave.ui.tests/pom.xml sets it)");
        Path run = Path.of(dir, name);
        assertTrue(Files.isDirectory(run), run + " is missing");
        return run;
    }

    @BeforeEach
    void showView() throws Exception {
        // Xvfb has no window manager: give the window the screen, so the canvas has room and a known size.
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        Workbench.processEvents(100);
    }

    @AfterEach
    void hideView() {
        IWorkbenchPage page = Workbench.page();
        if (page.getPartState(page.getReference(view)) == IWorkbenchPage.STATE_MAXIMIZED) {
            page.toggleZoom(page.getReference(view));
        }
        page.hideView(view);
        Workbench.processEvents(100);
    }

    /** Opens the run through the view's API (what Open Trace Run... calls with the chosen directory), waits. */
    private LoadedRun open(Path dir) {
        view.open(dir);
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        settle();
        return view.run().orElseThrow(() -> new AssertionError("no run shown; status: " + view.statusText()));
    }

    /** Paints, lets the frame query the paint asked for finish, and paints its answer. */
    private void settle() {
        for (int i = 0; i < 5; i++) {
            view.timeline().control().redraw();
            Workbench.processEvents(60);
            Workbench.waitForJobs(TimelineCanvas.FRAME_FAMILY);
        }
    }

    private static List<String> laneLabels(Tree tree) {
        List<String> out = new ArrayList<>();
        for (TreeItem p : tree.getItems()) {
            out.add(p.getText());
            for (TreeItem c : p.getItems()) {
                out.add("  " + c.getText());
            }
        }
        return out;
    }

    private static List<String> modelLabels(TimelineModel model) {
        return model.rows().stream().map(r -> (r.kind() == Row.Kind.THREAD ? "  " : "") + r.label()).toList();
    }

    @Test
    void raceRunShowsOneLanePerProcessAndThreadTheFindingAndDrawsTheVisibleLanes() throws Exception {
        LoadedRun run = open(trace("race"));

        // the lanes: the program's process with main and the 20 threads it started, labelled as in the model
        TimelineModel expected = TimelineModel.build(TraceReader.read(trace("race")));
        Tree tree = view.lanesTree();
        assertEquals(1, tree.getItemCount(), laneLabels(tree).toString());
        assertEquals(21, tree.getItem(0).getItemCount(), laneLabels(tree).toString());
        assertEquals(modelLabels(expected), laneLabels(tree));
        assertTrue(tree.getItem(0).getText().contains("race"), tree.getItem(0).getText());

        // the finding, in the list below and in words in the status line
        Table table = view.findingsTable();
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < table.getItemCount(); i++) {
            rules.add(table.getItem(i).getText(1));
        }
        assertTrue(rules.contains("observed-argument-race"), rules.toString());
        assertTrue(view.statusText().startsWith("race: 1 process, 21 threads, "), view.statusText());
        assertTrue(view.statusText().contains(run.findings().size() + " finding"), view.statusText());

        // what was drawn: exactly the lanes on screen, from a frame of their spans
        TimelineCanvas canvas = view.timeline();
        assertFalse(canvas.visibleRowIds().isEmpty());
        assertEquals(canvas.visibleRowIds(), canvas.drawnRowIds());
        assertEquals(0, canvas.drawnRowIds().get(0), "the first lane is the process, at the top");
        assertTrue(canvas.frameSpanCount() > 0, "no spans drawn");
        assertTrue(canvas.visibleStartNs() <= 0 && canvas.visibleEndNs() >= run.model().durationNs(),
                "a new run is shown whole");
    }

    @Test
    void selectingAFindingZoomsToItsMomentAndItsMarkTellsTheFinding() throws Exception {
        LoadedRun run = open(trace("deadlock"));
        Table table = view.findingsTable();
        int index = -1;
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(1).equals("observed-lock-order-deadlock")) {
                index = i;
            }
        }
        assertTrue(index >= 0, "no lock-order finding in the list");
        Finding finding = run.findings().get(index);
        TraceMoment moment = finding.moment().orElseThrow();
        TimelineCanvas canvas = view.timeline();
        long wholeWidth = canvas.visibleEndNs() - canvas.visibleStartNs();

        // select it as a click would: the table's selection, then its Selection event
        table.setSelection(index);
        table.notifyListeners(SWT.Selection, selectionEvent(table, index));
        settle();

        assertTrue(canvas.visibleStartNs() <= moment.timeNanos() && moment.timeNanos() <= canvas.visibleEndNs(),
                "window " + canvas.visibleStartNs() + ".." + canvas.visibleEndNs() + " misses " + moment);
        assertTrue(canvas.visibleEndNs() - canvas.visibleStartNs() < wholeWidth / 4, "zoomed in");
        assertEquals(index, canvas.selectedFinding());
        assertEquals(List.of(0, 1, 2, 3), canvas.drawnRowIds(), "every lane fits, every lane is drawn: "
                + canvas.describeFrame());
        int row = run.findingRows().get(index);
        Row lane = run.model().row(row);
        assertEquals(moment.tid(), lane.tid());
        assertEquals(lane.label(), view.lanesTree().getSelection()[0].getText(), "the finding's lane is selected");

        // its red mark: hovering it tells the finding
        int x = canvas.xOf(moment.timeNanos());
        int y = canvas.laneCenterY(row);
        assertTrue(y > TimelineCanvas.AXIS_HEIGHT, "the finding's lane is on screen");
        Canvas control = canvas.control();
        control.notifyListeners(SWT.MouseMove, mouse(x + 1, y, 0));
        assertTrue(control.getToolTipText().startsWith(finding.message()), control.getToolTipText());
        assertTrue(control.getToolTipText().contains("observed-lock-order-deadlock"), control.getToolTipText());
        // and away from it, the span under the pointer, or how to use the canvas
        control.notifyListeners(SWT.MouseMove, mouse(x + 40, y, 0));
        assertFalse(control.getToolTipText().startsWith(finding.message()), control.getToolTipText());

        // clicking a mark selects its finding in the list
        table.deselectAll();
        control.notifyListeners(SWT.MouseDown, mouse(x, y, 0, 1));
        control.notifyListeners(SWT.MouseUp, mouse(x, y, SWT.BUTTON1, 1));
        Workbench.processEvents(50);
        assertEquals(index, table.getSelectionIndex());
    }

    @Test
    void wheelZoomsAtThePointerAndDraggingPans() throws Exception {
        LoadedRun run = open(trace("race"));
        TimelineCanvas canvas = view.timeline();
        Canvas control = canvas.control();
        int width = control.getClientArea().width;
        int x = width / 3;
        long atPointer = canvas.timeAt(x);
        double before = canvas.nsPerPixel();

        Event wheel = mouse(x, 100, 0);
        wheel.count = 3;
        control.notifyListeners(SWT.MouseVerticalWheel, wheel);
        settle();
        assertEquals(before * Math.pow(0.85, 3), canvas.nsPerPixel(), before * 1e-6, "zoomed in");
        assertEquals(atPointer, canvas.timeAt(x), 2 * canvas.nsPerPixel(), "the time under the pointer stays");

        for (int i = 0; i < 6; i++) { // deeper: a few microseconds per pixel
            control.notifyListeners(SWT.MouseVerticalWheel, wheel);
        }
        settle();
        double zoomed = canvas.nsPerPixel();
        assertTrue(zoomed < before / 10, zoomed + " vs " + before);
        long[] frame = canvas.frameWindow();
        assertNotNull(frame, "a frame was fetched for the zoomed window");
        assertTrue(frame[0] <= canvas.visibleStartNs() && frame[1] >= canvas.visibleEndNs(),
                "the frame covers the window");
        assertEquals(Math.floor(zoomed), frame[2], 1, "the frame is at one sample per pixel");
        // one sample per pixel: no lane at any depth has more spans than the frame has pixels
        assertTrue(canvas.frameMaxSpansPerLaneAndDepth() <= 2 * width + 2, canvas.frameMaxSpansPerLaneAndDepth()
                + " spans for " + 2 * width + " pixels");

        // drag 150 px to the left: later times come into view, the scale stays
        long start = canvas.visibleStartNs();
        control.notifyListeners(SWT.MouseDown, mouse(600, 100, 0, 1));
        control.notifyListeners(SWT.MouseMove, mouse(520, 100, SWT.BUTTON1));
        control.notifyListeners(SWT.MouseMove, mouse(450, 100, SWT.BUTTON1));
        control.notifyListeners(SWT.MouseUp, mouse(450, 100, SWT.BUTTON1, 1));
        settle();
        assertEquals(start + 150 * zoomed, canvas.visibleStartNs(), 2 * zoomed, "panned by 150 px");
        assertEquals(zoomed, canvas.nsPerPixel(), zoomed * 1e-6, "panning does not zoom");
        assertTrue(canvas.frameWindow()[0] <= canvas.visibleStartNs()
                && canvas.frameWindow()[1] >= canvas.visibleEndNs(), "the frame follows the pan");

        // wheel down zooms out; double-click fits the whole run again
        wheel.count = -3;
        control.notifyListeners(SWT.MouseVerticalWheel, wheel);
        assertEquals(zoomed / Math.pow(0.85, 3), canvas.nsPerPixel(), zoomed * 1e-6);
        control.notifyListeners(SWT.MouseDoubleClick, mouse(10, 100, 0, 1));
        assertTrue(canvas.visibleStartNs() <= 0 && canvas.visibleEndNs() >= run.model().durationNs());
    }

    @Test
    void onlyTheLanesOnScreenAreQueriedAndScrollingTheTreeMovesThem() throws Exception {
        Workbench.window().getShell().setBounds(0, 0, 1200, 620); // too low for all 22 lanes
        Workbench.processEvents(200);
        LoadedRun run = open(trace("race"));
        TimelineCanvas canvas = view.timeline();
        List<Integer> visible = canvas.visibleRowIds();
        assertTrue(visible.size() < run.model().rows().size(),
                "test needs lanes off screen; visible " + visible.size());
        assertEquals(visible, canvas.drawnRowIds());
        assertTrue(visible.contains(0) && !visible.contains(run.model().rows().size() - 1), visible.toString());

        Tree tree = view.lanesTree();
        TreeItem process = tree.getItem(0);
        tree.setTopItem(process.getItem(process.getItemCount() - 1));
        tree.getVerticalBar().notifyListeners(SWT.Selection, new Event());
        settle();
        List<Integer> scrolled = canvas.visibleRowIds();
        assertTrue(scrolled.contains(run.model().rows().size() - 1) && !scrolled.contains(0), scrolled.toString());
        assertEquals(scrolled, canvas.drawnRowIds());

        // lanes line up with the tree's rows
        TreeItem last = process.getItem(process.getItemCount() - 1);
        Rectangle b = last.getBounds();
        assertEquals(TimelineCanvas.AXIS_HEIGHT + b.y + tree.getItemHeight() / 2,
                canvas.laneCenterY(run.model().rows().size() - 1));
    }

    @Test
    void aDamagedRunIsShownUpToTheDamageAndSaysWhere(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("race-cut");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(trace("race"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        String cut;
        try (Stream<Path> files = Files.list(copy)) {
            cut = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".trace")).sorted()
                    .skip(1).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(copy.resolve(cut).toFile(), "rw")) {
            raf.setLength(4096 + 64 + 17); // inside the second record
        }
        open(copy);
        String status = view.statusText();
        assertTrue(status.contains("Damaged: " + cut + " at byte "), status);
        assertTrue(status.contains("everything before it is shown"), status);
        assertEquals(21, view.lanesTree().getItem(0).getItemCount(), "every thread still has its lane");
    }

    @Test
    void aDirectoryWithoutARunIsExplainedNotThrown(@TempDir Path tmp) throws Exception {
        view.open(tmp);
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        Workbench.processEvents(50);
        String status = view.statusText();
        assertTrue(status.startsWith("Could not open " + tmp + ": "), status);
        assertTrue(status.contains("contains no trace files"), status);
        assertTrue(view.run().isEmpty());

        // a good run, then a missing directory: the message says so and the good run stays
        open(trace("race"));
        view.open(tmp.resolve("missing"));
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        Workbench.processEvents(50);
        status = view.statusText();
        assertTrue(status.startsWith("Could not open " + tmp.resolve("missing")), status);
        assertTrue(status.endsWith("Still showing " + trace("race") + "."), status);
        assertFalse(status.contains("Exception") || status.contains("\tat "), status);
        assertEquals(1, view.lanesTree().getItemCount());
    }

    @Test
    void openTraceRunIsInTheInterleaveMenuAndTheViewsToolbar() {
        Menu bar = Workbench.window().getShell().getMenuBar();
        MenuItem interleave = null;
        for (MenuItem item : bar.getItems()) {
            if (item.getText().replace("&", "").equals("Interleave")) {
                interleave = item;
            }
        }
        assertNotNull(interleave, "no Interleave menu");
        Menu menu = interleave.getMenu();
        menu.notifyListeners(SWT.Show, new Event());
        Workbench.processEvents(50);
        List<String> labels = Stream.of(menu.getItems()).map(i -> i.getText().replace("&", "")).toList();
        menu.notifyListeners(SWT.Hide, new Event());
        assertTrue(labels.contains("Open Trace Run..."), labels.toString());
        assertTrue(labels.contains("Concurrency Timeline"), labels.toString());

        IContributionItem onToolbar = view.getViewSite().getActionBars().getToolBarManager()
                .find("interleave.ui.openTraceRun.toolbar");
        assertNotNull(onToolbar, "Open Trace Run... is not on the view's toolbar");
        assertEquals(OpenTraceRunHandler.COMMAND_ID, "interleave.ui.openTraceRun");
    }

    /**
     * Pictures of what a user sees (target/screenshots/timeline-*.png; docs/screenshot-timeline.png is the
     * fork-printf-handler one): the run selected at a finding, zoomed around its moment.
     */
    @Test
    void screenshotOfTheTimelineAtAFinding() throws Exception {
        IWorkbenchPage page = Workbench.page();
        page.toggleZoom(page.getReference(view)); // maximized: the view is the whole picture
        Workbench.processEvents(100);
        screenshotAt("deadlock", "observed-lock-order-deadlock", 1);
        screenshotAt("fork-printf-handler", "observed-signal-handler-deadlock", 1 / 12.0);
    }

    private void screenshotAt(String name, String rule, double zoom) throws Exception {
        LoadedRun run = open(trace(name));
        int index = -1;
        for (int i = 0; i < run.findings().size(); i++) {
            index = run.findings().get(i).ruleId().equals(rule) ? i : index;
        }
        assertTrue(index >= 0, name + " has no " + rule);
        Table table = view.findingsTable();
        table.setSelection(index);
        table.notifyListeners(SWT.Selection, selectionEvent(table, index));
        TimelineCanvas canvas = view.timeline();
        canvas.zoom(zoom, canvas.xOf(run.findings().get(index).moment().orElseThrow().timeNanos()));
        settle();
        assertEquals(0, canvas.drawnRowIds().get(0), "the top lane is drawn");
        Workbench.display().setCursorLocation(0, Workbench.display().getBounds().height - 1); // no tooltip
        File png = Workbench.screenshot("timeline-" + name);
        assertTrue(png.length() > 20_000, "screenshot " + png + " is only " + png.length() + " bytes");
    }

    private static Event selectionEvent(Table table, int index) {
        Event e = new Event();
        e.item = table.getItem(index);
        return e;
    }

    private static Event mouse(int x, int y, int stateMask) {
        return mouse(x, y, stateMask, 0);
    }

    private static Event mouse(int x, int y, int stateMask, int button) {
        Event e = new Event();
        e.x = x;
        e.y = y;
        e.stateMask = stateMask;
        e.button = button;
        return e;
    }
}
