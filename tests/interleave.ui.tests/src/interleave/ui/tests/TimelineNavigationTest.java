package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Table;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.TimelineCanvas;
import interleave.ui.timeline.TimelineFilter;
import interleave.ui.timeline.TimelineView;

/**
 * Reading a run in the timeline: an event's details below the canvas (click), its source line (double-click), the
 * arrows it starts followed to their other end, the filter field with next and previous match, locks named by their
 * variable, a finding's moment framed with its calls, and a run without findings saying that no source was given.
 */
class TimelineNavigationTest {
    private TimelineView view;

    @BeforeEach
    void showView() throws Exception {
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        Workbench.processEvents(100);
    }

    @AfterEach
    void hideView() {
        Workbench.page().closeAllEditors(false);
        IWorkbenchPage page = Workbench.page();
        page.hideView(view);
        Workbench.processEvents(100);
    }

    private LoadedRun open(Path dir) {
        view.open(dir);
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        settle();
        return view.run().orElseThrow(() -> new AssertionError("no run shown; status: " + view.statusText()));
    }

    private void settle() {
        for (int i = 0; i < 4; i++) {
            view.timeline().control().redraw();
            Workbench.processEvents(50);
            Workbench.waitForJobs(TimelineCanvas.FRAME_FAMILY);
            Workbench.waitForJobs(TimelineView.SEARCH_FAMILY);
        }
    }

    private static Event mouse(int x, int y, int stateMask, int button) {
        Event e = new Event();
        e.x = x;
        e.y = y;
        e.stateMask = stateMask;
        e.button = button;
        return e;
    }

    private void click(int x, int y) {
        Canvas c = view.timeline().control();
        c.notifyListeners(SWT.MouseDown, mouse(x, y, 0, 1));
        c.notifyListeners(SWT.MouseUp, mouse(x, y, SWT.BUTTON1, 1));
        settle();
    }

    private void doubleClick(int x, int y) {
        click(x, y);
        view.timeline().control().notifyListeners(SWT.MouseDoubleClick, mouse(x, y, 0, 1));
        settle();
        Workbench.processEvents(200);
    }

    private String detail(String name) {
        return view.detailRows().stream().filter(r -> r.name().equals(name)).map(TimelineView.DetailRow::value)
                .findFirst().orElseThrow(() -> new AssertionError("no '" + name + "' in " + view.detailRows()));
    }

    /** Shows [from, to] and scrolls the row's lane into view; returns its y. */
    private int showAt(int row, long from, long to) {
        view.timeline().setWindow(from, to);
        view.lanesTree().showItem(view.lanesTree().getItem(0));
        settle();
        int y = view.timeline().laneCenterY(row);
        assertTrue(y > TimelineCanvas.AXIS_HEIGHT, "row " + row + " on screen");
        return y;
    }

    @Test
    void clickingAnAcceptShowsItsDetailsAndItsConnectionArrowLeadsToTheClose() throws Exception {
        LoadedRun run = open(TimelineViewTest.trace("echo-process"));
        TimelineModel m = run.model();
        Instant accept = null;
        for (Row r : m.rows()) {
            for (Instant i : m.instants(r.id(), 0, m.durationNs())) {
                if (accept == null && i.kind() == Instant.Kind.ACCEPT) {
                    accept = i;
                }
            }
        }
        assertNotNull(accept);
        int y = showAt(accept.rowId(), accept.timeNs() - 50_000, accept.timeNs() + 50_000);
        click(view.timeline().xOf(accept.timeNs()), y);

        assertEquals("accept", detail("call"));
        assertTrue(accept.label().endsWith(detail("returned")), detail("returned") + " / " + accept.label());
        assertTrue(detail("listening fd").matches("\\d+"));
        assertEquals(accept, view.timeline().selectedEvent().instant(), "the accept is outlined");
        TimelineView.DetailRow arrow = view.detailRows().stream()
                .filter(r -> r.name().equals("leads to") && r.value().startsWith("connection fd")).findFirst()
                .orElseThrow(() -> new AssertionError(view.detailRows().toString()));

        // the other end of the arrow: the close of that connection, selected and in the middle of the window
        Instant acc = accept;
        Arrow a = m.arrows(accept.timeNs(), accept.timeNs()).stream().filter(x -> x.kind() == Arrow.Kind.CONNECTION
                && x.fromRow() == acc.rowId() && x.fromNs() == acc.timeNs()).findFirst().orElseThrow();
        arrow.open().run();
        settle();
        TimelineCanvas c = view.timeline();
        assertTrue(c.visibleStartNs() < a.toNs() && a.toNs() < c.visibleEndNs());
        assertEquals(a.toNs(), c.selectedEvent().timeNs(), "the close is selected");
        assertEquals("close", detail("call"));
    }

