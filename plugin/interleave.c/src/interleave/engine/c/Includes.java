package interleave.engine.c;

import java.util.Optional;

import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.TextEdit;

/** Adds an {@code #include} a fix needs, after the file's last top-level include (or at the top). */
public final class Includes {
    private Includes() {
    }

    /** An edit that includes {@code header} (e.g. {@code <stdint.h>}), or empty when the file includes it already. */
    public static Optional<TextEdit> ensure(SyntaxTree tree, String header, String... alternatives) {
        SyntaxNode lastInclude = null;
        for (SyntaxNode n : tree.root().children()) {
            if (n.is("preproc_include")) {
                SyntaxNode path = n.child("path");
                String p = path == null ? "" : path.text().trim();
                if (p.equals(header)) {
                    return Optional.empty();
                }
                for (String alt : alternatives) {
                    if (p.equals(alt)) {
                        return Optional.empty();
                    }
                }
                lastInclude = n;
            }
        }
        String file = tree.file().path();
        if (lastInclude == null) {
            return Optional.of(TextEdit.insert(file, 0, "#include " + header + "\n"));
        }
        // a preproc_include node ends after its newline
        int end = lastInclude.endChar();
        String text = tree.file().text();
        if (end > 0 && text.charAt(end - 1) != '\n') {
            return Optional.of(TextEdit.insert(file, end, "\n#include " + header));
        }
        return Optional.of(TextEdit.insert(file, end, "#include " + header + "\n"));
    }

    /** The tree a node belongs to, found among the program's trees. */
    public static SyntaxTree treeOf(CProgram program, SourceFile file) {
        for (SyntaxTree t : program.trees()) {
            if (t.file() == file) {
                return t;
            }
        }
        throw new IllegalArgumentException("file not in program: " + file.path());
    }

    /** The whitespace that starts the line the node is on. */
    public static String indentOf(SyntaxNode node) {
        SourceFile f = node.file();
        String line = f.lineText(node.line());
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return line.substring(0, i);
    }

    /** A name not yet used in {@code f} for a variable a fix introduces: {@code wanted}, else wanted2, wanted3, ... */
    public static String freshName(CFunction f, String wanted) {
        java.util.Set<String> used = new java.util.HashSet<>();
        f.definition().walk(n -> {
            if (n.is("identifier")) {
                used.add(n.text());
            }
        });
        String name = wanted;
        for (int i = 2; used.contains(name); i++) {
            name = wanted + i;
        }
        return name;
    }
}
