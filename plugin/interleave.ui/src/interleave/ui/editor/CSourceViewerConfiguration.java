package interleave.ui.editor;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.jface.preference.IPreferenceStore;
import org.eclipse.jface.text.DefaultInformationControl;
import org.eclipse.jface.text.IInformationControlCreator;
import org.eclipse.jface.text.ITextHover;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.presentation.IPresentationReconciler;
import org.eclipse.jface.text.presentation.PresentationReconciler;
import org.eclipse.jface.text.quickassist.IQuickAssistAssistant;
import org.eclipse.jface.text.quickassist.QuickAssistAssistant;
import org.eclipse.jface.text.reconciler.IReconciler;
import org.eclipse.jface.text.source.ISourceViewer;
import org.eclipse.ui.editors.text.TextSourceViewerConfiguration;

/**
 * The C editor's viewer set-up: Ctrl+1 offers the fixes and the explanation of the Interleave findings on the caret's
 * line; hovering a finding shows its one-line message with a link to the rule's page; tree-sitter colours the code;
 * no spelling reconciler (C identifiers are not English words).
 */
final class CSourceViewerConfiguration extends TextSourceViewerConfiguration {
    private final CEditor editor;

    CSourceViewerConfiguration(IPreferenceStore store, CEditor editor) {
        super(store);
        this.editor = editor;
    }

    IFile file() {
        return editor.getEditorInput() == null ? null : Adapters.adapt(editor.getEditorInput(), IFile.class);
    }

    @Override
    public IQuickAssistAssistant getQuickAssistAssistant(ISourceViewer sourceViewer) {
        QuickAssistAssistant assistant = new QuickAssistAssistant();
        assistant.setQuickAssistProcessor(new FindingQuickAssistProcessor(this::file));
        assistant.setInformationControlCreator(parent -> new DefaultInformationControl(parent, true));
        return assistant;
    }

    @Override
    public ITextHover getTextHover(ISourceViewer sourceViewer, String contentType) {
        return new FindingHover(this::file);
    }

    @Override
    public IReconciler getReconciler(ISourceViewer sourceViewer) {
        return null; // the text editor's only reconciler is the spell checker
    }

    @Override
    public IPresentationReconciler getPresentationReconciler(ISourceViewer sourceViewer) {
        PresentationReconciler reconciler = new PresentationReconciler();
        TreeSitterColouring colouring = new TreeSitterColouring(sourceViewer);
        reconciler.setDamager(colouring, IDocument.DEFAULT_CONTENT_TYPE);
        reconciler.setRepairer(colouring, IDocument.DEFAULT_CONTENT_TYPE);
        return reconciler;
    }

    @Override
    public IInformationControlCreator getInformationControlCreator(ISourceViewer sourceViewer) {
        return parent -> new DefaultInformationControl(parent, true);
    }
}