    @Test
    void theFilterHighlightsADescriptorsEventsAndWalksThroughThem() throws Exception {
        LoadedRun run = open(TimelineViewTest.trace("echo-process"));
        view.setFilter("fd 4");
        settle();
        List<TimelineFilter.Match> found = view.matches();
        assertTrue(found.size() >= 3, "reads, writes, accept and close of fd 4: " + found.size());
        for (TimelineFilter.Match mt : found) {
            String said = mt.span() != null ? mt.span().detail() : mt.instant().label();
            assertTrue(said.matches(".*\\bfd 4\\b.*"), said);
        }
        for (int i = 1; i < found.size(); i++) {
            assertTrue(found.get(i - 1).startNs() <= found.get(i).startNs(), "by time");
        }
        int first = view.matchIndex();
        assertTrue(first >= 0, "a match shown at once");
        assertTrue(view.statusText().startsWith("Match " + (first + 1) + " of " + found.size()), view.statusText());

        view.nextMatch();
        settle();
        int second = (first + 1) % found.size();
        assertEquals(second, view.matchIndex());
        TimelineFilter.Match shown = found.get(second);
        TimelineCanvas c = view.timeline();
        assertTrue(c.visibleStartNs() <= shown.startNs() && shown.startNs() <= c.visibleEndNs(), "in the window");
        assertEquals(shown.startNs(), c.selectedEvent().timeNs());
        assertEquals(shown.rowId(), ((Row) view.lanesTree().getSelection()[0].getData()).id(), "its lane selected");
        assertTrue((view.lanesTree().getSelection()[0].getFont().getFontData()[0].getStyle() & SWT.BOLD) != 0,
                "a lane with matches is bold");
        view.previousMatch();
        settle();
        assertEquals(first, view.matchIndex());

        // a process by its pid: its lanes
        int pid = run.model().rows().get(0).pid();
        view.setFilter("pid " + pid);
        settle();
        assertFalse(view.matches().isEmpty());
        assertTrue(view.matches().stream().allMatch(mt -> run.model().row(mt.rowId()).pid() == pid));

        view.setFilter("pid 99999999999999999999999"); // more digits than a long: matches nothing, no exception
        settle();
        assertTrue(view.matches().isEmpty());
        assertTrue(view.statusText().startsWith("Nothing matches"), view.statusText());

        view.setFilter("no-such-thing");
        settle();
        assertTrue(view.matches().isEmpty());
        assertTrue(view.statusText().startsWith("Nothing matches"), view.statusText());
        view.setFilter("");
        settle();
        assertEquals(run.summary(), view.statusText());
    }

    @Test
    void theFilterPicksWhatRanOnOneCore() {
        open(TimelineViewTest.trace("race-watch")); // format 1.2: every event's CPU recorded
        int seen = 0;
        for (int cpu = 0; cpu < Runtime.getRuntime().availableProcessors() + 2; cpu++) {
            view.setFilter("cpu " + cpu);
            settle();
            for (TimelineFilter.Match mt : view.matches()) {
                String said = mt.span() != null ? mt.span().detail() : mt.instant().label();
                assertTrue(said.matches(".*\\bcpu " + cpu + "\\b.*"), "cpu " + cpu + ": " + said);
            }
            seen += view.matches().isEmpty() ? 0 : 1;
        }
        assertTrue(seen >= 1, "events on some core");
        view.setFilter("");
    }

