package interleave.engine.tests.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.tests.Fixtures;
import interleave.java.JavaAnalyzer;

/**
 * Every fix of every Java fixture finding removes exactly its finding, and the file still compiles with javac.
 */
class JavaFixesTest {

    @TestFactory
    Stream<DynamicTest> everyJavaFixRemovesItsFindingAndKeepsTheFileCompiling() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixtures.Program p : Fixtures.programs()) {
            if (!p.isJava() || p.files().size() != 1) {
                continue;
            }
            AnalysisResult before = p.analyze();
            for (Finding f : before.findings()) {
                for (Fix fix : f.fixes()) {
                    tests.add(dynamicTest(p.name() + " line " + f.location().startLine() + ": " + fix.label(),
                            () -> check(p.files().get(0), before, f, fix)));
                }
            }
        }
        assertTrue(tests.size() >= 4, "expected fixes on the Java fixtures, found " + tests.size());
        return tests.stream();
    }

    private static void check(Path file, AnalysisResult before, Finding f, Fix fix) throws Exception {
        String name = file.getFileName().toString();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String fixed = fix.applyTo(name, text);
        Path dir = Files.createTempDirectory("javafix");
        Path copy = dir.resolve(name);
        Files.writeString(copy, fixed, StandardCharsets.UTF_8);
        AnalysisResult after = new JavaAnalyzer().analyzeFiles(List.of(copy), p -> p.getFileName().toString());
        long ruleBefore = before.findings().stream().filter(x -> x.ruleId().equals(f.ruleId())).count();
        long ruleAfter = after.findings().stream().filter(x -> x.ruleId().equals(f.ruleId())).count();
        assertEquals(ruleBefore - 1, ruleAfter, "the fix should remove exactly its finding:\n" + fixed);
        // the Java fixtures are meant to be real code: each one compiles as written
        assertTrue(compiles(file, dir.resolve("orig")), name + " does not compile as written");
        assertTrue(compiles(copy, dir.resolve("out")), "fixed " + name + " no longer compiles:\n" + fixed);
    }

    /**
     * The AtomicInteger hook for the neutral unsynchronized-write rule: for each racy counter of the Java fixtures the
     * fix makes every racy write disappear from the facts (no field write left to race) and the file still compiles.
     */
    @TestFactory
    Stream<DynamicTest> atomicCounterFixRemovesTheRacyWritesAndCompiles() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : List.of("bad-volatile-counter.java", "bad-field-of-shared-server.java")) {
            Path file = JavaConcurrencyFactsTest.fixture("unsynchronized-shared-write", name);
            tests.add(dynamicTest(name, () -> {
                interleave.java.JavaProgram program = JavaConcurrencyFactsTest.parse(file);
                var facts = program.concurrency();
                var racy = facts.accesses().stream().filter(a -> a.write() && !a.atomic() && a.held().isEmpty())
                        .findFirst().orElseThrow();
                Fix fix = interleave.java.fixes.AtomicCounterFix.forVariable(program, racy.variable().key())
                        .orElseThrow(() -> new AssertionError("no atomic fix for " + racy.variable()));
                String fixed = fix.applyTo(name, Files.readString(file, StandardCharsets.UTF_8));
                Path dir = Files.createTempDirectory("atomicfix");
                Path copy = dir.resolve(name);
                Files.writeString(copy, fixed, StandardCharsets.UTF_8);
                var after = JavaConcurrencyFactsTest.parse(copy).concurrency();
                assertEquals("", String.join("\n", JavaConcurrencyFactsTest.racyWrites(after)), fixed);
                assertTrue(compiles(copy, dir.resolve("out")), "fixed " + name + " no longer compiles:\n" + fixed);
            }));
        }
        // an update computed from the old value is not one atomic call: no fix rather than a wrong one
        Path dir = Files.createTempDirectory("atomicnofix");
        Path doubling = dir.resolve("Doubling.java");
        Files.writeString(doubling, "class Doubling { static int c; static void twice() { c = c * 2; } }\n");
        tests.add(dynamicTest("no fix for c = c * 2", () -> assertTrue(interleave.java.fixes.AtomicCounterFix
                .forVariable(JavaConcurrencyFactsTest.parse(doubling), "field:Doubling.c").isEmpty())));
        return tests.stream();
    }

    /** javac on one file (fixture files are named for their rule, not their class: the public class is renamed). */
    static boolean compiles(Path file, Path out) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "tests run on a JDK");
        String text = Files.readString(file, StandardCharsets.UTF_8).replaceFirst("public class ", "class ");
        Path dir = Files.createDirectories(out);
        Path src = dir.resolve("Fixture.java");
        Files.writeString(src, text, StandardCharsets.UTF_8);
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        return javac.run(null, null, errors, "-d", dir.toString(), "-proc:none", src.toString()) == 0;
    }
}
