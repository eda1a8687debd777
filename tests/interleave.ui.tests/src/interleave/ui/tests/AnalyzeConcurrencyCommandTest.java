package interleave.ui.tests;

import static interleave.ui.tests.Workbench.describe;
import static interleave.ui.tests.Workbench.markers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.part.ISetSelectionTarget;
import org.junit.jupiter.api.Test;

import interleave.ui.AnalysisJob;
import interleave.ui.AnalyzeConcurrencyHandler;
import interleave.ui.InterleaveMarkers;

/**
 * "Analyze concurrency" from the Project Explorer, in a real workbench: the context menu (its SWT menu is shown by
 * sending SWT.Show, which makes the workbench fill it and evaluate visibleWhen; the item is clicked with SWT.Selection),
 * the handler service, the job and the markers it leaves.
 */
class AnalyzeConcurrencyCommandTest {
    private static final String ANALYZE_LABEL = "Analyze concurrency";

    @Test
    void projectContextMenuRunsTheAnalysisOfAllFilesAsOneProgram() throws Exception {
        IProject project = Workbench.project("popup-menu", ServerProgram.files());
        selectInProjectExplorer(project);

        Menu menu = projectExplorerMenu();
        MenuItem analyze = Workbench.showAndFind(menu, ANALYZE_LABEL);
        assertNotNull(analyze, "no '" + ANALYZE_LABEL + "' in the Project Explorer menu of a project; items: "
                + Workbench.labels(menu));
        analyze.notifyListeners(SWT.Selection, new Event());
        Workbench.hide(menu);
        Workbench.waitForAnalysis();

        // The printf marker is in log.c: the handler is installed in signals.c and calls log_child() in log.c.
        assertEquals(ServerProgram.expectedMarkers(), describe(markers(project)));
    }

    @Test
    void menuIsOfferedForCFilesAndFoldersButNotForOtherFiles() throws Exception {
        IProject project = Workbench.project("menu-visibility", ServerProgram.files());
        IFolder folder = project.getFolder("src");
        folder.create(true, true, null);
        Workbench.write(folder.getFile("util.h"), "int util(void);\n");

        for (IResource offered : List.of(project.getFile("server.c"), folder, folder.getFile("util.h"))) {
            selectInProjectExplorer(offered);
            Menu menu = projectExplorerMenu();
            assertNotNull(Workbench.showAndFind(menu, ANALYZE_LABEL),
                    "menu of " + offered + ": " + Workbench.labels(menu));
            Workbench.hide(menu);
        }
        selectInProjectExplorer(project.getFile("README.txt"));
        Menu menu = projectExplorerMenu();
        assertNull(Workbench.showAndFind(menu, ANALYZE_LABEL), "offered for a text file: " + Workbench.labels(menu));
        Workbench.hide(menu);
    }

    @Test
    void rerunReplacesTheMarkersInsteadOfAddingMore() throws Exception {
        IProject project = Workbench.project("rerun", ServerProgram.files());
        selectInProjectExplorer(project);
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);

        Object first = handlers.executeCommand(AnalyzeConcurrencyHandler.COMMAND_ID, null);
        assertInstanceOf(AnalysisJob.class, first, "the handler returns the job it scheduled");
        Workbench.waitForAnalysis();
        IMarker[] before = markers(project);
        assertEquals(ServerProgram.expectedMarkers(), describe(before));
        List<String> fingerprintsBefore = fingerprints(before);

        handlers.executeCommand(AnalyzeConcurrencyHandler.COMMAND_ID, null);
        Workbench.waitForAnalysis();
        IMarker[] after = markers(project);
        assertEquals(ServerProgram.expectedMarkers(), describe(after), "same findings, not twice as many");
        assertEquals(fingerprintsBefore, fingerprints(after), "fingerprints are stable between runs");
        for (IMarker old : before) {
            assertFalse(old.exists(), "old marker still there: " + old);
        }

