package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;

import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;
import org.treesitter.TreeSitterC;

import interleave.engine.analysis.SourceFile;

/**
 * The only class that talks to tree-sitter: parses C (error-tolerant: half-written code still gives a tree) and copies
 * the tree into {@link SyntaxNode}s in one cursor walk. Not thread-safe: use one parser per thread.
 */
public final class CParser implements AutoCloseable {
    private final TSParser parser = new TSParser();
    private final TSLanguage language = new TreeSitterC();
    private final String[] symbolNames;
    private final boolean[] symbolNamed;
    private final String[] fieldNames;

    /** tree-sitter's ERROR symbol ({@code ts_builtin_sym_error}, (TSSymbol)-1). */
    private static final int ERROR_SYMBOL = 65535;

    /*
     * Every accessor of the binding costs two JNI calls (a null check, then the value), about 1.5 us each. The copy
     * therefore asks only for symbol, field and end byte, and reads the start byte from the node value the binding
     * already holds (TSNode.context0, tree-sitter's context[0]); if that field is ever renamed it falls back to JNI.
     */
    private static final java.lang.invoke.VarHandle START_BYTE = startByteHandle();

    private static java.lang.invoke.VarHandle startByteHandle() {
        try {
            return java.lang.invoke.MethodHandles.privateLookupIn(TSNode.class, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(TSNode.class, "context0", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static int startByte(TSNode n) {
        return START_BYTE != null ? (int) START_BYTE.get(n) : n.getStartByte();
    }

    public CParser() {
        parser.setLanguage(language);
        symbolNames = new String[language.symbolCount()];
        symbolNamed = new boolean[symbolNames.length];
        for (int i = 0; i < symbolNames.length; i++) {
            symbolNames[i] = language.symbolName(i).intern();
            symbolNamed[i] = language.symbolType(i) == org.treesitter.TSSymbolType.TSSymbolTypeRegular;
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
            TSNode r = cursor.currentNode();
            root = node(file, r, r.getSymbol(), null, errors);
            copyChildren(file, cursor, root, errors);
        }
        return new SyntaxTree(file, root, errors[0]);
    }

    private SyntaxNode node(SourceFile file, TSNode n, int symbol, String field, int[] errors) {
        boolean error = symbol == ERROR_SYMBOL;
        String kind = error ? "ERROR" : symbol >= 0 && symbol < symbolNames.length ? symbolNames[symbol] : n.getType();
        int start = startByte(n);
        int end = n.getEndByte();
        // a MISSING node (inserted by error recovery) is a zero-width leaf
        boolean missing = !error && start == end && symbol < symbolNames.length && symbolNamed[symbol];
        if (error || missing) {
            errors[0]++;
        }
        return new SyntaxNode(file, kind, field, start, end, error, missing);
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
            int symbol = n.getSymbol();
            int fieldId = cursor.currentFieldId();
            String field = fieldId > 0 && fieldId < fieldNames.length ? fieldNames[fieldId] : null;
            boolean named = symbol == ERROR_SYMBOL || (symbol < symbolNamed.length && symbolNamed[symbol]);
            SyntaxNode copied = null;
            if (named || field != null) {
                copied = node(file, n, symbol, field, errors);
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
