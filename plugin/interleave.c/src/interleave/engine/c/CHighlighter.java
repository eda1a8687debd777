package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;
import org.treesitter.TreeSitterC;

import interleave.engine.analysis.SourceFile;

/**
 * Colour classes for C source, from tree-sitter's syntax tree rather than regular expressions, so that a keyword inside
 * a string or comment, or a type name used as a type, is classified by what it is. Classification is by node kind (no
 * query file): comments, string and character literals, numbers, preprocessor directives, types, keywords and
 * constants. Not thread-safe: one highlighter per thread (each holds a parser).
 */
public final class CHighlighter implements AutoCloseable {
    /** What a span of source is, for an editor to map to a colour and style. */
    public enum Kind {
        KEYWORD, TYPE, STRING, COMMENT, NUMBER, PREPROCESSOR, CONSTANT
    }

    /** Characters [start, end) of the text are of this kind. Sorted by start, never overlapping. */
    public record Span(int start, int end, Kind kind) {
    }

    private static final Set<String> KEYWORDS = Set.of("if", "else", "while", "for", "do", "switch", "case",
            "default", "break", "continue", "return", "goto", "sizeof", "typedef", "struct", "union", "enum", "static",
            "extern", "const", "volatile", "register", "auto", "inline", "restrict", "signed", "unsigned", "long",
            "short", "_Atomic", "_Noreturn", "_Thread_local", "__thread", "_Alignas", "_Alignof", "_Static_assert",
            "offsetof", "__attribute__", "__extension__", "asm", "__asm__", "defined", "__restrict", "__inline",
            "noreturn", "thread_local", "alignas", "alignof", "static_assert", "_Generic", "__volatile__");

    private final TSParser parser = new TSParser();
    private final TSLanguage language = new TreeSitterC();

    public CHighlighter() {
        parser.setLanguage(language);
    }

    /** The coloured spans of a text; text between spans is plain. */
    public List<Span> highlight(String text) {
        SourceFile file = SourceFile.of("highlight", text);
        List<Span> spans = new ArrayList<>();
        TSTree tree = parser.parseString(null, file.text());
        try (TSTreeCursor cursor = new TSTreeCursor(tree.getRootNode())) {
            walk(file, cursor, spans);
        }
        return spans;
    }

    /** Depth first; a node that gets a class as a whole (a string, a comment) is not entered. */
    private static void walk(SourceFile file, TSTreeCursor cursor, List<Span> spans) {
        while (true) {
            TSNode n = cursor.currentNode();
            Kind kind = classify(n);
            if (kind != null) {
                int start = file.charOffset(n.getStartByte());
                int end = file.charOffset(n.getEndByte());
                if (end > start && (spans.isEmpty() || spans.get(spans.size() - 1).end() <= start)) {
                    spans.add(new Span(start, end, kind));
                }
            } else if (cursor.gotoFirstChild()) {
                continue;
            }
            while (!cursor.gotoNextSibling()) {
                if (!cursor.gotoParent()) {
                    return;
                }
            }
        }
    }

    private static Kind classify(TSNode n) {
        String type = n.getType();
        if (n.isNamed()) {
            return switch (type) {
            case "comment" -> Kind.COMMENT;
            case "string_literal", "char_literal", "system_lib_string", "concatenated_string" -> Kind.STRING;
            case "number_literal" -> Kind.NUMBER;
            case "primitive_type", "type_identifier" -> Kind.TYPE;
            case "true", "false", "null" -> Kind.CONSTANT;
            default -> null;
            };
        }
        if (type.startsWith("#")) {
            return Kind.PREPROCESSOR; // #include, #define, #ifdef ... (the directive word itself)
        }
        return KEYWORDS.contains(type) ? Kind.KEYWORD : null;
    }

    @Override
    public void close() {
        parser.close();
    }
}
