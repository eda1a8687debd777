package interleave.ui.tests;

import static interleave.ui.launch.TracedLaunchConfig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import interleave.engine.tracing.TracedLaunch;
import interleave.ui.launch.LoadProcess;
import interleave.ui.launch.TracedLaunchShortcut;
import interleave.ui.launch.TracedProcess;
import interleave.ui.launch.TracedRuns;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.ReloadTraceRunHandler;
import interleave.ui.timeline.SourceOpener;
import interleave.ui.timeline.TimelineView;

/**
 * Run with tracing from Eclipse: the sample servers of this checkout started from a "Traced C Application" launch
 * configuration (loopback, port 0, bounded load), stopped by Terminate, by closing the view, or by the end of the load;
 * every pid Interleave started is checked to be gone. The shortcut builds a sample with make and rebuilds it when
 * stale; Reload reads the shown run again.
 */
class TracedLaunchTest {
    private static Path samples;
    private final List<ILaunch> launches = new ArrayList<>();

    @BeforeAll
    static void agentAndSamples() throws IOException, InterruptedException {
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
        samples = Path.of(repo, "sample-servers");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (ILaunch l : launches) {
            if (!l.isTerminated()) {
                l.terminate();
            }
        }
        TracedRuns.stopAll();
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        Workbench.closeDialogs();
    }

    private static ILaunchConfigurationWorkingCopy config(String name, String program, String args)
            throws Exception {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = m.getLaunchConfigurationType(TYPE_ID).newInstance(null,
                m.generateLaunchConfigurationName(name));
        wc.setAttribute(PROGRAM, program);
        wc.setAttribute(ARGUMENTS, args);
        wc.setAttribute(WORKING_DIRECTORY, samples.toString());
        wc.setAttribute(MAKE_DIRECTORY, samples.toString());
        return wc;
    }

    private ILaunch launch(ILaunchConfiguration c) throws Exception {
        ILaunch l = c.launch(ILaunchManager.RUN_MODE, null);
        launches.add(l);
        return l;
    }

    private static LoadProcess load(ILaunch l) {
        for (IProcess p : l.getProcesses()) {
            if (p instanceof LoadProcess t) {
                return t;
            }
        }
        return null;
    }

    /**
     * Waits for a run's output and end record after the launch says it terminated. A program that ends at once can end
     * before the launch is given its run directory (the record is then written a moment later), and its last output
     * can reach the console's reader after the end; a busy machine makes both likely.
     */
    private static void completed(ILaunch l, String output) {
        TracedProcess p = Workbench.traced(l);
        Workbench.until("the output '" + output + "' and the run's end record", 10, () -> p.output().contains(output)
                && p.runDirectory() != null && Files.isRegularFile(p.runDirectory()
                        .resolve("interleave-run.properties")));
    }

