package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.commands.ParameterizedCommand;
import org.eclipse.core.expressions.IEvaluationContext;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.ISources;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import interleave.engine.experiments.RaceExperiment;
import interleave.engine.experiments.SecondClientBlock;
import interleave.engine.experiments.SecondClientExperiment;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.Row;
import interleave.engine.tracing.TracedLaunch;
import interleave.ui.AnalysisJob;
import interleave.ui.experiments.Lecture;
import interleave.ui.experiments.RaceExperimentJob;
import interleave.ui.experiments.RaceHistogramDialog;
import interleave.ui.experiments.SecondClientJob;
import interleave.ui.experiments.ShowInTimelineJob;
import interleave.ui.timeline.TimelineView;

/**
 * The lecture's experiments and Show in Timeline in a real workbench, on a project holding the lecture's samples
 * (copied from the checkout, built with make by the actions themselves): the race experiment's histogram, the second
 * client's wait framed on the timeline, and a static finding's observed occurrence selected in the timeline.
 */
class LectureExperimentsTest {
    private static final List<String> FILES = List.of("race.c", "echo-iterative.c", "echo-client.c", "common.c",
            "common.h", "Makefile");
    private static IProject project;

    @BeforeAll
    static void samplesProject() throws Exception {
        String repo = System.getProperty("interleave.repo");
        assertNotNull(repo, "-Dinterleave.repo is not set (tests/interleave.ui.tests/pom.xml sets it)");
        Path agent = Path.of(repo, "agent/build/libinterleave-agent.so");
        if (!Files.isRegularFile(agent)) {
            Process make = new ProcessBuilder("make", "-s", "-C", Path.of(repo, "agent").toString())
                    .redirectErrorStream(true).start();
            make.getInputStream().readAllBytes();
            assertTrue(make.waitFor(180, TimeUnit.SECONDS) && make.exitValue() == 0, "make -C agent failed");
        }
        System.setProperty(TracedLaunch.AGENT_PROPERTY, agent.toString());
        Map<String, String> files = new LinkedHashMap<>();
        for (String f : FILES) {
            files.put(f, Files.readString(Path.of(repo, "sample-servers", f)));
        }
        project = Workbench.project("lecture-samples", files);
    }

    @AfterEach
    void closeEverything() {
        Workbench.waitForJobs(Lecture.FAMILY);
        Workbench.closeDialogs();
    }

    private static void waitForLecture() {
        Workbench.waitForJobs(Lecture.FAMILY);
        Workbench.processEvents(200);
    }

    @Test
    void theRaceExperimentShowsTheHistogramOfEveryRun() {
        RaceExperimentJob job = new RaceExperimentJob(3);
        job.schedule();
        waitForLecture();
        RaceExperiment.Result r = job.result().orElseThrow(() -> new AssertionError(Lecture.lastMessage()));
        assertEquals(List.of(), r.problems());
        assertEquals(3 * RaceExperiment.DEFAULT_THREADS, r.histogram().readCount(), "every thread of every run");
        RaceHistogramDialog dialog = RaceHistogramDialog.last();
        assertNotNull(dialog, "the histogram is shown");
        assertEquals(r.histogram(), dialog.histogram());
        assertTrue(dialog.getShell().getText().startsWith("Race experiment: 3 runs of race 100"),
                dialog.getShell().getText());
        assertTrue(dialog.chart().getSize().x > 300 && dialog.chart().getSize().y > 150, "the chart has room");
        assertTrue(Files.isRegularFile(r.runDirs().get(0).resolve("program-output.txt")));
        dialog.close();
    }

