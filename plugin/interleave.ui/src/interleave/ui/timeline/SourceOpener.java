package interleave.ui.timeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.eclipse.core.filesystem.EFS;
import org.eclipse.core.filesystem.IFileStore;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IRegion;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;

import interleave.engine.finding.Finding;
import interleave.engine.finding.SourceRange;

/**
 * Go to Source for what the trace found: the file and line the symbolizer (addr2line) gave for a return address,
 * opened in an editor at that line; a workspace file when the file is in the workspace, else the file itself (EFS).
 * Returns why not when it cannot: no line information, a file that is not there.
 */
public final class SourceOpener {
    private SourceOpener() {
    }

    /** Where a finding's source is, when it has a real file and line (not the executable, line 1). */
    public static Optional<SourceRange> sourceOf(Finding f) {
        SourceRange r = f.location();
        if (r == null || r.file().isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(r.file());
        if (!p.isAbsolute() || !Files.isRegularFile(p) || isBinary(p)) {
            return Optional.empty();
        }
        return Optional.of(r);
    }

    /** Opens file at line (1-based); empty when done, else the reason for the user. */
    public static Optional<String> open(IWorkbenchPage page, String file, int line) {
        Path p = Path.of(file);
        if (!p.isAbsolute()) {
            return Optional.of("The source " + file + " was recorded without its folder; open it yourself.");
        }
        if (!Files.isRegularFile(p)) {
            return Optional.of("The source " + file + " is not on this machine (any more).");
        }
        if (isBinary(p)) {
            return Optional.of("No line information for this place: build the program with -g.");
        }
        IEditorPart editor;
        try {
            IFile[] inWorkspace = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(p.toUri());
            Optional<IFile> ws = Arrays.stream(inWorkspace).filter(IFile::isAccessible).findFirst();
            if (ws.isPresent()) {
                editor = IDE.openEditor(page, ws.get(), true);
            } else {
                IFileStore store = EFS.getLocalFileSystem().getStore(p.toUri());
                editor = IDE.openEditorOnFileStore(page, store);
            }
        } catch (PartInitException e) {
            return Optional.of("Could not open " + file + ": " + e.getMessage());
        }
        ITextEditor text = editor == null ? null : editor.getAdapter(ITextEditor.class);
        if (text != null && line > 0) {
            IDocument doc = text.getDocumentProvider().getDocument(text.getEditorInput());
            try {
                IRegion r = doc.getLineInformation(Math.min(line, doc.getNumberOfLines()) - 1);
                text.selectAndReveal(r.getOffset(), r.getLength());
            } catch (BadLocationException e) {
                // the file changed since the run: the editor is open, at its top
            }
        }
        return Optional.empty();
    }

    /** An executable or library (ELF), which addr2line names when it has no line for an address. */
    private static boolean isBinary(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        } catch (IOException e) {
            return true;
        }
    }
}
