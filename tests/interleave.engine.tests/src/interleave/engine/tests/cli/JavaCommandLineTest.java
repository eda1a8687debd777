package interleave.engine.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import interleave.engine.tests.Fixtures;

/**
 * {@code interleave analyze} on Java and mixed C/Java trees, with the Java front end reached the way the plain-Java
 * launcher reaches it: the engine loads it from the jars named in {@code -Dinterleave.java.path} (the bundle's
 * classes and the JDT jars the build copies), on a class loader of its own.
 */
class JavaCommandLineTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void javaFrontEndAsTheLauncherGivesIt() throws IOException {
        Path bundle = Path.of(System.getProperty("interleave.repo"), "plugin", "interleave.java", "target");
        assertTrue(Files.isDirectory(bundle.resolve("classes")) && Files.isDirectory(bundle.resolve("cli-lib")),
                "the Java bundle is built before the tests: " + bundle);
        try (Stream<Path> jars = Files.list(bundle.resolve("cli-lib"))) {
            System.setProperty("interleave.java.path", bundle.resolve("classes") + ":"
                    + jars.map(Path::toString).sorted().collect(Collectors.joining(":")));
        }
    }

    private static Path java(String rel) {
        return Fixtures.root().resolve("java").resolve(rel);
    }

    @Test
    void javaFindingsPrintLikeACompilerAndExitOne() {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze",
                java("unintended-sharing/bad-field-reassigned.java").toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*bad-field-reassigned\\.java:14:13: error: .*\\[unintended-sharing\\].*"),
                r.out());
    }

    @Test
    void mixedTreeGetsBothLanguagesInOneSarifRun() throws IOException {
        Files.copy(Fixtures.root().resolve("c/stack-address-to-thread/bad-loop-counter.c"), tmp.resolve("a.c"));
        Files.copy(java("accepted-socket-not-closed/bad-never-closed.java"), tmp.resolve("BadNeverClosed.java"));
        Path out = tmp.resolve("out.sarif");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "sarif", "--out", out.toString(),
                tmp.toString());
        assertEquals(1, r.status(), r.err());
        JsonObject run = JsonParser.parseString(Files.readString(out)).getAsJsonObject().getAsJsonArray("runs")
                .get(0).getAsJsonObject();
        String results = run.getAsJsonArray("results").toString();
        assertTrue(results.contains("stack-address-to-thread") && results.contains("accepted-socket-not-closed"),
                results);
        String rules = run.getAsJsonObject("tool").getAsJsonObject("driver").getAsJsonArray("rules").toString();
        assertTrue(rules.contains("\"accepted-socket-not-closed\"") && rules.contains("\"stack-address-to-thread\""),
                rules);
    }

    @Test
    void compliantJavaExitsZeroAndClasspathIsAccepted() {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--classpath", "/nonexistent.jar",
                java("executor-never-shut-down/good-shut-down-and-joined.java").toString());
        assertEquals(0, r.status(), r.out() + r.err());
    }

    @Test
    void rulesAndExplainKnowTheJavaRules() {
        AnalyzeCommandTest.Run rules = AnalyzeCommandTest.run("rules");
        assertTrue(rules.out().contains("blocking-call-under-lock") && rules.out().contains("stack-address-to-thread"),
                rules.out());
        AnalyzeCommandTest.Run explain = AnalyzeCommandTest.run("explain", "executor-never-shut-down");
        assertEquals(0, explain.status(), explain.err());
        assertTrue(explain.out().contains("language: Java") && explain.out().contains("## Bad"), explain.out());
    }
}
