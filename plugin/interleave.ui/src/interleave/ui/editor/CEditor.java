package interleave.ui.editor;

import org.eclipse.jface.text.source.ISourceViewer;
import org.eclipse.ui.editors.text.TextEditor;

/**
 * A plain C editor for installations without CDT: Interleave's quick assists (Ctrl+1) and hovers on its markers,
 * colouring from tree-sitter, no spell checking of code. With CDT installed, CDT's editor stays the default for C
 * files (this one is registered on a low-priority content type).
 */
public class CEditor extends TextEditor {
    public static final String ID = "interleave.ui.cEditor";

    @Override
    protected void initializeEditor() {
        super.initializeEditor();
        setSourceViewerConfiguration(new CSourceViewerConfiguration(getPreferenceStore(), this));
    }

    /** The editor's viewer (tests drive quick assist and hovers through it). */
    public ISourceViewer viewer() {
        return getSourceViewer();
    }

    /** The viewer configuration in use (tests check the hover it gives). */
    public org.eclipse.jface.text.source.SourceViewerConfiguration configuration() {
        return getSourceViewerConfiguration();
    }
}
