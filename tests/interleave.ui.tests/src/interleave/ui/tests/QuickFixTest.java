package interleave.ui.tests;

import static interleave.ui.tests.Workbench.describe;
import static interleave.ui.tests.Workbench.markers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.jface.text.IDocument;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.ui.AnalysisJob;
import interleave.ui.InterleaveMarkers;
import interleave.ui.RuleDocumentationView;

/**
 * Quick fixes as the workbench finds them (the marker help registry asks our resolution generator), applied to real
 * files, with and without an open editor; the fixed program must lose the marker and still compile.
 */
class QuickFixTest {
    private static final String BY_VALUE = "Pass the value of connfd itself, cast through intptr_t";

    @AfterEach
    void closeEditors() {
        Workbench.page().closeAllEditors(false);
    }

    @Test
    void passConnfdByValueInAnOpenEditorFixesTheFileAndItsMarker() throws Exception {
        IProject project = analyzed("fix-connfd");
        IFile server = project.getFile("server.c");
        ITextEditor editor = (ITextEditor) IDE.openEditor(Workbench.page(), server);
        IMarker marker = onlyMarker(server);

        IMarkerResolution fix = resolution(marker, BY_VALUE);
        fix.run(marker);
        Workbench.waitForAnalysis();

        String fixed = Workbench.read(server);
        assertTrue(fixed.contains("pthread_create(&tid, NULL, serve, (void *)(intptr_t)connfd);"), fixed);
        assertTrue(fixed.contains("int connfd = (int)(intptr_t)vargp;"), fixed);
        assertTrue(fixed.contains("#include <stdint.h>"), fixed);
        IDocument shown = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        assertEquals(fixed, shown.get(), "the open editor shows the fixed text");
        assertFalse(editor.isDirty(), "the fix is saved");
        assertEquals(0, server.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO).length,
                "re-analysis removed the marker");
        assertEquals(List.of(ServerProgram.expectedMarkers().get(0)), describe(markers(project)),
                "the other file's marker stays");
        assertCompiles(project);
    }

    @Test
    void printfInTheHelperOfAnotherFileIsReplacedByWrite() throws Exception {
        IProject project = analyzed("fix-printf");
        IFile log = project.getFile("log.c");
        IMarker marker = onlyMarker(log);

        IMarkerResolution[] all = IDE.getMarkerHelpRegistry().getResolutions(marker);
        IMarkerResolution fix = Arrays.stream(all).filter(r -> r.getLabel().contains("write(2)")).findFirst()
                .orElseThrow(() -> new AssertionError("no write(2) fix: " + labels(all)));
        fix.run(marker);
        Workbench.waitForAnalysis();

        String fixed = Workbench.read(log);
        // The fix writes the same text through a buffer on the handler's stack and write(2); "printf" is left only in
        // the helpers' comments.
        assertFalse(fixed.contains("printf("), fixed);
        assertTrue(fixed.contains("{ STDOUT_FILENO, 0, \"\" }") && fixed.contains("sigsafe_flush(&out);"), fixed);
        assertEquals(List.of(ServerProgram.expectedMarkers().get(1)), describe(markers(project)));
        assertCompiles(project);
    }

    @Test
    void explainOpensTheRuleDocumentationWithThisFindingsChain() throws Exception {
        IProject project = analyzed("explain");
        IMarker marker = onlyMarker(project.getFile("log.c"));
        IMarkerResolution explain = resolution(marker, "Explain: ");
        assertEquals("Explain: Unsafe call in a signal handler", explain.getLabel());

        explain.run(marker);
        Workbench.processEvents(200);
        IViewPart part = Workbench.page().findView(RuleDocumentationView.ID);
        assertNotNull(part, "the Interleave Rule view is open");
        RuleDocumentationView view = (RuleDocumentationView) part;
        assertEquals(ServerProgram.SIGNAL_RULE, view.shownRuleId());
        String shown = view.shownContent();
        assertTrue(shown.contains("Unsafe call in a signal handler"), shown);
        assertTrue(shown.contains("log_child"), "the evidence chain is shown on top: " + shown);
        if (!view.usesBrowser()) {
            // the fallback for machines without WebKitGTK: the Markdown page in a read-only text widget
            assertEquals(shown, view.textWidget().getText());
            assertFalse(view.textWidget().getEditable());
        }
        Workbench.screenshot("rule-documentation-view");
    }

    @Test
    void fixIsNotAppliedWhenTheFileChangedSinceTheAnalysis() throws Exception {
        IProject project = analyzed("stale-fix");
        IFile server = project.getFile("server.c");
        IMarker marker = onlyMarker(server);
        IMarkerResolution fix = resolution(marker, BY_VALUE);
        String edited = "/* edited after the quick fix was computed */\n" + ServerProgram.SERVER_C;
        Workbench.write(server, edited);

        fix.run(marker); // reports a warning through the status manager: logged, and shown without blocking
        Workbench.processEvents(200);
        assertEquals(edited, Workbench.read(server), "a stale fix must not scramble the file");
        Workbench.closeDialogs();
    }

    private static IProject analyzed(String name) throws Exception {
        IProject project = Workbench.project(name, ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        assertEquals(ServerProgram.expectedMarkers(), describe(markers(project)));
        return project;
    }

    private static IMarker onlyMarker(IFile file) throws Exception {
        IMarker[] found = file.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO);
        assertEquals(1, found.length, file + " markers: " + describe(found));
        return found[0];
    }

    private static IMarkerResolution resolution(IMarker marker, String labelStart) {
        assertTrue(IDE.getMarkerHelpRegistry().hasResolutions(marker));
        IMarkerResolution[] all = IDE.getMarkerHelpRegistry().getResolutions(marker);
        return Arrays.stream(all).filter(r -> r.getLabel().startsWith(labelStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no resolution '" + labelStart + "': " + labels(all)));
    }

    private static List<String> labels(IMarkerResolution[] all) {
        return Arrays.stream(all).map(IMarkerResolution::getLabel).toList();
    }

    private static void assertCompiles(IProject project) throws Exception {
        List<IFile> files = List.of(project.getFile("server.c"), project.getFile("signals.c"),
                project.getFile("log.c"));
        String errors = Workbench.gccSyntaxErrors(files);
        if (errors == null) {
            System.out.println("gcc not installed: compile check of the fixed program skipped");
            return;
        }
        assertEquals("", errors, "the fixed program must still compile");
    }
}
