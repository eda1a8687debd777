package interleave.engine.finding;

import java.util.Objects;

/**
 * A range of characters in one source file. Lines and columns are 1-based and count characters (not bytes), as
 * compilers and SARIF do; offsets are 0-based character offsets into the decoded file text, as Eclipse documents use.
 */
public record SourceRange(String file, int startLine, int startColumn, int endLine, int endColumn, int startOffset,
        int endOffset) {

    public SourceRange {
        Objects.requireNonNull(file, "file");
        if (startLine < 1 || startColumn < 1 || endLine < startLine || startOffset < 0 || endOffset < startOffset) {
            throw new IllegalArgumentException("bad range " + startLine + ":" + startColumn + "-" + endLine + ":"
                    + endColumn + " [" + startOffset + "," + endOffset + ")");
        }
    }

    /** A location known only by file and line (for example from a symbolized trace address). */
    public static SourceRange line(String file, int line) {
        return new SourceRange(file, line, 1, line, 1, 0, 0);
    }

    public boolean hasOffsets() {
        return endOffset > 0 || startOffset > 0;
    }

    @Override
    public String toString() {
        return file + ":" + startLine + ":" + startColumn;
    }
}
