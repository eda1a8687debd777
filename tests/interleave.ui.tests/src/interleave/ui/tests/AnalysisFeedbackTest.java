package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.jface.notifications.NotificationPopup;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.commands.ICommandImageService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.keys.IBindingService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.ui.AnalysisFeedback;
import interleave.ui.AnalysisJob;
import interleave.ui.AnalyzeConcurrencyHandler;
import interleave.ui.InterleaveMarkers;

/**
 * What the user sees after "Analyze concurrency": the Problems view in front without taking the focus, the one-line
 * summary in a popup and in the job's result (no findings and no C files included), the command in the Interleave menu,
 * with an icon and a key binding, and one-line marker messages whose whole text stays on the marker.
 */
class AnalysisFeedbackTest {

    @AfterEach
    void cleanUp() {
        Workbench.page().closeAllEditors(false);
        NotificationPopup popup = AnalysisFeedback.lastPopup();
        if (popup != null) {
            popup.close();
        }
    }

    @Test
    void problemsViewComesToTheFrontAndThePopupSummarizesTheRun() throws Exception {
        IProject project = Workbench.project("feedback", ServerProgram.files());
        IWorkbenchPage page = Workbench.page();
        IViewPart problems = page.findView(IPageLayout.ID_PROBLEM_VIEW);
        if (problems != null) {
            page.hideView(problems);
        }
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(project);
        IViewPart explorer = page.findView(IPageLayout.ID_PROJECT_EXPLORER);

        AnalysisJob job = run();
        String summary = "2 findings in 2 of 3 C files.";
        assertEquals(summary, job.getResult().getMessage());
        problems = page.findView(IPageLayout.ID_PROBLEM_VIEW);
        assertNotNull(problems, "the Problems view was not opened");
        assertTrue(page.isPartVisible(problems), "the Problems view is not in front");
        assertSame(explorer, page.getActivePart(), "the Problems view took the focus from the Project Explorer");
        assertPopupSays(summary);
    }

    @Test
    void noFindingsAndNoCFilesAreSaidToo() throws Exception {
        IProject project = Workbench.project("feedback-clean", Map.of("ok.c", "int main(void) { return 0; }\n"));
        project.getFolder("notes").create(true, true, null);
        Workbench.write(project.getFile("notes/README.txt"), "no C here\n");
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(project);
        AnalysisJob job = run();
        assertEquals("No findings in 1 C file.", job.getResult().getMessage());
        assertPopupSays("No findings in 1 C file.");

        IFolder notes = project.getFolder("notes");
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(notes);
        job = run();
        String nothing = "No .c, .h or .java files in /feedback-clean/notes: nothing to analyze.";
        assertEquals(nothing, job.getResult().getMessage());
        assertPopupSays(nothing);
    }

    @Test
    void fromTheEditorTheEditedFilesProjectIsAnalyzedAndTheEditorKeepsTheFocus() throws Exception {
        IProject project = Workbench.project("feedback-editor", ServerProgram.files());
        IEditorPart editor = IDE.openEditor(Workbench.page(), project.getFile("log.c"));
        Workbench.processEvents(100);
        AnalysisJob job = run();
        assertEquals(List.of(project), job.scope(), "the edited file's whole program");
        assertEquals(ServerProgram.expectedMarkers(), Workbench.describe(Workbench.markers(project)));
        assertSame(editor, Workbench.page().getActivePart(), "the analysis took the focus from the editor");
        assertTrue(Workbench.page().isPartVisible(Workbench.page().findView(IPageLayout.ID_PROBLEM_VIEW)));
    }