    @Test
    void aRunWithoutFindingsSaysNoSourceWasGiven() {
        LoadedRun run = open(TimelineViewTest.trace("echo-iterative"));
        assertTrue(run.findings().isEmpty(), "the correct iterative server: " + run.findings());
        Table table = view.findingsTable();
        assertEquals(1, table.getItemCount());
        assertTrue(table.getItem(0).getText(3).startsWith("No concurrency bug observed in this run. No source given"),
                table.getItem(0).getText(3));
        table.setSelection(0);
        table.notifyListeners(SWT.Selection, new Event());
        Workbench.processEvents(50); // selecting the line does nothing, and says nothing wrong
        assertEquals(run.summary(), view.statusText());
    }

    @Test
    void aRunComesFirstAsItsTimelineThenWithTheDetectorsFindings() throws Exception {
        List<LoadRunJob.Outcome> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        LoadRunJob job = new LoadRunJob(TimelineViewTest.trace("deadlock"), got::add);
        job.schedule();
        job.join();
        assertEquals(2, got.size(), got.toString());
        LoadedRun first = got.get(0).run(), last = got.get(1).run();
        assertFalse(got.get(0).last());
        assertFalse(first.checked());
        assertTrue(first.findings().isEmpty());
        assertTrue(first.summary().contains("looking for concurrency bugs"), first.summary());
        assertTrue(got.get(1).last());
        assertTrue(last.checked());
        assertFalse(last.findings().isEmpty(), "the deadlock found");
        assertTrue(first.model() == last.model(), "one timeline, built once");
    }

    /** A fresh run of the deadlock sample, so that its binary and symbols match (committed runs have neither). */
    private static Path deadlockRun(Path dir) throws Exception {
        String repo = System.getProperty("interleave.repo");
        assertNotNull(repo, "-Dinterleave.repo is not set");
        Path agent = Path.of(repo, "agent/build/libinterleave-agent.so");
        Path samples = Path.of(repo, "sample-servers");
        run(new ProcessBuilder("make", "-s", "-C", Path.of(repo, "agent").toString()));
        run(new ProcessBuilder("make", "-s", "-C", samples.toString(), "bin/deadlock"));
        Path out = dir.resolve("run");
        ProcessBuilder pb = new ProcessBuilder(samples.resolve("bin/deadlock").toString(), "--timeout", "1");
        pb.environment().put("LD_PRELOAD", agent.toString());
        pb.environment().put("INTERLEAVE_TRACE_DIR", out.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the deadlock's watchdog ends it");
        assertTrue(Files.isDirectory(out), "a run was written");
        return out;
    }

    private static void run(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, pb.command() + ": " + output);
    }