    @Test
    void theSecondClientsWaitOpensFramedOnTheTimeline() {
        SecondClientJob job = new SecondClientJob();
        job.schedule();
        waitForLecture();
        SecondClientExperiment.Result r = job.result().orElseThrow(() -> new AssertionError(Lecture.lastMessage()));
        SecondClientBlock b = r.derivation().block().orElseThrow(() -> new AssertionError(r.describe()));
        assertEquals(r.describe(), Lecture.lastMessage(), "the answer from the trace is what the user is told");
        TimelineView view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        assertNotNull(view);
        assertEquals(r.runDir(), view.run().orElseThrow().directory());
        long from = view.run().get().model().time(b.blockedFromNs());
        long to = view.run().get().model().time(b.blockedUntilNs());
        assertTrue(view.timeline().visibleStartNs() < from && view.timeline().visibleEndNs() > to,
                "the whole wait is in the window, with a margin");
        assertTrue(view.timeline().visibleEndNs() - view.timeline().visibleStartNs() < 2 * (to - from),
                "and it fills most of it");
        TreeItem[] selected = view.lanesTree().getSelection();
        assertEquals(1, selected.length);
        Row row = (Row) selected[0].getData();
        assertEquals(b.secondPid(), row.pid());
        assertEquals(b.secondTid(), row.tid(), "the waiting client's lane is selected");
    }