        // What the marker carries: the range of &connfd, severity, rule id, evidence chain and the analyzed scope.
        IMarker connfd = project.getFile("server.c").findMarkers(InterleaveMarkers.TYPE, false, 0)[0];
        int at = ServerProgram.SERVER_C.indexOf("&connfd");
        assertEquals(at, connfd.getAttribute(IMarker.CHAR_START, -1));
        assertEquals(at + "&connfd".length(), connfd.getAttribute(IMarker.CHAR_END, -1));
        assertEquals(IMarker.SEVERITY_ERROR, connfd.getAttribute(IMarker.SEVERITY, -1));
        assertTrue(connfd.isSubtypeOf(IMarker.PROBLEM), "shows in the Problems view");
        assertTrue(connfd.getAttribute(IMarker.MESSAGE, "").contains("&connfd"),
                connfd.getAttribute(IMarker.MESSAGE, ""));
        IMarker printf = project.getFile("log.c").findMarkers(InterleaveMarkers.TYPE, false, 0)[0];
        List<String> chain = InterleaveMarkers.evidenceOf(printf);
        assertTrue(chain.stream().anyMatch(s -> s.startsWith("/rerun/signals.c:") && s.contains("SIGCHLD")),
                "the chain starts at the registration in signals.c: " + chain);
        assertTrue(chain.stream().anyMatch(s -> s.contains("log_child")), "and goes through log_child: " + chain);
        assertEquals("/rerun", printf.getAttribute(InterleaveMarkers.ANALYSIS_SCOPE, ""));
    }

    @Test
    void binaryFileIsReportedInTheJobResultAndTheRestIsStillAnalyzed() throws Exception {
        IProject project = Workbench.project("unreadable", ServerProgram.files());
        project.getFile("core.c").create(new ByteArrayInputStream(new byte[] { 0x7f, 'E', 'L', 'F', 0, 0, 1 }), true,
                null);
        AnalysisJob job = new AnalysisJob(List.of(project));
        job.schedule();
        Workbench.waitForAnalysis();

        IStatus result = job.getResult();
        assertEquals(IStatus.WARNING, result.getSeverity(), result.toString());
        assertTrue(result.isMultiStatus());
        assertTrue(Arrays.stream(result.getChildren()).anyMatch(s -> s.getMessage().startsWith("/unreadable/core.c")
                && s.getMessage().contains("binary")), Arrays.toString(result.getChildren()));
        assertEquals(ServerProgram.expectedMarkers(), describe(markers(project)));
    }

    @Test
    void cancelledAnalysisLeavesTheOldMarkersAlone() throws Exception {
        IProject project = Workbench.project("cancelled", ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        IMarker[] before = markers(project);
        assertEquals(2, before.length);

        Workbench.write(project.getFile("log.c"), "void log_child(int pid) { (void)pid; }\n");
        NullProgressMonitor cancelled = new NullProgressMonitor();
        cancelled.setCanceled(true);
        IStatus status = new AnalysisJob(List.of(project)).analyze(cancelled);
        assertEquals(IStatus.CANCEL, status.getSeverity());
        assertEquals(describe(before), describe(markers(project)));
    }

    @Test
    void analyzingOneFileReplacesOnlyThatFilesMarkers() throws Exception {
        IProject project = Workbench.project("one-file", ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        IFile server = project.getFile("server.c");
        new AnalysisJob(List.of(server)).schedule();
        Workbench.waitForAnalysis();
        // server.c alone still has its bug; log.c keeps the marker of the whole-program run
        assertEquals(ServerProgram.expectedMarkers(), describe(markers(project)));
        assertEquals("/one-file/server.c",
                server.findMarkers(InterleaveMarkers.TYPE, false, 0)[0].getAttribute(InterleaveMarkers.ANALYSIS_SCOPE, ""));
    }

    @Test
    void markerRangesAreCharacterOffsetsInTheFilesOwnEncoding() throws Exception {
        IProject project = Workbench.project("encodings", Map.of());
        String latin1Text = "/* caf\u00e9, na\u00efve: Latin-1 bytes, one per character */\n" + ServerProgram.SERVER_C;
        IFile latin1 = project.getFile("latin1.c");
        latin1.create(new ByteArrayInputStream(latin1Text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                true, null);
        latin1.setCharset("ISO-8859-1", null);
        String utf8Text = "/* \u00fcber \u2013 UTF-8 with a byte order mark */\n" + ServerProgram.SERVER_C
                .replace("serve", "serve2").replace("run_server", "run_server2");
        IFile bom = project.getFile("bom.c");
        byte[] body = utf8Text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        bom.create(new ByteArrayInputStream(withBom), true, null);

        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        // Offsets must be those of the document an editor shows (decoded text; a byte order mark is left out only
        // when the file's content type detects it), or the squiggle lands on the wrong characters.
        var buffers = org.eclipse.core.filebuffers.FileBuffers.getTextFileBufferManager();
        var kind = org.eclipse.core.filebuffers.LocationKind.IFILE;
        for (IFile file : List.of(latin1, bom)) {
            buffers.connect(file.getFullPath(), kind, null);
            try {
                String document = buffers.getTextFileBuffer(file.getFullPath(), kind).getDocument().get();
                assertTrue(document.contains(file == latin1 ? "caf\u00e9" : "\u00fcber \u2013"), document);
                IMarker[] found = file.findMarkers(InterleaveMarkers.TYPE, false, 0);
                assertEquals(1, found.length, file + ": " + describe(found));
                assertEquals(document.indexOf("&connfd"), found[0].getAttribute(IMarker.CHAR_START, -1),
                        file.getName());
                assertEquals(Workbench.lineOf(document, "pthread_create"),
                        found[0].getAttribute(IMarker.LINE_NUMBER, -1));
            } finally {
                buffers.disconnect(file.getFullPath(), kind, null);
            }
        }
    }

    @Test
    void derivedAndHiddenFoldersAreNotAnalyzed() throws Exception {
        IProject project = Workbench.project("derived", Map.of("server.c", ServerProgram.SERVER_C));
        IFolder build = project.getFolder("build");
        build.create(true, true, null);
        Workbench.write(build.getFile("generated.c"), ServerProgram.SERVER_C);
        build.setDerived(true, null);
        IFolder hidden = project.getFolder("cache");
        hidden.create(true, true, null);
        Workbench.write(hidden.getFile("copy.c"), ServerProgram.SERVER_C);
        hidden.setHidden(true);

        AnalysisJob job = new AnalysisJob(List.of(project));
        job.schedule();
        Workbench.waitForAnalysis();
        assertEquals(List.of("/derived/server.c"), job.lastResult().filesAnalyzed());
        assertEquals(List.of("server.c:" + Workbench.lineOf(ServerProgram.SERVER_C, "pthread_create") + " "
                + ServerProgram.STACK_RULE), describe(markers(project)));
    }

    private static List<String> fingerprints(IMarker[] markers) {
        List<String> out = new ArrayList<>();
        for (IMarker m : markers) {
            out.add(m.getAttribute(InterleaveMarkers.FINGERPRINT, ""));
        }
        return out;
    }

    static void selectInProjectExplorer(IResource resource) throws Exception {
        IViewPart explorer = Workbench.page().showView(IPageLayout.ID_PROJECT_EXPLORER);
        ((ISetSelectionTarget) explorer).selectReveal(new StructuredSelection(resource));
        Workbench.page().activate(explorer);
        explorer.setFocus();
        Workbench.processEvents(100);
        assertEquals(new StructuredSelection(resource).toList(),
                ((StructuredSelection) explorer.getSite().getSelectionProvider().getSelection()).toList());
    }

    static Menu projectExplorerMenu() throws Exception {
        IViewPart explorer = Workbench.page().findView(IPageLayout.ID_PROJECT_EXPLORER);
        Viewer viewer = (Viewer) explorer.getSite().getSelectionProvider();
        Menu menu = viewer.getControl().getMenu();
        assertNotNull(menu, "the Project Explorer tree has no context menu");
        return menu;
    }
}
