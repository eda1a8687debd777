package interleave.engine.c;

import interleave.engine.analysis.SourceFile;

/** One parsed file: its text and the root of its syntax tree ({@code translation_unit}). */
public record SyntaxTree(SourceFile file, SyntaxNode root, int errorNodes) {
    /** True when tree-sitter had to recover from syntax errors; findings still come from the readable parts. */
    public boolean hasErrors() {
        return errorNodes > 0;
    }
}
