package interleave.engine.tests.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.c.CParser;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;

class CParserTest {

    @Test
    void copiesNamedNodesWithFieldsAndOperators() {
        try (CParser parser = new CParser()) {
            SyntaxTree tree = parser.parse(SourceFile.of("a.c", "void f(void) { int cnt = 0; cnt++; g(&cnt); }\n"));
            assertFalse(tree.hasErrors());
            List<SyntaxNode> calls = tree.root().descendants("call_expression");
            assertEquals(1, calls.size());
            SyntaxNode call = calls.get(0);
            assertEquals("g", call.child("function").text());
            SyntaxNode arg = call.child("arguments").children().get(0);
            assertEquals("pointer_expression", arg.kind());
            assertEquals("&", arg.child("operator").text());
            assertEquals("cnt", arg.child("argument").text());
            SyntaxNode update = tree.root().descendants("update_expression").get(0);
            assertEquals("++", update.child("operator").text());
        }
    }

    @Test
    void offsetsAreCharactersEvenAfterNonAsciiText() {
        String text = "/* café ☕ 😀 */\nint main(void) { return 0; }\n";
        try (CParser parser = new CParser()) {
            SyntaxTree tree = parser.parse(SourceFile.of("u.c", text));
            SyntaxNode fn = tree.root().descendants("function_definition").get(0);
            assertEquals("int main(void) { return 0; }", fn.text());
            assertEquals(2, fn.line());
            assertEquals(1, fn.range().startColumn());
        }
    }

    @Test
    void brokenCodeStillGivesATreeWithTheReadableParts() {
        String text = "int f(void) { return 1 + ) ; }\nvoid h(int s) { printf(\"x\"); }\n";
        try (CParser parser = new CParser()) {
            SyntaxTree tree = parser.parse(SourceFile.of("b.c", text));
            assertTrue(tree.hasErrors());
            assertTrue(tree.root().descendants("call_expression").stream()
                    .anyMatch(c -> c.child("function").text().equals("printf")));
        }
    }
}
