package interleave.engine.finding;

import java.util.Objects;

/** Replace the characters [startOffset, endOffset) of a file with new text. An insertion has start == end. */
public record TextEdit(String file, int startOffset, int endOffset, String replacement) {
    public TextEdit {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(replacement, "replacement");
        if (startOffset < 0 || endOffset < startOffset) {
            throw new IllegalArgumentException("bad edit range [" + startOffset + "," + endOffset + ")");
        }
    }

    public static TextEdit insert(String file, int offset, String text) {
        return new TextEdit(file, offset, offset, text);
    }
}
