package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.ide.IDE;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "Analyze concurrency" in the context menu of a C file's editor, Interleave's C editor and the plain text editor
 * alike, and running it from there analyzes the file's project. Not offered in the editor of a non-C file.
 */
class EditorContextMenuTest {
    private static final String LABEL = "Analyze concurrency";

    @AfterEach
    void closeEditors() {
        Workbench.page().closeAllEditors(false);
    }

    @Test
    void theCEditorsMenuAnalyzesTheProject() throws Exception {
        IProject project = Workbench.project("editor-menu", ServerProgram.files());
        IEditorPart editor = IDE.openEditor(Workbench.page(), project.getFile("server.c"));
        Menu menu = menuOf(editor);
        MenuItem analyze = Workbench.showAndFind(menu, LABEL);
        assertNotNull(analyze, "no '" + LABEL + "' in the C editor's context menu: " + Workbench.labels(menu));
        analyze.notifyListeners(SWT.Selection, new Event());
        Workbench.hide(menu);
        Workbench.waitForAnalysis();
        assertEquals(ServerProgram.expectedMarkers(), Workbench.describe(Workbench.markers(project)));
    }

    @Test
    void theTextEditorsMenuHasItForCFilesOnly() throws Exception {
        IProject project = Workbench.project("text-editor-menu",
                Map.of("server.c", ServerProgram.SERVER_C, "notes.txt", "not C\n"));
        IEditorPart text = IDE.openEditor(Workbench.page(), project.getFile("server.c"),
                "org.eclipse.ui.DefaultTextEditor");
        assertEquals("org.eclipse.ui.DefaultTextEditor", text.getSite().getId());
        Menu menu = menuOf(text);
        MenuItem analyze = Workbench.showAndFind(menu, LABEL);
        assertNotNull(analyze,
                "no '" + LABEL + "' in the text editor's menu of a .c file: " + Workbench.labels(menu));
        analyze.notifyListeners(SWT.Selection, new Event());
        Workbench.hide(menu);
        Workbench.waitForAnalysis();
        assertEquals(List.of("server.c:" + Workbench.lineOf(ServerProgram.SERVER_C, "pthread_create") + " "
                + ServerProgram.STACK_RULE), Workbench.describe(Workbench.markers(project)));

        IFile notes = project.getFile("notes.txt");
        IEditorPart other = IDE.openEditor(Workbench.page(), notes);
        Menu otherMenu = menuOf(other);
        assertNull(Workbench.showAndFind(otherMenu, LABEL),
                "offered in the editor of a text file: " + Workbench.labels(otherMenu));
        Workbench.hide(otherMenu);
    }

    private static Menu menuOf(IEditorPart editor) {
        Workbench.page().activate(editor);
        Workbench.processEvents(100);
        Control text = editor.getAdapter(Control.class);
        assertNotNull(text, "no text widget in " + editor);
        Menu menu = text.getMenu();
        assertNotNull(menu, "the editor has no context menu");
        return menu;
    }
}
