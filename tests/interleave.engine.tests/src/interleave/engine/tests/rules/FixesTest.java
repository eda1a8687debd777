package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.tests.Fixtures;

/**
 * Every fix of every fixture finding: applied, the program has one finding fewer of that rule and no new one, and a
 * file that compiled before still compiles ({@code gcc -fsyntax-only}). Golden pairs under {@code fixes/} pin the
 * exact text of the first fix.
 */
class FixesTest {

    @TestFactory
    Stream<DynamicTest> everyFixRemovesItsFindingAndKeepsTheFileCompiling() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.Program p : Fixtures.programs().stream().filter(x -> !x.isJava()).toList()) {
            AnalysisResult before = p.analyze();
            for (Finding f : before.findings()) {
                for (int i = 0; i < f.fixes().size(); i++) {
                    Fix fix = f.fixes().get(i);
                    tests.add(dynamicTest(p.name() + " line " + f.location().startLine() + " fix " + (i + 1) + ": "
                            + fix.label(), () -> checkFix(p, before, f, fix)));
                }
            }
        }
        assertTrue(tests.size() >= 10, "expected fixes on the fixtures, found " + tests.size());
        return tests.stream();
    }

    private static void checkFix(Fixtures.Program p, AnalysisResult before, Finding f, Fix fix) throws Exception {
        Map<String, String> texts = new LinkedHashMap<>();
        for (SourceFile s : p.sources()) {
            texts.put(s.path(), s.text());
        }
        Map<String, String> fixed = new LinkedHashMap<>();
        texts.forEach((name, text) -> fixed.put(name, fix.applyTo(name, text)));
        List<SourceFile> after = new ArrayList<>();
        fixed.forEach((name, text) -> after.add(SourceFile.of(name, text)));
        AnalysisResult r = new CAnalyzer().analyze(after, CAnalyzer.Progress.NONE, () -> false);
        long ruleBefore = before.findings().stream().filter(x -> x.ruleId().equals(f.ruleId())).count();
        long ruleAfter = r.findings().stream().filter(x -> x.ruleId().equals(f.ruleId())).count();
        assertEquals(ruleBefore - 1, ruleAfter, "the fix should remove exactly its finding:\n" + fixed);
        assertTrue(r.findings().size() < before.findings().size(), "the fix added findings");
        for (String file : fix.files()) {
            if (compiles(texts.get(file))) {
                assertTrue(compiles(fixed.get(file)), "fixed " + file + " no longer compiles:\n" + fixed.get(file));
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> goldenFixesGiveExactlyTheExpectedText() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> rules = Files.list(Fixtures.root().resolve("c"))) {
            for (Path fixes : rules.map(r -> r.resolve("fixes")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(fixes)) {
                    for (Path before : files.filter(x -> x.toString().endsWith(".before.c")).sorted().toList()) {
                        Path expected = Path.of(before.toString().replace(".before.c", ".after.c"));
                        tests.add(dynamicTest(fixes.getParent().getFileName() + "/" + before.getFileName(), () -> {
                            String text = Files.readString(before, StandardCharsets.UTF_8);
                            String name = before.getFileName().toString();
                            AnalysisResult r = new CAnalyzer().analyze(List.of(SourceFile.of(name, text)),
                                    CAnalyzer.Progress.NONE, () -> false);
                            assertEquals(1, r.findings().size(), "a golden fix file holds exactly one finding");
                            Fix fix = r.findings().get(0).fixes().get(0);
                            assertEquals(Files.readString(expected, StandardCharsets.UTF_8), fix.applyTo(name, text));
                        }));
                    }
                }
            }
        }
        assertTrue(tests.size() >= 2, "golden fix pairs missing");
        return tests.stream();
    }

    /** gcc -fsyntax-only on the text; without gcc the test fails and says so, rather than passing unchecked. */
    static boolean compiles(String text) throws IOException, InterruptedException {
        if (!gccAvailable()) {
            throw new AssertionError("gcc not found: the fixes cannot be checked to compile (install gcc)");
        }
        Process gcc = new ProcessBuilder("gcc", "-fsyntax-only", "-pthread", "-w", "-x", "c", "-")
                .redirectErrorStream(true).start();
        gcc.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        gcc.getOutputStream().close();
        gcc.getInputStream().readAllBytes();
        if (!gcc.waitFor(60, TimeUnit.SECONDS)) {
            gcc.destroyForcibly();
            throw new IllegalStateException("gcc did not finish in 60 s");
        }
        return gcc.exitValue() == 0;
    }

    private static Boolean gcc;

    private static synchronized boolean gccAvailable() {
        if (gcc == null) {
            try {
                gcc = new ProcessBuilder("gcc", "--version").start().waitFor() == 0;
            } catch (IOException | InterruptedException e) {
                gcc = false;
            }
        }
        return gcc;
    }
}
