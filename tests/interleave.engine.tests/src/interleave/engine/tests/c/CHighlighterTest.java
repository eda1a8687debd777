package interleave.engine.tests.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.c.CHighlighter;
import interleave.engine.c.CHighlighter.Kind;
import interleave.engine.c.CHighlighter.Span;

/** Colour classes from the syntax tree: by what a piece of text is, not by how it looks. */
class CHighlighterTest {
    private static final String SOURCE = """
            #include <stdio.h>
            /* while in a comment */
            static int count = 42;
            int main(void)
            {
                char *s = "return in a string"; // tail
                while (count > 0) {
                    count--;
                }
                return s != NULL && 'x' ? 0 : 1;
            }
            """;

    @Test
    void eachPieceGetsItsClass() {
        List<Span> spans;
        try (CHighlighter h = new CHighlighter()) {
            spans = h.highlight(SOURCE);
        }
        assertEquals(Kind.PREPROCESSOR, kindAt(spans, "#include"));
        assertEquals(Kind.STRING, kindAt(spans, "<stdio.h>"));
        assertEquals(Kind.COMMENT, kindAt(spans, "/* while"));
        assertEquals(Kind.COMMENT, kindAt(spans, "while in a comment"), "a keyword inside a comment is comment");
        assertEquals(Kind.KEYWORD, kindAt(spans, "static"));
        assertEquals(Kind.TYPE, kindAt(spans, "int count"));
        assertEquals(Kind.NUMBER, kindAt(spans, "42"));
        assertEquals(Kind.STRING, kindAt(spans, "\"return in a string\""));
        assertEquals(Kind.STRING, kindAt(spans, "return in a string"), "a keyword inside a string is string");
        assertEquals(Kind.COMMENT, kindAt(spans, "// tail"));
        assertEquals(Kind.KEYWORD, kindAt(spans, "while (count"));
        assertEquals(Kind.KEYWORD, kindAt(spans, "return s"));
        assertEquals(Kind.STRING, kindAt(spans, "'x'"));
        assertEquals(null, kindAt(spans, "count--"), "identifiers stay plain");
        assertEquals(null, kindAt(spans, "main"));
        for (int i = 1; i < spans.size(); i++) {
            assertTrue(spans.get(i - 1).end() <= spans.get(i).start(), "sorted, not overlapping: " + spans);
        }
    }

    @Test
    void offsetsAreCharactersEvenAfterMultiByteText() {
        String text = "/* caf\u00e9 \u2013 na\u00efve */\nint x;\n";
        try (CHighlighter h = new CHighlighter()) {
            List<Span> spans = h.highlight(text);
            assertEquals(new Span(0, text.indexOf('\n'), Kind.COMMENT), spans.get(0));
            assertEquals(new Span(text.indexOf("int"), text.indexOf("int") + 3, Kind.TYPE), spans.get(1));
        }
    }

    @Test
    void aLargeFileIsClassifiedQuickly() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) { // 5,000 lines
            sb.append("static int f").append(i).append("(int a) {\n    /* step */ if (a > ").append(i)
                    .append(") return a;\n    printf(\"%d\\n\", a);\n    return 0;\n}\n");
        }
        try (CHighlighter h = new CHighlighter()) {
            h.highlight(sb.toString()); // warm-up: native library and JIT
            long t0 = System.nanoTime();
            List<Span> spans = h.highlight(sb.toString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(spans.size() >= 10_000, "spans: " + spans.size());
            // Generous for a shared machine; measured well below this (see the README).
            assertTrue(ms < 3000, "5,000 lines took " + ms + " ms");
            System.out.println("CHighlighter: 5,000 lines, " + spans.size() + " spans in " + ms + " ms");
        }
    }

    private static Kind kindAt(List<Span> spans, String text) {
        int at = SOURCE.indexOf(text);
        assertTrue(at >= 0, text);
        for (Span s : spans) {
            if (s.start() <= at && at < s.end()) {
                return s.kind();
            }
        }
        return null;
    }
}