    @Test
    void aBlockedLockIsNamedByItsVariableAndDoubleClickOpensTheLineThatLocked(@TempDir Path tmp) throws Exception {
        LoadedRun run = open(deadlockRun(tmp));
        TimelineModel m = run.model();
        StateSpan wait = null;
        for (Row r : m.rows()) {
            for (StateSpan s : r.kind() == Row.Kind.THREAD ? m.spans(r.id(), 0, m.durationNs()) : List.<StateSpan>of()) {
                if (s.state() == State.LOCK && s.unfinished() && wait == null) {
                    wait = s;
                }
            }
        }
        assertNotNull(wait, "a thread ends blocked in the lock");
        assertTrue(wait.detail().matches("mutex m[12]\\b.*"), "named by its variable: " + wait.detail());

        // the tooltip and the lane say which mutex
        long from = wait.startNs() - 20_000, to = wait.startNs() + 200_000;
        int y = showAt(wait.rowId(), from, to);
        int x = view.timeline().xOf(wait.startNs()) + 40;
        while (view.timeline().findingAt(x, y) >= 0) {
            x += 20; // away from the red marks, which take clicks first
        }
        view.timeline().control().notifyListeners(SWT.MouseMove, mouse(x, y, 0, 0));
        String tip = view.timeline().control().getToolTipText();
        assertTrue(tip.contains("waiting for mutex m"), tip);
        assertFalse(tip.contains("0x"), "no address: " + tip);

        // click: the details; the mutex by name, who held it, the source line
        click(x, y);
        assertEquals("pthread_mutex_lock (never returned)", detail("call"));
        assertTrue(detail("mutex").matches("m[12]"), detail("mutex"));
        assertTrue(detail("held by").startsWith("tid "), detail("held by"));
        Path source = Path.of(System.getProperty("interleave.repo"), "sample-servers/deadlock.c");
        assertTrue(detail("source").startsWith(source + ":"), detail("source"));

        // double-click: deadlock.c at the line that called pthread_mutex_lock
        doubleClick(x, y);
        ITextEditor editor = Workbench.page().getActiveEditor().getAdapter(ITextEditor.class);
        assertNotNull(editor, "an editor opened: " + view.statusText());
        assertEquals("deadlock.c", editor.getTitle());
        var doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        var sel = (org.eclipse.jface.text.ITextSelection) editor.getSelectionProvider().getSelection();
        String line = doc.get(sel.getOffset(), sel.getLength());
        assertTrue(line.contains("pthread_mutex_lock"), line);
        Workbench.page().closeAllEditors(false);

        // a running stretch has no place to go to: said in the status line, nothing opened
        Optional<String> why = view.goToSource(new TimelineCanvas.Pick(m.spans(wait.rowId(), 0, m.durationNs())
                .stream().filter(s -> s.state() == State.RUNNING).findFirst().orElseThrow(), null).details(m));
        assertTrue(why.orElseThrow().contains("no place in the program's code"), why.toString());
        assertEquals(null, Workbench.page().getActiveEditor());

        // the finding's moment: both threads' waits in the window, the moment not at an edge
        int framed = 0;
        for (int i = 0; i < run.findings().size(); i++) {
            if (!run.findings().get(i).ruleId().contains("deadlock") || run.moment(i).isEmpty()
                    || interleave.ui.timeline.SourceOpener.sourceOf(run.findings().get(i)).isEmpty()) {
                continue;
            }
            framed++;
            view.showFinding(i);
            settle();
            TimelineCanvas c = view.timeline();
            long t = run.moment(i).get().timeNanos();
            double at = (t - c.visibleStartNs()) / (double) (c.visibleEndNs() - c.visibleStartNs());
            assertTrue(at > 0.2 && at < 0.8, "moment at " + at + " of the window");
            for (Row r : m.rows()) {
                for (StateSpan s : r.kind() == Row.Kind.THREAD ? m.spans(r.id(), t, t) : List.<StateSpan>of()) {
                    if (s.state() == State.LOCK && t - s.startNs() < 20 * Math.max(200_000, m.durationNs() / 40)) {
                        assertTrue(c.visibleStartNs() < s.startNs(), "the wait of " + r.label() + " from "
                                + s.startNs() + " is in the window " + c.visibleStartNs() + ".." + c.visibleEndNs());
                    }
                }
            }
            // double-click on its red mark: its source line
            int fy = c.laneCenterY(run.findingRows().get(i));
            c.control().notifyListeners(SWT.MouseDoubleClick, mouse(c.xOf(t), Math.max(fy, 40), 0, 1));
            Workbench.processEvents(200);
            ITextEditor e = Workbench.page().getActiveEditor() == null ? null
                    : Workbench.page().getActiveEditor().getAdapter(ITextEditor.class);
            assertNotNull(e, "the finding's source opened: " + run.findings().get(i).location());
            assertEquals("deadlock.c", e.getTitle());
            Workbench.page().closeAllEditors(false);
        }
        assertTrue(framed > 0, "a deadlock finding with its source line: " + run.findings());
    }
}
