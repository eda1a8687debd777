package interleave.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.jdt.core.JavaCore;
import org.eclipse.jdt.core.ToolFactory;
import org.eclipse.jdt.core.formatter.CodeFormatter;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.Region;
import org.eclipse.jface.text.TextUtilities;
import org.eclipse.text.edits.MultiTextEdit;
import org.eclipse.text.edits.TextEdit;

/**
 * Formats what a quick fix inserted into a Java file with JDT's code formatter and the project's own formatter
 * settings, so the fix reads like the code around it. Only the replaced ranges are formatted: the rest of the file
 * stays as its author wrote it.
 */
final class JavaFormatting {
    private JavaFormatting() {
    }

    /**
     * @param document the document the edits were just applied to
     * @param applied  the applied edits; after {@link TextEdit#apply} their regions are where the new text lies
     * @param file     the file, for its project's settings (may not be in a Java project)
     */
    static void formatChanged(IDocument document, MultiTextEdit applied, IFile file) throws BadLocationException {
        List<IRegion> regions = new ArrayList<>();
        for (TextEdit e : applied.getChildren()) {
            if (e.getLength() > 0 && !e.isDeleted()) {
                regions.add(new Region(e.getOffset(), e.getLength()));
            }
        }
        if (regions.isEmpty()) {
            return;
        }
        Map<String, String> options = JavaCore.getOptions();
        if (file != null && file.getProject() != null && JavaCore.create(file.getProject()).exists()) {
            options = JavaCore.create(file.getProject()).getOptions(true);
        }
        CodeFormatter formatter = ToolFactory.createCodeFormatter(options);
        TextEdit format = formatter.format(CodeFormatter.K_COMPILATION_UNIT, document.get(),
                regions.toArray(IRegion[]::new), 0, TextUtilities.getDefaultLineDelimiter(document));
        // null: the file does not parse as a whole (unfinished code); the fix stays as inserted
        if (format != null) {
            format.apply(document);
        }
    }
}
