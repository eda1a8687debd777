package interleave.engine.tests.robustness;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.SourceRange;
import interleave.engine.finding.TextEdit;
import interleave.engine.tests.Fixtures;

/**
 * Every rule on damaged input: the fixtures cut short, with pieces deleted, duplicated or swapped, with C tokens
 * dropped in at random, and random bytes. Whatever the damage, the analysis ends, no rule throws (a rule that throws
 * becomes an error notification, which fails here), and every location and fix stays inside its file. Bounded by a
 * time budget so CI stays fast; {@code -Dinterleave.fuzz.seconds=N -Dinterleave.fuzz.seed=S} runs longer or
 * elsewhere.
 */
class FuzzTest {
    private static final String[] TOKENS = {"{", "}", "(", ")", ";", ",", "*", "&", "&&", "=", "==", "++", "--", "->",
            ".", "[", "]", "if", "else", "while", "for", "do", "switch", "case 0:", "default:", "return", "break;",
            "continue;", "goto out;", "out:", "static", "volatile", "_Atomic", "struct s", "int", "void", "char *",
            "pthread_create(", "pthread_join(", "pthread_detach(", "pthread_mutex_lock(&m)", "pthread_mutex_unlock(&m)",
            "fork()", "waitpid(-1, NULL, WNOHANG)", "signal(SIGCHLD, h)", "sigaction(SIGINT, &sa, NULL)", "printf(",
            "malloc(", "free(", "close(", "accept(", "errno", "#define X(a) a\n", "#if 0\n", "#endif\n", "\"str",
            "'c'", "/*", "*/", "//", "\n", "\\\n", "0x", "1e9", "main", "(void *)", "sizeof", "typedef"};

    @Test
    void damagedSourcesNeverCrashHangOrPointOutsideTheFile() throws Exception {
        long seconds = Long.getLong("interleave.fuzz.seconds", 20);
        long seed = Long.getLong("interleave.fuzz.seed", 20261201L);
        Random random = new Random(seed);
        List<String> corpus = new ArrayList<>();
        for (Fixtures.Program p : Fixtures.programs().stream().filter(x -> !x.isJava()).toList()) {
            for (Path f : p.files()) {
                corpus.add(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        assertTrue(corpus.size() > 10, "the fixtures are the fuzz corpus");
        CAnalyzer analyzer = new CAnalyzer();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        int cases = 0;
        while (System.nanoTime() < deadline || cases < 50) {
            String text = mutate(corpus.get(random.nextInt(corpus.size())), corpus, random);
            int caseNo = cases++;
            SourceFile file = SourceFile.of("fuzz" + caseNo + ".c", text);
            AnalysisResult r = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> analyzer.analyze(List.of(file), CAnalyzer.Progress.NONE, () -> false),
                    () -> "analysis did not end within 10 s on case " + caseNo + " (seed " + seed + ")\n" + text);
            for (Notification n : r.notifications()) {
                if (n.isError()) {
                    fail("case " + caseNo + " (seed " + seed + "): " + n.describe() + "\n--- input ---\n" + text);
                }
            }
            for (Finding f : r.findings()) {
                inside(file, f.location(), caseNo, text);
                for (RelatedLocation e : f.evidence()) {
                    inside(file, e.range(), caseNo, text);
                }
                f.fixes().forEach(fix -> fix.edits().forEach(e -> inside(file, e, caseNo, text)));
            }
        }
        System.out.println("FuzzTest: " + cases + " damaged inputs in " + seconds + " s budget, seed " + seed);
    }

    private static void inside(SourceFile file, SourceRange r, int caseNo, String text) {
        if (!r.file().equals(file.path())) {
            return; // notes may point into other files only when several are analyzed; here there is one
        }
        if (r.startLine() < 1 || r.endLine() > file.lineCount() + 1 || r.startOffset() < 0
                || r.endOffset() > file.text().length() || r.startOffset() > r.endOffset()) {
            fail("case " + caseNo + ": location " + r + " outside the file of " + file.lineCount() + " lines\n"
                    + text);
        }
    }

    private static void inside(SourceFile file, TextEdit e, int caseNo, String text) {
        if (e.file().equals(file.path())
                && (e.startOffset() < 0 || e.endOffset() > file.text().length() || e.startOffset() > e.endOffset())) {
            fail("case " + caseNo + ": fix edit " + e + " outside the file\n" + text);
        }
    }

    /** One to four damages of one fixture, or random bytes now and then. */
    static String mutate(String src, List<String> corpus, Random random) {
        if (random.nextInt(40) == 0) {
            byte[] bytes = new byte[random.nextInt(4096)];
            random.nextBytes(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        StringBuilder s = new StringBuilder(src);
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n && s.length() > 0; i++) {
            int a = random.nextInt(s.length());
            int b = Math.min(s.length(), a + random.nextInt(200));
            switch (random.nextInt(6)) {
            case 0 -> s.setLength(a); // cut short
            case 1 -> s.delete(a, b);
            case 2 -> s.insert(a, s.substring(a, b)); // duplicated piece
            case 3 -> s.insert(a, " " + TOKENS[random.nextInt(TOKENS.length)] + " ");
            case 4 -> { // a piece of another fixture spliced in
                String other = corpus.get(random.nextInt(corpus.size()));
                int c = random.nextInt(Math.max(1, other.length()));
                s.insert(a, other, c, Math.min(other.length(), c + random.nextInt(400)));
            }
            default -> { // two pieces swapped
                String piece = s.substring(a, b);
                s.delete(a, b);
                s.insert(random.nextInt(s.length() + 1), piece);
            }
            }
        }
        return s.toString();
    }
}
