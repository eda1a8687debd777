package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;

import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;
import org.treesitter.TreeSitterC;

/**
 * The only class that talks to tree-sitter: parses C (error-tolerant: half-written code still gives a tree) and copies
 * the tree into {@link SyntaxNode}s in one cursor walk. Not thread-safe: use one parser per thread.
 */
public final class CParser implements AutoCloseable {
    private final TSParser parser = new TSParser();
    private final TSLanguage language = new TreeSitterC();
    private final String[] symbolNames;
    private final String[] fieldNames;

    public CParser() {
        parser.setLanguage(language);
        symbolNames = new String[language.symbolCount()];
        for (int i = 0; i < symbolNames.length; i++) {
            symbolNames[i] = language.symbolName(i).intern();
        }
        fieldNames = new String[language.fieldCount() + 1];
        for (int i = 1; i < fieldNames.length; i++) {
            fieldNames[i] = language.fieldNameForId(i).intern();
        }
    }

    public SyntaxTree parse(SourceFile file) {
        TSTree tree = parser.parseString(null, file.text());
        TSNode rootTs = tree.getRootNode();
        int[] errors = {0};
        SyntaxNode root;
        try (TSTreeCursor cursor = new TSTreeCursor(rootTs)) {
            root = node(file, cursor.currentNode(), null, errors);
            copyChildren(file, cursor, root, errors);
        }
        return new SyntaxTree(file, root, errors[0]);
    }

    private SyntaxNode node(SourceFile file, TSNode n, String field, int[] errors) {
        int symbol = n.getSymbol();
        String kind = n.isError() ? "ERROR" : symbol >= 0 && symbol < symbolNames.length ? symbolNames[symbol] : n.getType();
        boolean missing = n.isMissing();
        if (n.isError() || missing) {
            errors[0]++;
        }
        return new SyntaxNode(file, kind, field, n.getStartByte(), n.getEndByte(), n.isError(), missing);
    }

    /** Depth-first copy with an explicit stack of child lists (deep nesting must not overflow the Java stack). */
    private void copyChildren(SourceFile file, TSTreeCursor cursor, SyntaxNode root, int[] errors) {
        ArrayList<SyntaxNode> parents = new ArrayList<>();
        ArrayList<List<SyntaxNode>> kids = new ArrayList<>();
        if (!cursor.gotoFirstChild()) {
            return;
        }
        parents.add(root);
        kids.add(new ArrayList<>());
        while (true) {
            TSNode n = cursor.currentNode();
            int fieldId = cursor.currentFieldId();
            String field = fieldId > 0 && fieldId < fieldNames.length ? fieldNames[fieldId] : null;
            SyntaxNode copied = null;
            if (n.isNamed() || field != null || n.isMissing()) {
                copied = node(file, n, field, errors);
                kids.get(kids.size() - 1).add(copied);
            }
            if (copied != null && cursor.gotoFirstChild()) {
                parents.add(copied);
                kids.add(new ArrayList<>());
                continue;
            }
            while (!cursor.gotoNextSibling()) {
                if (!cursor.gotoParent()) {
                    return;
                }
                SyntaxNode done = parents.remove(parents.size() - 1);
                done.setChildren(kids.remove(kids.size() - 1));
                if (parents.isEmpty()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        parser.close();
    }
}