    /** Runs Show in Timeline through its command, with the marker selected in the Problems view. */
    private static void showInTimeline(IMarker marker) throws Exception {
        IViewPart problems = Workbench.page().showView(IPageLayout.ID_PROBLEM_VIEW);
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);
        ICommandService commands = Workbench.window().getService(ICommandService.class);
        IEvaluationContext context = handlers.createContextSnapshot(true);
        context.addVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME, new StructuredSelection(marker));
        context.addVariable(ISources.ACTIVE_PART_NAME, problems);
        handlers.executeCommandInContext(
                new ParameterizedCommand(commands.getCommand("interleave.ui.showInTimeline"), null), null, context);
    }

    @Test
    void showInTimelineOnTheRaceMarkerSelectsTheObservedRaceAndReusesTheRunNextTime() throws Exception {
        AnalysisJob analysis = new AnalysisJob(List.of(project));
        analysis.schedule();
        Workbench.waitForAnalysis();
        IMarker marker = null;
        for (IMarker m : Workbench.markers(project.getFile("race.c"))) {
            if (m.getAttribute("ruleId", "").equals("stack-address-to-thread")) {
                marker = m;
            }
        }
        assertNotNull(marker, Workbench.describe(Workbench.markers(project)).toString());
        showInTimeline(marker);
        waitForLecture();
        TimelineView view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        assertNotNull(view, Lecture.lastMessage());
        int selected = view.timeline().selectedFinding();
        assertTrue(selected >= 0, "a finding is selected: " + Lecture.lastMessage());
        Finding f = view.run().orElseThrow().findings().get(selected);
        assertEquals("observed-argument-race", f.ruleId());
        assertEquals(selected, view.findingsTable().getSelectionIndex(), "selected in the list too");
        Path firstRun = view.run().get().directory();
        assertTrue(firstRun.getFileName().toString().startsWith("race-"), firstRun.toString());

        // the run is newer than the source: the second time it is opened again, not run again
        ShowInTimelineJob again = ShowInTimelineJob.forMarker(marker).orElseThrow();
        again.schedule();
        waitForLecture();
        assertEquals(firstRun, again.shownRun().orElseThrow(() -> new AssertionError(Lecture.lastMessage())));
        assertEquals(selected, view.timeline().selectedFinding());
    }

    @Test
    void showInTimelineFromTheEditorsRulerTakesTheFindingOnTheClickedLine() throws Exception {
        AnalysisJob analysis = new AnalysisJob(List.of(project));
        analysis.schedule();
        Workbench.waitForAnalysis();
        org.eclipse.core.resources.IFile race = project.getFile("race.c");
        int line = Workbench.lineOf(Workbench.read(race), "pthread_create(&tids[i]");
        org.eclipse.ui.IEditorPart editor = org.eclipse.ui.ide.IDE.openEditor(Workbench.page(), race);
        Workbench.processEvents(200);
        org.eclipse.jface.text.source.IVerticalRulerInfo ruler = editor
                .getAdapter(org.eclipse.jface.text.source.IVerticalRulerInfo.class);
        org.eclipse.jface.text.ITextViewer viewer = (org.eclipse.jface.text.ITextViewer) editor
                .getAdapter(org.eclipse.jface.text.ITextOperationTarget.class);
        assertNotNull(ruler);
        assertNotNull(viewer);
        viewer.revealRange(viewer.getDocument().getLineOffset(line - 1), 0);
        Workbench.processEvents(100);
        // a right click on the ruler beside the line, as before its context menu opens
        org.eclipse.swt.widgets.Event down = new org.eclipse.swt.widgets.Event();
        down.button = 3;
        down.x = 2;
        down.y = viewer.getTextWidget().getLinePixel(line - 1 - viewer.getTopIndex()
                + viewer.getTextWidget().getTopIndex()) + 2;
        // the composite ruler listens on its columns (line numbers, annotations), not on itself
        List<org.eclipse.swt.widgets.Control> columns = ruler.getControl() instanceof org.eclipse.swt.widgets.Composite c
                ? List.of(c.getChildren()) : List.of(ruler.getControl());
        for (org.eclipse.swt.widgets.Control column : columns) {
            if (ruler.getLineOfLastMouseButtonActivity() < 0) {
                column.notifyListeners(org.eclipse.swt.SWT.MouseDown, down);
            }
        }
        assertEquals(line - 1, ruler.getLineOfLastMouseButtonActivity(), "the click is on the pthread_create line");
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);
        ICommandService commands = Workbench.window().getService(ICommandService.class);
        IEvaluationContext context = handlers.createContextSnapshot(true);
        context.addVariable(ISources.ACTIVE_PART_NAME, editor);
        context.addVariable(ISources.ACTIVE_EDITOR_NAME, editor);
        handlers.executeCommandInContext(
                new ParameterizedCommand(commands.getCommand("interleave.ui.showInTimeline"), null), null, context);
        waitForLecture();
        TimelineView view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        assertNotNull(view, Lecture.lastMessage());
        int selected = view.timeline().selectedFinding();
        assertTrue(selected >= 0, "a finding is selected: " + Lecture.lastMessage());
        assertEquals("observed-argument-race", view.run().orElseThrow().findings().get(selected).ruleId());
        Workbench.page().closeEditor(editor, false);
    }

    @Test
    void theExperimentsAreInTheInterleaveMenu() {
        org.eclipse.swt.widgets.MenuItem interleave = null;
        for (org.eclipse.swt.widgets.MenuItem item : Workbench.window().getShell().getMenuBar().getItems()) {
            if (item.getText().replace("&", "").equals("Interleave")) {
                interleave = item;
            }
        }
        assertNotNull(interleave, "no Interleave menu");
        org.eclipse.swt.widgets.Menu menu = interleave.getMenu();
        assertNotNull(Workbench.showAndFind(menu, "Race Experiment..."), Workbench.labels(menu).toString());
        assertNotNull(Workbench.showAndFind(menu, "Where Does the Second Client Block?"),
                Workbench.labels(menu).toString());
        Workbench.hide(menu);
    }

    @Test
    void aProgramThatIsNoSampleOrARuleNoDetectorObservesIsSaidSo() throws Exception {
        Path mine = project.getLocation().toPath().resolve("my-server.c");
        new ShowInTimelineJob("stack-address-to-thread", mine, 10).schedule();
        waitForLecture();
        assertTrue(Lecture.lastMessage().startsWith("my-server.c is not one of the lecture's samples"),
                Lecture.lastMessage());
        new ShowInTimelineJob("thread-unsafe-call", project.getLocation().toPath().resolve("race.c"), 10).schedule();
        waitForLecture();
        assertTrue(Lecture.lastMessage().startsWith("thread-unsafe-call is found in the source only"),
                Lecture.lastMessage());
    }
}
