package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.text.ITextOperationTarget;
import org.eclipse.jface.text.source.ISourceViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.jupiter.api.Test;

import interleave.engine.rules.RuleRegistry;
import interleave.ui.AnalysisJob;
import interleave.ui.AnalyzeConcurrencyHandler;
import interleave.ui.RuleDocumentationView;
import interleave.ui.SampleProjectStartup;
import interleave.ui.editor.CEditor;
import interleave.ui.prefs.InterleavePreferencePage;

/**
 * A picture of what a user sees after "Analyze concurrency" (target/screenshots/workbench-with-markers.png, the one in
 * docs/ comes from here): the editor with the marker on the &connfd line, the Problems view with the findings expanded,
 * the rule documentation beside it.
 */
class WorkbenchScreenshotTest {

    @Test
    void workbenchWithMarkersProblemsAndRuleDocumentation() throws Exception {
        // Only the sample project and this one in the explorer, so the picture is not cluttered by other tests.
        for (IProject other : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
            if (!other.getName().equals(SampleProjectStartup.PROJECT_NAME)) {
                other.delete(true, true, null);
            }
        }
        IProject project = Workbench.project("threaded-server", ServerProgram.files());
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(project);
        Workbench.window().getService(IHandlerService.class).executeCommand(AnalyzeConcurrencyHandler.COMMAND_ID,
                null);
        Workbench.waitForAnalysis();
        assertEquals(ServerProgram.expectedMarkers(), Workbench.describe(Workbench.markers(project)));

        // Xvfb has no window manager, so "maximized" means nothing: size the window to the screen instead.
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        RuleDocumentationView rule = (RuleDocumentationView) Workbench.page().showView(RuleDocumentationView.ID);
        rule.showRule(RuleRegistry.descriptor(ServerProgram.STACK_RULE).orElseThrow(), List.of());
        Workbench.page().showView(IPageLayout.ID_PROBLEM_VIEW);
        expandAll(Workbench.window().getShell(), "Errors");
        ITextEditor editor = (ITextEditor) IDE.openEditor(Workbench.page(), project.getFile("server.c"));
        int at = ServerProgram.SERVER_C.indexOf("&connfd");
        editor.selectAndReveal(at, "&connfd".length());
        AnalyzeConcurrencyCommandTest.selectInProjectExplorer(project.getFile("server.c"));
        Workbench.page().activate(editor);

        File png = Workbench.screenshot("workbench-with-markers");
        assertTrue(png.length() > 20_000, "screenshot " + png + " is only " + png.length() + " bytes");
    }

    /**
     * docs/screenshot-quickassist.png: the C editor with the finding's squiggle and Ctrl+1's proposals on its line (the
     * rule's fix and Explain).
     */
    @Test
    void editorWithMarkerAndQuickAssistProposals() throws Exception {
        Workbench.page().closeAllEditors(false); // only this file's tab in the picture
        IProject project = Workbench.project("quick-assist", ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        assertEquals(ServerProgram.expectedMarkers(), Workbench.describe(Workbench.markers(project)));
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        Workbench.page().showView(IPageLayout.ID_PROBLEM_VIEW);
        CEditor editor = (CEditor) IDE.openEditor(Workbench.page(), project.getFile("server.c"));
        Workbench.page().activate(editor);
        editor.setFocus();
        ISourceViewer viewer = editor.viewer();
        int caret = ServerProgram.SERVER_C.indexOf("&connfd);");
        viewer.setSelectedRange(caret, 0);
        viewer.revealRange(caret, 0);
        try {
            ((ITextOperationTarget) viewer).doOperation(ISourceViewer.QUICK_ASSIST);
            Workbench.processEvents(500);
            List<String> shown = proposalsShown();
            assertTrue(shown.stream().anyMatch(l -> l.startsWith("Pass the value of connfd")), shown.toString());
            assertTrue(shown.stream().anyMatch(l -> l.startsWith("Explain: ")), shown.toString());
            File png = Workbench.screenshot("editor-quickassist");
            assertTrue(png.length() > 20_000, "screenshot " + png + " is only " + png.length() + " bytes");
        } finally {
            Workbench.page().closeAllEditors(false); // closes the proposal popup with the editor
        }
    }

    /** docs/screenshot-preferences.png: Preferences > Interleave with its rule table. */
    @Test
    void preferencePage() throws Exception {
        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(Workbench.window().getShell(),
                InterleavePreferencePage.ID, new String[] { InterleavePreferencePage.ID }, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        try {
            // wide enough for the page's first line; no window manager here, so place it ourselves
            dialog.getShell().setBounds(40, 40, 1500, 760);
            dialog.getShell().layout(true, true);
            Workbench.processEvents(300);
            assertTrue(dialog.getSelectedPage() instanceof InterleavePreferencePage);
            File png = Workbench.screenshot("preferences", dialog.getShell());
            assertTrue(png.length() > 20_000, "screenshot " + png + " is only " + png.length() + " bytes");
        } finally {
            dialog.close();
        }
    }

    /** The rows of the visible proposal popup: a table in a shell other than the workbench window. */
    private static List<String> proposalsShown() {
        List<String> rows = new ArrayList<>();
        for (Shell shell : Workbench.display().getShells()) {
            if (shell != Workbench.window().getShell() && shell.isVisible()) {
                collectTableRows(shell, rows);
            }
        }
        return rows;
    }

    private static void collectTableRows(Composite parent, List<String> rows) {
        for (Control c : parent.getChildren()) {
            if (c instanceof Table table && table.isVisible()) {
                for (TableItem item : table.getItems()) {
                    rows.add(item.getText());
                }
            } else if (c instanceof Composite composite) {
                collectTableRows(composite, rows);
            }
        }
    }

    /** Expands the tree item (of the Problems view) whose text starts with the label, the way a click would. */
    private static void expandAll(Composite parent, String label) {
        for (Control c : parent.getChildren()) {
            if (c instanceof Tree tree) {
                for (TreeItem item : tree.getItems()) {
                    if (item.getText().startsWith(label)) {
                        Event e = new Event();
                        e.item = item;
                        tree.notifyListeners(SWT.Expand, e); // JFace creates the children on this event
                        item.setExpanded(true);
                    }
                }
            } else if (c instanceof Composite composite) {
                expandAll(composite, label);
            }
        }
        Workbench.processEvents(100);
    }
}
