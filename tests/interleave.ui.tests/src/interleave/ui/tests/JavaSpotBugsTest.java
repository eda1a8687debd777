package interleave.ui.tests;

import static interleave.ui.tests.Workbench.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.IWorkspaceDescription;
import org.eclipse.core.resources.IncrementalProjectBuilder;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.ide.IDE;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.ui.AnalysisJob;
import interleave.ui.InterleaveMarkers;
import interleave.ui.RuleDocumentationView;

/**
 * SpotBugs in the workbench: Analyze concurrency on a Java project built by JDT's builder also runs SpotBugs on its
 * output folder. Its finding is a marker that names SpotBugs (attribute and text) and explains SpotBugs' pattern; the
 * bug both tools find is marked once, Interleave's; a project not built yet or a file changed since its build gets a
 * note instead of SpotBugs' findings. The same command runs from the context menu of JDT's Java editor.
 */
class JavaSpotBugsTest {
    /** The pool server of JavaProjectTest plus a reporter thread that is run, not started (only SpotBugs sees it). */
    static final String SERVER = """
            package server;

            import java.io.IOException;
            import java.net.InetAddress;
            import java.net.ServerSocket;
            import java.net.Socket;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            /** Counts its clients with ++ on a volatile field from every worker, and reports in a thread of its own. */
            public class CountingServer {
                private static volatile int served;
                private static final Object statsLock = new Object();
                private static long lastReport;

                public static void main(String[] args) throws IOException {
                    ExecutorService pool = Executors.newFixedThreadPool(4);
                    try (ServerSocket listener = new ServerSocket(15198, 50, InetAddress.getLoopbackAddress())) {
                        for (int i = 0; i < 3; i++) {
                            Socket conn = listener.accept();
                            pool.execute(() -> serve(conn));
                        }
                        Thread reporter = new Thread(CountingServer::report);
                        reporter.run();
                    } finally {
                        pool.shutdown();
                    }
                    System.out.println("served " + served + " clients");
                }

                static void report() {
                    synchronized (statsLock) {
                        lastReport = System.nanoTime();
                    }
                }

                static void serve(Socket conn) {
                    try (conn) {
                        conn.getOutputStream().write(conn.getInputStream().read());
                        served++;
                    } catch (IOException e) {
                        // the client left early: nothing to answer
                    }
                }
            }
            """;
    static final String RUN_RULE = "spotbugs:RU_INVOKE_RUN";
    /** SpotBugs' report of the volatile increment: the same bug as Interleave's unsynchronized-shared-write. */
    static final String TWIN_RULE = "spotbugs:AT_NONATOMIC_OPERATIONS_ON_SHARED_VARIABLE";
    static final int RUN_LINE = Workbench.lineOf(SERVER, "reporter.run();");
    static final int INCREMENT_LINE = Workbench.lineOf(SERVER, "served++;");

    private Boolean autoBuilding;

    @AfterEach
    void restore() throws Exception {
        Workbench.page().closeAllEditors(false);
        if (autoBuilding != null) {
            setAutoBuilding(autoBuilding);
        }
    }

    @Test
    void spotBugsFindingIsMarkedWithItsToolExplainedAndTheSharedBugMarkedOnce() throws Exception {
        IProject project = project("java-spotbugs");
        build(project);
        assertTrue(project.getFile("bin/server/CountingServer.class").exists(), "JDT's builder compiled the project");

        AnalysisJob job = analyze(project);
        assertEquals(List.of("CountingServer.java:" + RUN_LINE + " " + RUN_RULE,
                "CountingServer.java:" + INCREMENT_LINE + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)), "SpotBugs' twin of the increment is dropped");
        assertEquals("2 findings (1 from SpotBugs) in 1 of 1 Java file.", job.summary());
        IMarker spotBugs = Workbench.markers(project)[0];
        IMarker own = Workbench.markers(project)[1];
        assertEquals("SpotBugs", spotBugs.getAttribute(InterleaveMarkers.TOOL, ""));
        assertEquals("Interleave", own.getAttribute(InterleaveMarkers.TOOL, ""));
        String message = spotBugs.getAttribute(IMarker.MESSAGE, "");
        assertTrue(message.startsWith("SpotBugs: ") && message.endsWith("[" + RUN_RULE + "]")
                && message.length() <= InterleaveMarkers.MESSAGE_LENGTH, message);
        assertTrue(spotBugs.getAttribute(InterleaveMarkers.EXPLANATION, "").startsWith("SpotBugs: "));
        assertTrue(own.getAttribute(IMarker.MESSAGE, "").startsWith("'served++'"), "Interleave's text names no"
                + " other tool: " + own.getAttribute(IMarker.MESSAGE, ""));
        int run = SERVER.indexOf("reporter.run();");
        assertEquals(run, spotBugs.getAttribute(IMarker.CHAR_START, -1), "SpotBugs gives a line: its text is marked");
        assertEquals(run + "reporter.run();".length(), spotBugs.getAttribute(IMarker.CHAR_END, -1));