    @Test
    void withNothingAnalyzableSelectedThePopupSaysWhatToSelect() throws Exception {
        IProject project = Workbench.project("feedback-nothing", ServerProgram.files());
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(project.getFile("README.txt"));
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);
        assertEquals(null, handlers.executeCommand(AnalyzeConcurrencyHandler.COMMAND_ID, null), "no job");
        Workbench.processEvents(200);
        assertPopupSays(AnalyzeConcurrencyHandler.NOTHING_SELECTED);
    }

    @Test
    void commandIsInTheInterleaveMenuWithAnIconAndAKeyBinding() {
        Menu bar = Workbench.window().getShell().getMenuBar();
        MenuItem interleave = null;
        for (MenuItem item : bar.getItems()) {
            if (item.getText().replace("&", "").equals("Interleave")) {
                interleave = item;
            }
        }
        assertNotNull(interleave, "no Interleave menu");
        Menu menu = interleave.getMenu();
        menu.notifyListeners(org.eclipse.swt.SWT.Show, new org.eclipse.swt.widgets.Event());
        Workbench.processEvents(50);
        List<String> labels = new ArrayList<>();
        for (MenuItem item : menu.getItems()) {
            labels.add(item.getText().replace("&", ""));
        }
        menu.notifyListeners(org.eclipse.swt.SWT.Hide, new org.eclipse.swt.widgets.Event());
        assertTrue(labels.stream().anyMatch(l -> l.startsWith("Analyze Concurrency")), labels.toString());

        ICommandImageService images = Workbench.window().getService(ICommandImageService.class);
        assertNotNull(images.getImageDescriptor(AnalyzeConcurrencyHandler.COMMAND_ID), "the command has no icon");
        IBindingService bindings = Workbench.window().getService(IBindingService.class);
        assertEquals("Ctrl+Alt+I", bindings.getBestActiveBindingFormattedFor(AnalyzeConcurrencyHandler.COMMAND_ID));
    }

    @Test
    void markerMessagesAreOneShortLineAndTheWholeMessageStaysOnTheMarker() throws Exception {
        IProject project = Workbench.project("headlines", ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        IMarker[] markers = Workbench.markers(project);
        assertEquals(2, markers.length);
        for (IMarker m : markers) {
            String message = m.getAttribute(IMarker.MESSAGE, "");
            String whole = m.getAttribute(InterleaveMarkers.EXPLANATION, "");
            assertTrue(message.length() <= InterleaveMarkers.MESSAGE_LENGTH, message);
            assertTrue(!message.contains("\n") && message.endsWith("[" + m.getAttribute(InterleaveMarkers.RULE_ID,
                    "") + "]"), message);
            String headline = message.substring(0, message.lastIndexOf(" ["));
            assertTrue(whole.length() > headline.length() && whole.startsWith(headline.replace("\u2026", "")),
                    headline + " | " + whole);
        }
        IFile log = project.getFile("log.c");
        String printf = log.findMarkers(InterleaveMarkers.TYPE, false, 0)[0].getAttribute(IMarker.MESSAGE, "");
        // The first clause ends at "(through log_child()):"; with the rule id it is too long, so the parenthetical
        // goes, whole.
        assertEquals("printf() is not async-signal-safe but runs inside the SIGCHLD handler reap_children()\u2026"
                + " [unsafe-call-in-signal-handler]", printf);
    }

    /** Runs the command as the menu, toolbar or key binding would, and waits for its job and its feedback. */
    private static AnalysisJob run() throws Exception {
        IHandlerService handlers = Workbench.window().getService(IHandlerService.class);
        AnalysisJob job = assertInstanceOf(AnalysisJob.class,
                handlers.executeCommand(AnalyzeConcurrencyHandler.COMMAND_ID, null));
        Workbench.waitForAnalysis();
        Workbench.processEvents(300); // the feedback is posted to the UI thread when the job ends
        return job;
    }

    private static void assertPopupSays(String text) {
        NotificationPopup popup = AnalysisFeedback.lastPopup();
        assertNotNull(popup, "no popup");
        Shell shell = popup.getShell();
        assertTrue(shell != null && !shell.isDisposed() && shell.isVisible(), "the popup is not shown");
        List<String> texts = new ArrayList<>();
        collectTexts(shell, texts);
        assertTrue(texts.stream().anyMatch(t -> t.contains(text)), "popup says " + texts);
    }

    private static void collectTexts(Control c, List<String> out) {
        if (c instanceof Label l) {
            out.add(l.getText());
        } else if (c instanceof Link l) {
            out.add(l.getText());
        } else if (c instanceof org.eclipse.swt.widgets.Text t) {
            out.add(t.getText());
        }
        if (c instanceof Composite comp) {
            for (Control child : comp.getChildren()) {
                collectTexts(child, out);
            }
        }
    }
}
