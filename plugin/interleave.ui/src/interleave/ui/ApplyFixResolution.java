package interleave.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.filebuffers.FileBuffers;
import org.eclipse.core.filebuffers.ITextFileBuffer;
import org.eclipse.core.filebuffers.ITextFileBufferManager;
import org.eclipse.core.filebuffers.LocationKind;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.swt.graphics.Image;
import org.eclipse.text.edits.MalformedTreeException;
import org.eclipse.text.edits.MultiTextEdit;
import org.eclipse.text.edits.ReplaceEdit;
import org.eclipse.ui.IMarkerResolution2;
import org.eclipse.ui.statushandlers.StatusManager;

import interleave.engine.finding.Fix;
import interleave.engine.finding.TextEdit;

/**
 * Applies one of a finding's fixes through the text file buffers (the same documents open editors show, so an open
 * editor updates in place and its undo works), saves the files, then analyzes the program again so the markers
 * reflect the fixed code. In Java files the changed lines are then formatted with the project's formatter settings.
 */
final class ApplyFixResolution implements IMarkerResolution2 {
    private final Fix fix;
    private final Map<String, String> analyzedTexts;
    private final List<IResource> scope;

    ApplyFixResolution(Fix fix, Map<String, String> analyzedTexts, List<IResource> scope) {
        this.fix = fix;
        this.analyzedTexts = analyzedTexts;
        this.scope = scope;
    }

    @Override
    public String getLabel() {
        return fix.label();
    }

    @Override
    public String getDescription() {
        return fix.label() + ".<br><br>Changes " + String.join(", ", fix.files())
                + " and saves; then Interleave analyzes the program again.";
    }

    @Override
    public Image getImage() {
        return null;
    }

    @Override
    public void run(IMarker marker) {
        IStatus status = apply();
        if (!status.isOK()) {
            StatusManager.getManager().handle(status, StatusManager.SHOW | StatusManager.LOG);
            return;
        }
        new AnalysisJob(scope).schedule();
    }

    /** Applies the edits to all files, or to none when any file changed since the fix was computed. */
    IStatus apply() {
        ITextFileBufferManager manager = FileBuffers.getTextFileBufferManager();
        List<IPath> connected = new ArrayList<>();
        try {
            List<ITextFileBuffer> buffers = new ArrayList<>();
            for (String file : fix.files()) {
                IPath path = IPath.fromPortableString(file);
                manager.connect(path, LocationKind.IFILE, null);
                connected.add(path);
                ITextFileBuffer buffer = manager.getTextFileBuffer(path, LocationKind.IFILE);
                if (!WorkspaceSources.forEngine(buffer.getDocument().get()).equals(analyzedTexts.get(file))) {
                    return Status.warning(file + " changed after Interleave analyzed it, so the fix '" + fix.label()
                            + "' was not applied. Run Analyze concurrency again and retry the quick fix.");
                }
                buffers.add(buffer);
            }
            for (int i = 0; i < buffers.size(); i++) {
                String file = fix.files().get(i);
                MultiTextEdit edits = editsFor(file);
                edits.apply(buffers.get(i).getDocument());
                if (file.endsWith(".java")) {
                    JavaFormatting.formatChanged(buffers.get(i).getDocument(), edits,
                            ResourcesPlugin.getWorkspace().getRoot().getFile(IPath.fromPortableString(file)));
                }
            }
            for (ITextFileBuffer buffer : buffers) {
                buffer.commit(null, false);
            }
            return Status.OK_STATUS;
        } catch (CoreException e) {
            return Status.error("Interleave could not apply the fix '" + fix.label() + "': " + e.getMessage(), e);
        } catch (BadLocationException | MalformedTreeException e) {
            return Status.error("The fix '" + fix.label() + "' does not fit the file's text (" + e.getMessage()
                    + "); nothing was changed in that file.", e);
        } finally {
            for (IPath path : connected) {
                try {
                    manager.disconnect(path, LocationKind.IFILE, null);
                } catch (CoreException e) {
                    // disconnecting only releases our reference; nothing the user can act on
                }
            }
        }
    }

    private MultiTextEdit editsFor(String file) {
        MultiTextEdit all = new MultiTextEdit();
        for (TextEdit e : fix.edits()) {
            if (e.file().equals(file)) {
                all.addChild(new ReplaceEdit(e.startOffset(), e.endOffset() - e.startOffset(), e.replacement()));
            }
        }
        return all;
    }
}
