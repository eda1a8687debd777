package interleave.ui.editor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.contentassist.ICompletionProposal;
import org.eclipse.jface.text.quickassist.IQuickAssistInvocationContext;
import org.eclipse.jface.text.quickassist.IQuickAssistProcessor;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.Point;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.IMarkerResolution2;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.MarkerAnnotation;

import interleave.ui.InterleaveMarkers;

/**
 * Ctrl+1: for every Interleave marker on the caret's line, the marker's resolutions as the workbench knows them (the
 * rule's fixes, recomputed on the current text, and "Explain: rule"), as proposals that run the resolution.
 */
public final class FindingQuickAssistProcessor implements IQuickAssistProcessor {
    private final Supplier<IFile> file;

    public FindingQuickAssistProcessor(Supplier<IFile> file) {
        this.file = file;
    }

    @Override
    public ICompletionProposal[] computeQuickAssistProposals(IQuickAssistInvocationContext context) {
        IDocument doc = context.getSourceViewer().getDocument();
        int line;
        try {
            line = doc.getLineOfOffset(Math.max(0, context.getOffset())) + 1;
        } catch (BadLocationException e) {
            return new ICompletionProposal[0];
        }
        List<ICompletionProposal> out = new ArrayList<>();
        for (IMarker marker : FindingMarkers.onLine(file.get(), line)) {
            for (IMarkerResolution r : IDE.getMarkerHelpRegistry().getResolutions(marker)) {
                out.add(new ResolutionProposal(marker, r));
            }
        }
        return out.toArray(ICompletionProposal[]::new);
    }

    @Override
    public String getErrorMessage() {
        return null;
    }

    @Override
    public boolean canFix(Annotation annotation) {
        return annotation instanceof MarkerAnnotation m && !annotation.isMarkedDeleted()
                && m.getMarker().exists() && InterleaveMarkers.TYPE.equals(type(m.getMarker()));
    }

    private static String type(IMarker m) {
        try {
            return m.getType();
        } catch (org.eclipse.core.runtime.CoreException e) {
            return "";
        }
    }

    @Override
    public boolean canAssist(IQuickAssistInvocationContext invocationContext) {
        return true;
    }

    /** A marker resolution as a proposal: applying it runs the resolution (which edits through the file buffers). */
    static final class ResolutionProposal implements ICompletionProposal {
        private final IMarker marker;
        private final IMarkerResolution resolution;

        ResolutionProposal(IMarker marker, IMarkerResolution resolution) {
            this.marker = marker;
            this.resolution = resolution;
        }

        @Override
        public void apply(IDocument document) {
            resolution.run(marker);
        }

        @Override
        public Point getSelection(IDocument document) {
            return null; // the caret stays
        }

        @Override
        public String getAdditionalProposalInfo() {
            String finding = marker.getAttribute(InterleaveMarkers.EXPLANATION,
                    marker.getAttribute(IMarker.MESSAGE, ""));
            String what = resolution instanceof IMarkerResolution2 r2 && r2.getDescription() != null
                    ? r2.getDescription().replace("<br>", "\n")
                    : resolution.getLabel();
            return what + "\n\n" + finding;
        }

        @Override
        public String getDisplayString() {
            return resolution.getLabel();
        }

        @Override
        public Image getImage() {
            return resolution instanceof IMarkerResolution2 r2 ? r2.getImage() : null;
        }

        @Override
        public org.eclipse.jface.text.contentassist.IContextInformation getContextInformation() {
            return null;
        }
    }
}
