package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import interleave.engine.finding.Finding;
import interleave.engine.finding.Headline;
import interleave.engine.tests.Fixtures;

/** The one-line headline of every finding the fixtures produce: short, cut between words, still saying something. */
class HeadlineTest {

    @TestFactory
    Stream<DynamicTest> everyFixtureFindingHasAMeaningfulHeadline() {
        return Fixtures.programs().stream().map(p -> dynamicTest(p.name(), () -> {
            for (Finding f : p.analyze().findings()) {
                check(f.message(), f.headline(), Headline.DEFAULT_LENGTH);
                check(f.message(), Headline.of(f.message(), 80), 80); // the room left next to a long rule id
            }
        }));
    }

    @Test
    void firstClauseEndsAtAColonSemicolonOrSentenceEndOutsideParenthesesAndQuotes() {
        assertEquals("exit() is not async-signal-safe but runs inside the handler h()",
                Headline.of("exit() is not async-signal-safe but runs inside the handler h(): it flushes.", 120));
        assertEquals("The handler h() calls waitpid() (and printf(): twice), which may set errno",
                Headline.of("The handler h() calls waitpid() (and printf(): twice), which may set errno. Then x.",
                        120));
        assertEquals("Set 'a: b' in the file for this one, e.g. this way",
                Headline.of("Set 'a: b' in the file for this one, e.g. this way; or not.", 120));
        // a short first clause says too little: the next one comes along
        assertEquals("Note: the thread reads it later", Headline.of("Note: the thread reads it later; fine.", 120));
    }

    @Test
    void longClausesAreCutBetweenWordsOutsideParentheses() {
        String m = "The thread started on serve() is never detached and never joined, and main() creates one in"
                + " every iteration (of a loop that runs for the life of the program) forever";
        String h = Headline.of(m, 100);
        assertEquals("The thread started on serve() is never detached and never joined, and main() creates one"
                + " in every\u2026", h);
        check(m, h, 100);
        String word = "x".repeat(200);
        assertEquals(50, Headline.of(word, 50).length());
    }

    private static void check(String message, String headline, int max) {
        String normalized = message.strip().replaceAll("\\s+", " ");
        assertTrue(headline.length() <= max, headline.length() + " > " + max + ": " + headline);
        assertFalse(headline.contains("\n"), headline);
        String body = headline.endsWith("\u2026") ? headline.substring(0, headline.length() - 1) : headline;
        assertTrue(normalized.startsWith(body), "not the start of the message: " + headline + " | " + message);
        if (body.length() < normalized.length()) {
            char next = normalized.charAt(body.length());
            assertFalse(Character.isLetterOrDigit(next) || next == '_' || next == '(',
                    "cut inside a word: " + headline + " | " + message);
        }
        assertEquals(body.chars().filter(c -> c == '(').count(), body.chars().filter(c -> c == ')').count(),
                "half a parenthetical: " + headline);
        assertTrue(body.split(" ").length >= 4, "says too little: " + headline);
        // it names the code it is about: a function (), an address (&x) or a quoted name
        assertTrue(body.contains("()") || body.contains("&") || body.contains("'"),
                "names no code element: " + headline);
    }
}