    private static Properties runEnd(Path runDir) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(runDir.resolve("interleave-run.properties"))) {
            p.load(r);
        }
        return p;
    }

    private static TimelineView timelineShowing(Path runDir) {
        TimelineView[] view = new TimelineView[1];
        Workbench.until("the run " + runDir + " shown in the timeline", 60, () -> {
            Workbench.waitForJobs(LoadRunJob.FAMILY);
            view[0] = (TimelineView) Workbench.page().findView(TimelineView.ID);
            // a followed run: its last snapshot applied (the follower's job can end before the UI thread shows it)
            return view[0] != null && view[0].run().map(LoadedRun::directory).filter(runDir::equals).isPresent()
                    && view[0].live().isEmpty() && !view[0].timeline().provisional();
        });
        return view[0];
    }

    @Test
    void terminatingAForkingServerUnderLoadLeavesNoProcessBehind() throws Exception {
        ILaunchConfigurationWorkingCopy wc = config("echo-process traced", samples.resolve("bin/echo-process").toString(),
                "-p 0");
        wc.setAttribute(LOAD_ENABLED, true);
        wc.setAttribute(LOAD_CLIENT, "bin/echo-client");
        wc.setAttribute(LOAD_CLIENTS, 3);
        wc.setAttribute(LOAD_MODE, MODE_TIME);
        wc.setAttribute(LOAD_SECONDS, 60); // longer than the test: Terminate ends it
        ILaunch l = launch(wc);
        TracedProcess server = Workbench.traced(l);
        Workbench.until("the load client connected to the server's children", 30,
                () -> load(l) != null && ProcessHandle.of(server.pid()).map(h -> h.children().count() >= 3)
                        .orElse(false));
        List<Long> pids = new ArrayList<>();
        pids.add(server.pid());
        pids.add(load(l).pid());
        ProcessHandle.of(server.pid()).orElseThrow().descendants().forEach(h -> pids.add(h.pid()));
        assertTrue(pids.size() >= 5, "server, 3 children, client: " + pids);
        assertTrue(server.output().contains("listening on 127.0.0.1:"));

        l.terminate();
        Workbench.until("the launch ended", 20, l::isTerminated);
        Workbench.until("every process gone", 10, () -> pids.stream().noneMatch(Workbench::running));
        assertEquals("user", runEnd(server.runDirectory()).getProperty("stopped_by"));
        // the registry forgets a process when its exit is seen (asynchronously)
        Workbench.until("the registry of started processes empty", 5, () -> TracedRuns.live().isEmpty());

        // the finished run opens on the timeline: the server and its children as lanes
        TimelineView view = timelineShowing(server.runDirectory());
        assertTrue(view.lanesTree().getItemCount() >= 4, "server and 3 children: " + view.lanesTree().getItemCount());
        // each is single-threaded: one lane per process, drawing its thread's states
        for (var item : view.lanesTree().getItems()) {
            assertEquals(0, item.getItemCount(), item.getText());
            assertEquals(interleave.engine.timeline.Row.Kind.THREAD,
                    ((interleave.engine.timeline.Row) item.getData()).kind(), item.getText());
        }
    }

    @Test
    void aLoadOfNRequestsEndsTheRunAndTheReloadButtonReadsItAgain() throws Exception {
        ILaunchConfigurationWorkingCopy wc = config("echo-thread traced", samples.resolve("bin/echo-thread").toString(),
                "-p 0");
        wc.setAttribute(LOAD_ENABLED, true);
        wc.setAttribute(LOAD_CLIENT, "bin/echo-client");
        wc.setAttribute(LOAD_CLIENTS, 2);
        wc.setAttribute(LOAD_MODE, MODE_REQUESTS);
        wc.setAttribute(LOAD_REQUESTS, 20);
        ILaunch l = launch(wc);
        TracedProcess server = Workbench.traced(l);
        Workbench.until("the load done and the launch ended", 60, l::isTerminated);
        assertEquals("load done", runEnd(server.runDirectory()).getProperty("stopped_by"));
        assertFalse(Workbench.running(server.pid()));
        LoadProcess client = load(l);
        assertNotNull(client, "the load client ran");
        assertEquals(0, client.getExitValue(), client.getStreamsProxy().getErrorStreamMonitor().getContents());

        TimelineView view = timelineShowing(server.runDirectory());
        LoadedRun first = view.run().orElseThrow();
        // one process, its main thread and the threads that served the 2 clients
        assertTrue(first.model().rows().size() >= 3, first.model().rows().toString());

        Workbench.page().activate(view);
        Workbench.processEvents(100);
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);
        handlers.executeCommand(ReloadTraceRunHandler.COMMAND_ID, null);
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        LoadedRun again = view.run().orElseThrow();
        assertTrue(again != first, "Reload read the run again");
        assertEquals(first.directory(), again.directory());
        assertEquals(first.model().rows().size(), again.model().rows().size());
    }

    @Test
    void closingTheTimelineViewStopsTheTracedServer() throws Exception {
        Workbench.page().showView(TimelineView.ID);
        ILaunch l = launch(config("echo-select traced", samples.resolve("bin/echo-select").toString(), "-p 0"));
        TracedProcess server = Workbench.traced(l);
        Workbench.until("the server listening", 30, () -> server.output()
                .contains("listening on 127.0.0.1:"));
        long pid = server.pid();
        assertTrue(Workbench.running(pid));
        Workbench.page().hideView(Workbench.page().findView(TimelineView.ID));
        Workbench.until("the server stopped", 10, () -> !Workbench.running(pid));
        Workbench.until("the launch ended", 10, l::isTerminated);
    }

    @Test
    void runAsOnASourceBuildsItWithMakeAndRebuildsItWhenStale() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("Makefile", "bin/%: %.c\n\tmkdir -p bin && cc -o $@ $<\n");
        files.put("hello.c", "#include <stdio.h>\nint main(void) { puts(\"first build\"); return 0; }\n");
        IProject project = Workbench.project("traced-shortcut", files);
        IFile source = project.getFile("hello.c");
        ILaunchConfiguration c = TracedLaunchShortcut.configurationFor(source).orElseThrow();
        assertEquals(project.getLocation().append("bin/hello").toOSString(), c.getAttribute(PROGRAM, ""));
        assertEquals(project.getLocation().toOSString(), c.getAttribute(MAKE_DIRECTORY, ""));
        // an executable is offered as it is; a text file is not offered
        assertTrue(TracedLaunchShortcut.configurationFor(project.getFile("Makefile")).isEmpty());

        ILaunch first = launch(c);
        Workbench.until("the first run ended", 30, first::isTerminated);
        completed(first, "first build");
        assertEquals("0", runEnd(Workbench.traced(first).runDirectory()).getProperty("exit_status"));

        Thread.sleep(1100); // make compares modification times in seconds on some file systems
        Workbench.write(source, "#include <stdio.h>\nint main(void) { puts(\"rebuilt\"); return 3; }\n");
        ILaunch second = launch(TracedLaunchShortcut.configurationFor(source).orElseThrow());
        assertEquals(c.getName(), second.getLaunchConfiguration().getName(), "the configuration is reused");
        Workbench.until("the second run ended", 30, second::isTerminated);
        completed(second, "rebuilt");
        assertEquals(3, Workbench.traced(second).getExitValue());
        assertEquals("3", runEnd(Workbench.traced(second).runDirectory()).getProperty("exit_status"));
        project.refreshLocal(org.eclipse.core.resources.IResource.DEPTH_INFINITE, null);
        assertFalse(TracedLaunchShortcut.configurationFor(project.getFile("bin/hello")).isEmpty(),
                "the built executable is offered too");
    }

    @Test
    void doubleClickOnAnObservedDeadlockOpensTheSourceAtTheLockingLine() throws Exception {
        ILaunch l = launch(config("deadlock traced", samples.resolve("bin/deadlock").toString(), "--timeout 1"));
        TracedProcess program = Workbench.traced(l);
        Workbench.until("the deadlocked program given up by its watchdog", 30, l::isTerminated);
        TimelineView view = timelineShowing(program.runDirectory());
        LoadedRun run = view.run().orElseThrow();
        int index = -1;
        for (int i = 0; i < run.findings().size(); i++) {
            if (run.findings().get(i).ruleId().contains("deadlock")) {
                index = i;
            }
        }
        assertTrue(index >= 0, "a deadlock observed: " + run.findings());
        var where = SourceOpener.sourceOf(run.findings().get(index));
        assertTrue(where.isPresent(), "symbolized to a source line: " + run.findings().get(index).location());
        assertEquals(samples.resolve("deadlock.c").toString(), where.get().file());

        // what a double-click on the finding does
        assertEquals(java.util.Optional.empty(), view.goToSource(index));
        Workbench.processEvents(200);
        var editor = (org.eclipse.ui.texteditor.ITextEditor) Workbench.page().getActiveEditor()
                .getAdapter(org.eclipse.ui.texteditor.ITextEditor.class);
        assertNotNull(editor, "a text editor is open");
        assertTrue(editor.getTitle().equals("deadlock.c"), editor.getTitle());
        var doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        var sel = (org.eclipse.jface.text.ITextSelection) editor.getSelectionProvider().getSelection();
        assertEquals(where.get().startLine() - 1, doc.getLineOfOffset(sel.getOffset()), "at the finding's line");
        assertTrue(doc.get(sel.getOffset(), sel.getLength()).contains("lock"),
                "the line locks a mutex: " + doc.get(sel.getOffset(), sel.getLength()));
        Workbench.page().closeAllEditors(false);
    }

    @Test
    void goToSourceOpensWorkspaceFilesAndOutsideFilesAtTheLineAndExplainsWhatItCannotOpen() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            text.append("int line").append(i).append(";\n");
        }
        IProject project = Workbench.project("goto-source", Map.of("a.c", text.toString()));
        var page = Workbench.page();
        assertEquals(java.util.Optional.empty(),
                SourceOpener.open(page, project.getFile("a.c").getLocation().toOSString(), 5));
        var editor = page.getActiveEditor().getAdapter(org.eclipse.ui.texteditor.ITextEditor.class);
        assertTrue(editor.getEditorInput() instanceof org.eclipse.ui.IFileEditorInput, "the workspace file");
        var sel = (org.eclipse.jface.text.ITextSelection) editor.getSelectionProvider().getSelection();
        assertEquals(4, sel.getStartLine());

        Path outside = Files.createTempFile("interleave-goto", ".c");
        try {
            Files.writeString(outside, text.toString());
            assertEquals(java.util.Optional.empty(), SourceOpener.open(page, outside.toString(), 9));
            editor = page.getActiveEditor().getAdapter(org.eclipse.ui.texteditor.ITextEditor.class);
            assertFalse(editor.getEditorInput() instanceof org.eclipse.ui.IFileEditorInput, "opened through EFS");
            sel = (org.eclipse.jface.text.ITextSelection) editor.getSelectionProvider().getSelection();
            assertEquals(8, sel.getStartLine());
            page.closeAllEditors(false);
        } finally {
            Files.deleteIfExists(outside);
        }
        assertTrue(SourceOpener.open(page, "/bin/sh", 1).orElseThrow().contains("-g"));
        assertTrue(SourceOpener.open(page, "/nonexistent/x.c", 3).orElseThrow().contains("not on this machine"));
        assertTrue(SourceOpener.open(page, "x.c", 3).orElseThrow().contains("without its folder"));
    }

    @Test
    void aRunWhoseWorkIsDoneInItsFirstMillisecondsOpensOnThoseMilliseconds() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("Makefile", "bin/%: %.c\n\tmkdir -p bin && cc -o $@ $<\n");
        files.put("burst.c", """
                #include <sys/wait.h>
                #include <unistd.h>
                int main(void)
                {
                    for (int i = 0; i < 30; i++) {
                        pid_t pid = fork();
                        if (pid == 0)
                            _exit(0);
                        waitpid(pid, NULL, 0);
                    }
                    sleep(1); /* then nothing happens for a second */
                    return 0;
                }
                """);
        IProject project = Workbench.project("traced-burst", files);
        ILaunch l = launch(TracedLaunchShortcut.configurationFor(project.getFile("burst.c")).orElseThrow());
        Workbench.until("the run ended", 30, l::isTerminated);
        TimelineView view = timelineShowing(Workbench.traced(l).runDirectory());
        LoadedRun run = view.run().orElseThrow();
        var canvas = view.timeline();
        long from = canvas.visibleStartNs(), to = canvas.visibleEndNs(), d = run.model().durationNs();
        assertTrue(d > 900_000_000L, "the run lasts the second of sleep: " + d);
        assertTrue(to - from < d / 4, "opened on the burst, not the idle second: " + from + ".." + to + " of " + d);
        int forks = 0;
        for (var r : run.model().rows()) {
            for (var i : run.model().instants(r.id(), 0, d)) {
                if (i.kind() == interleave.engine.timeline.Instant.Kind.FORK) {
                    forks++;
                    assertTrue(from < i.timeNs() && i.timeNs() < to, "fork at " + i.timeNs() + " outside " + from
                            + ".." + to);
                }
            }
        }
        assertEquals(30, forks);
        canvas.zoomToFit(); // double-click or 0: the whole run
        assertTrue(canvas.visibleStartNs() <= 0 && canvas.visibleEndNs() >= d);
    }

    @Test
    void aFindingAtTheEndOfTheRunIsShownWithRoomOnBothSides() throws Exception {
        TimelineView view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        view.open(TimelineViewTest.trace("deadlock"));
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        LoadedRun run = view.run().orElseThrow();
        for (int i = 0; i < run.findings().size(); i++) {
            var moment = run.moment(i);
            if (moment.isEmpty()) {
                continue;
            }
            view.showFinding(i);
            Workbench.processEvents(50);
            var c = view.timeline();
            double at = (moment.get().timeNanos() - c.visibleStartNs())
                    / (double) (c.visibleEndNs() - c.visibleStartNs());
            assertTrue(at > 0.2 && at < 0.8, "finding " + i + " at " + at + " of the window, not at its edge");
        }
    }
}