        // Explain opens SpotBugs' own page of the pattern, with this finding on top
        IMarkerResolution[] resolutions = IDE.getMarkerHelpRegistry().getResolutions(spotBugs);
        IMarkerResolution explain = Arrays.stream(resolutions).filter(r -> r.getLabel().startsWith("Explain: ")
                && r.getLabel().endsWith("(SpotBugs)")).findFirst().orElseThrow(() -> new AssertionError(
                        "no Explain: " + Arrays.stream(resolutions).map(IMarkerResolution::getLabel).toList()));
        assertEquals(1, resolutions.length, "no quick fixes for SpotBugs' findings");
        explain.run(spotBugs);
        Workbench.processEvents(100);
        RuleDocumentationView view = (RuleDocumentationView) Workbench.page().findView(RuleDocumentationView.ID);
        assertNotNull(view, "the rule view opened");
        assertEquals(RUN_RULE, view.shownRuleId());
        String page = view.shownContent();
        assertTrue(page.contains("start()") && page.contains("SpotBugs 4.") && page.contains("This finding"), page);

        // the merge is what removed SpotBugs' report of the increment: with Interleave's rule off, it is shown
        Workbench.write(project.getFile(".interleave"), "unsynchronized-shared-write = off\n");
        analyze(project);
        assertEquals(List.of("CountingServer.java:" + RUN_LINE + " " + RUN_RULE,
                "CountingServer.java:" + INCREMENT_LINE + " " + TWIN_RULE), describe(Workbench.markers(project)));

        // the settings file switches SpotBugs' patterns by their ids, as the command line's does
        Workbench.write(project.getFile(".interleave"), "spotbugs:RU_INVOKE_RUN = off\n");
        analyze(project);
        assertEquals(List.of("CountingServer.java:" + INCREMENT_LINE + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));
    }

    @Test
    void withoutClassesOrWithAChangedFileSpotBugsIsLeftOutWithANote() throws Exception {
        autoBuilding = setAutoBuilding(false);
        IProject project = project("java-unbuilt");
        AnalysisJob job = analyze(project);
        assertTrue(job.getResult().isOK(), "a note, not a warning: " + job.getResult());
        assertEquals("1 finding in 1 of 1 Java file. SpotBugs did not run on java-unbuilt: it has no compiled"
                + " classes yet (build the project, or turn on Project > Build Automatically).", job.summary());
        assertEquals(List.of("CountingServer.java:" + INCREMENT_LINE + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));

        build(project);
        analyze(project);
        assertEquals(List.of("CountingServer.java:" + RUN_LINE + " " + RUN_RULE,
                "CountingServer.java:" + INCREMENT_LINE + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));

        // the source changes, its classes stay as they were: SpotBugs' findings would be about the old code
        IFile server = project.getFile("src/server/CountingServer.java");
        Thread.sleep(50);
        Workbench.write(server, "// the reporter's line moved down by one\n" + SERVER);
        job = analyze(project);
        assertEquals(List.of("CountingServer.java:" + (INCREMENT_LINE + 1) + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));
        assertTrue(job.summary().endsWith("SpotBugs' findings on CountingServer.java are left out: it has changed"
                + " since last compiled (build the project and analyze again)."), job.summary());

        build(project);
        analyze(project);
        assertEquals(List.of("CountingServer.java:" + (RUN_LINE + 1) + " " + RUN_RULE,
                "CountingServer.java:" + (INCREMENT_LINE + 1) + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));
    }

    @Test
    void theJavaEditorsContextMenuAnalyzesTheProject() throws Exception {
        IProject project = project("java-editor-menu");
        build(project);
        IEditorPart editor = IDE.openEditor(Workbench.page(), project.getFile("src/server/CountingServer.java"));
        assertEquals("org.eclipse.jdt.ui.CompilationUnitEditor", editor.getSite().getId(), "JDT's Java editor");
        Workbench.page().activate(editor);
        Workbench.processEvents(100);
        Control text = editor.getAdapter(Control.class);
        assertNotNull(text, "no text widget in " + editor);
        Menu menu = text.getMenu();
        assertNotNull(menu, "the Java editor has no context menu");
        MenuItem analyze = Workbench.showAndFind(menu, "Analyze concurrency");
        assertNotNull(analyze, "not in the Java editor's context menu: " + Workbench.labels(menu));
        analyze.notifyListeners(SWT.Selection, new Event());
        Workbench.hide(menu);
        Workbench.waitForAnalysis();
        assertEquals(List.of("CountingServer.java:" + RUN_LINE + " " + RUN_RULE,
                "CountingServer.java:" + INCREMENT_LINE + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)), "the edited file's project was analyzed");
    }

    /** A Java project (src/ to bin/) whose only source is {@link #SERVER}. */
    static IProject project(String name) throws Exception {
        IProject project = JavaProjectTest.javaProject(name);
        Workbench.write(project.getFile("src/server/CountingServer.java"), SERVER);
        return project;
    }

    static AnalysisJob analyze(IProject project) {
        AnalysisJob job = new AnalysisJob(List.of(project));
        job.schedule();
        Workbench.waitForAnalysis();
        return job;
    }

    /** A full build by JDT's builder, then no build left running (an automatic one may follow the edits). */
    static void build(IProject project) throws Exception {
        project.refreshLocal(IResource.DEPTH_INFINITE, null);
        project.build(IncrementalProjectBuilder.FULL_BUILD, null);
        Workbench.waitForJobs(ResourcesPlugin.FAMILY_AUTO_BUILD);
    }

    /** Sets Project > Build Automatically; returns what it was. */
    static boolean setAutoBuilding(boolean on) throws Exception {
        IWorkspace workspace = ResourcesPlugin.getWorkspace();
        IWorkspaceDescription d = workspace.getDescription();
        boolean was = d.isAutoBuilding();
        d.setAutoBuilding(on);
        workspace.setDescription(d);
        return was;
    }
}
