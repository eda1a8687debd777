package interleave.engine.finding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A suggested repair: a short label ("Pass the value through intptr_t") and the text edits that make it. Edits of one
 * fix never overlap; they may touch several files (e.g. the creation site and the thread's start routine).
 */
public record Fix(String label, List<TextEdit> edits) {
    public Fix {
        Objects.requireNonNull(label, "label");
        edits = List.copyOf(edits);
        List<TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparing(TextEdit::file).thenComparingInt(TextEdit::startOffset));
        for (int i = 1; i < sorted.size(); i++) {
            TextEdit a = sorted.get(i - 1), b = sorted.get(i);
            if (a.file().equals(b.file()) && b.startOffset() < a.endOffset()) {
                throw new IllegalArgumentException("overlapping edits in fix '" + label + "'");
            }
        }
    }

    /** Applies this fix's edits for one file to that file's text. */
    public String applyTo(String file, String text) {
        List<TextEdit> mine = new ArrayList<>();
        for (TextEdit e : edits) {
            if (e.file().equals(file)) {
                mine.add(e);
            }
        }
        // Apply from the end so earlier offsets stay valid.
        mine.sort(Comparator.comparingInt(TextEdit::startOffset).thenComparingInt(TextEdit::endOffset).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : mine) {
            if (e.endOffset() > sb.length()) {
                throw new IllegalArgumentException("edit beyond the end of " + file);
            }
            sb.replace(e.startOffset(), e.endOffset(), e.replacement());
        }
        return sb.toString();
    }

    /** The files this fix changes, in order of first appearance. */
    public List<String> files() {
        return edits.stream().map(TextEdit::file).distinct().toList();
    }
}
