package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.jupiter.api.Test;

import interleave.engine.rules.RuleRegistry;
import interleave.ui.AnalyzeConcurrencyHandler;
import interleave.ui.RuleDocumentationView;
import interleave.ui.SampleProjectStartup;

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
