package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.text.IDocument;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.engine.rules.RuleRegistry;
import interleave.ui.AnalysisJob;
import interleave.ui.prefs.InterleavePreferencePage;
import interleave.ui.prefs.InterleavePreferences;
import interleave.ui.prefs.InterleavePropertyPage;

/**
 * Window > Preferences > Interleave and Project > Properties > Interleave in their real dialogs: the rule table lists
 * every rule of the registry, OK writes the settings files the command line reads, and the analysis honours them.
 */
class PreferencesTest {

    @AfterEach
    void restoreDefaults() throws Exception {
        Workbench.page().closeAllEditors(false);
        Workbench.closeDialogs();
        Files.deleteIfExists(InterleavePreferences.workspaceFile());
        InterleavePreferences.setAnalyzeOnSave(false);
    }

    @Test
    void workspacePageWritesTheDefaultsAndTheAnalysisHonoursThem() throws Exception {
        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(Workbench.window().getShell(),
                InterleavePreferencePage.ID, null, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        Workbench.processEvents(200);
        InterleavePreferencePage page = assertInstanceOf(InterleavePreferencePage.class, dialog.getSelectedPage());
        TableItem[] rows = page.rules().table().getItems();
        assertEquals(RuleRegistry.descriptors().size(), rows.length, "one row per registered rule");
        assertFalse(page.analyzeOnSaveButton().getSelection(), "analysis on save is off by default");

        // uncheck the stack-address rule as a click on its check box would
        TableItem stack = row(rows, ServerProgram.STACK_RULE);
        stack.setChecked(false);
        Event click = new Event();
        click.item = stack;
        click.detail = SWT.CHECK;
        page.rules().table().notifyListeners(SWT.Selection, click);
        page.rules().set(ServerProgram.SIGNAL_RULE, "note");
        pressOk(dialog);

        String written = Files.readString(InterleavePreferences.workspaceFile());
        assertTrue(written.contains(ServerProgram.STACK_RULE + " = off"), written);
        assertTrue(written.contains(ServerProgram.SIGNAL_RULE + " = note"), written);

        IProject project = Workbench.project("prefs-workspace", ServerProgram.files());
        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        IMarker[] markers = Workbench.markers(project);
        assertEquals(List.of("log.c:" + Workbench.lineOf(ServerProgram.LOG_C, "printf") + " "
                + ServerProgram.SIGNAL_RULE), Workbench.describe(markers), "the stack rule is off");
        assertEquals(IMarker.SEVERITY_INFO, markers[0].getAttribute(IMarker.SEVERITY, -1), "note = info");
    }

    @Test
    void projectPageWritesDotInterleaveKeepsTheUsersLinesAndOverridesTheWorkspace() throws Exception {
        IProject project = Workbench.project("prefs-project", ServerProgram.files());
        InterleavePreferences.writeWorkspaceText(ServerProgram.STACK_RULE + " = off\n");
        IFile settings = project.getFile(".interleave");
        Workbench.write(settings, "# ours: keep this comment\nthread-unsafe-call.functions = glibc\n"
                + "some-future-rule = off\n");

        PreferenceDialog dialog = PreferencesUtil.createPropertyDialogOn(Workbench.window().getShell(), project,
                InterleavePropertyPage.ID, null, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        Workbench.processEvents(200);
        InterleavePropertyPage page = assertInstanceOf(InterleavePropertyPage.class, dialog.getSelectedPage());
        assertTrue(page.projectSpecificButton().getSelection(), "the project has its own file");
        assertEquals("on", page.rules().levels().get(ServerProgram.STACK_RULE),
                "the project's file, not the workspace's, is shown");
        page.rules().set(ServerProgram.STACK_RULE, "error");
        page.rules().set(ServerProgram.SIGNAL_RULE, "off");
        pressOk(dialog);

        String text = Workbench.read(settings);
        assertTrue(text.startsWith("# ours: keep this comment\nthread-unsafe-call.functions = glibc\n"
                + "some-future-rule = off\n"), text);
        assertTrue(text.contains(ServerProgram.STACK_RULE + " = error\n"), text);
        assertTrue(text.contains(ServerProgram.SIGNAL_RULE + " = off\n"), text);

        new AnalysisJob(List.of(project)).schedule();
        Workbench.waitForAnalysis();
        IMarker[] markers = Workbench.markers(project);
        assertEquals(List.of("server.c:" + Workbench.lineOf(ServerProgram.SERVER_C, "pthread_create") + " "
                + ServerProgram.STACK_RULE), Workbench.describe(markers));
        assertEquals(IMarker.SEVERITY_ERROR, markers[0].getAttribute(IMarker.SEVERITY, -1));

        // back to the workspace's rules: the rule lines go, the user's comment and option stay
        dialog = PreferencesUtil.createPropertyDialogOn(Workbench.window().getShell(), project,
                InterleavePropertyPage.ID, null, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        Workbench.processEvents(200);
        page = (InterleavePropertyPage) dialog.getSelectedPage();
        page.projectSpecificButton().setSelection(false);
        page.projectSpecificButton().notifyListeners(SWT.Selection, new Event());
        pressOk(dialog);
        assertEquals("# ours: keep this comment\nthread-unsafe-call.functions = glibc\nsome-future-rule = off\n",
                Workbench.read(settings));
    }

    @Test
    void projectPageCreatesTheFileWhenThereIsNone() throws Exception {
        IProject project = Workbench.project("prefs-new", ServerProgram.files());
        PreferenceDialog dialog = PreferencesUtil.createPropertyDialogOn(Workbench.window().getShell(), project,
                InterleavePropertyPage.ID, null, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        Workbench.processEvents(200);
        InterleavePropertyPage page = (InterleavePropertyPage) dialog.getSelectedPage();
        assertFalse(page.projectSpecificButton().getSelection());
        page.projectSpecificButton().setSelection(true);
        page.projectSpecificButton().notifyListeners(SWT.Selection, new Event());
        page.rules().set(ServerProgram.SIGNAL_RULE, "warning");
        pressOk(dialog);
        IFile settings = project.getFile(".interleave");
        assertTrue(settings.exists());
        String text = Workbench.read(settings);
        assertTrue(text.startsWith("#") && text.contains(ServerProgram.SIGNAL_RULE + " = warning\n"), text);
        // the command line's own parser accepts what the page wrote
        interleave.engine.settings.Settings parsed = interleave.engine.settings.Settings.parse(text, "test");
        assertTrue(parsed.overridesSeverity(ServerProgram.SIGNAL_RULE));
    }

    @Test
    void savingACFileAnalyzesItsProjectInTheBackgroundWhenTurnedOn() throws Exception {
        IProject project = Workbench.project("on-save", ServerProgram.files());
        IFile server = project.getFile("server.c");
        ITextEditor editor = (ITextEditor) IDE.openEditor(Workbench.page(), server);
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());

        // off (the default): saving changes nothing
        doc.replace(0, 0, "/* edited */\n");
        editor.doSave(null);
        Workbench.processEvents(600);
        Workbench.waitForAnalysis();
        assertEquals(0, Workbench.markers(project).length, "analyzed on save although the preference is off");

        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(Workbench.window().getShell(),
                InterleavePreferencePage.ID, null, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        Workbench.processEvents(200);
        InterleavePreferencePage page = (InterleavePreferencePage) dialog.getSelectedPage();
        page.analyzeOnSaveButton().setSelection(true);
        pressOk(dialog);
        assertTrue(InterleavePreferences.analyzeOnSave());

        doc.replace(0, 0, "/* edited again */\n");
        editor.doSave(null);
        // the save returns at once; the analysis is a job of its own, waiting or running
        Job[] pending = Job.getJobManager().find(AnalysisJob.FAMILY);
        assertTrue(pending.length > 0, "no analysis scheduled by the save");
        assertFalse(Thread.currentThread() == pending[0].getThread(), "the analysis runs on the UI thread");
        Workbench.waitForAnalysis();
        assertEquals(List.of("log.c:" + Workbench.lineOf(ServerProgram.LOG_C, "printf") + " "
                + ServerProgram.SIGNAL_RULE, "server.c:" + Workbench.lineOf(doc.get(), "pthread_create") + " "
                + ServerProgram.STACK_RULE), Workbench.describe(Workbench.markers(project)),
                "the saved text was analyzed (two comment lines above the call)");
    }

    private static TableItem row(TableItem[] rows, String ruleId) {
        for (TableItem r : rows) {
            if (r.getText(2).equals(ruleId)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + ruleId);
    }

    /** Presses the dialog's OK ("Apply and Close") button as a user would. */
    private static void pressOk(PreferenceDialog dialog) {
        Button ok = findButton(dialog.getShell(), List.of("Apply and Close", "OK"));
        assertNotNull(ok, "no OK button");
        ok.notifyListeners(SWT.Selection, new Event());
        Workbench.processEvents(200);
        assertTrue(dialog.getShell() == null || dialog.getShell().isDisposed(), "the dialog is still open");
    }

    private static Button findButton(Control c, List<String> labels) {
        if (c instanceof Button b && labels.contains(b.getText().replace("&", ""))) {
            return b;
        }
        if (c instanceof Composite comp) {
            for (Control child : comp.getChildren()) {
                Button found = findButton(child, labels);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
