package interleave.spotbugs.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.SourceFile;
import interleave.engine.external.ExternalFindings;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.spotbugs.SpotBugsChecks;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.spotbugs.BugTypes;
import interleave.spotbugs.SpotBugsAnalyzer;

/** SpotBugs through Interleave on the compiled Java samples: what it finds, where, and the merge. */
class SpotBugsAnalyzerTest {
    static final Path SOURCES = Path.of(System.getProperty("interleave.repo", "."), "sample-servers", "java");
    static List<Finding> findings;

    @BeforeAll
    static void analyzeSamples(@TempDir Path classes) throws IOException {
        List<String> args = new ArrayList<>(List.of("--release", "21", "-g", "-nowarn", "-d", classes.toString()));
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().forEach(args::add);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the samples compile");
        findings = new SpotBugsAnalyzer().analyze(List.of(classes), List.of(SOURCES), Path::toString);
    }

    /** The 1-based line of the first line of {@code file} that contains {@code text}. */
    static int lineOf(String file, String text) throws IOException {
        List<String> lines = Files.readAllLines(SOURCES.resolve(file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }

    static Optional<Finding> find(String rule, String file) {
        return findings.stream().filter(f -> f.ruleId().equals(rule) && f.location().file().endsWith("/" + file))
                .findFirst();
    }

    @Test
    void theVolatileCounterIsFoundOnItsLine() throws IOException {
        Finding f = find("spotbugs:AT_NONATOMIC_OPERATIONS_ON_SHARED_VARIABLE", "EchoPoolCounter.java").orElseThrow(
                () -> new AssertionError("no counter finding in " + findings));
        assertEquals(lineOf("EchoPoolCounter.java", "linesEchoed++; // BUG"), f.location().startLine());
        assertTrue(f.message().contains("linesEchoed") && f.message().contains("interleave explain "
                + BugTypes.UNSYNCHRONIZED_SHARED_WRITE), f.message());
        assertEquals(Path.of(f.location().file()), SOURCES.resolve("EchoPoolCounter.java"), "the source file");
    }

    @Test
    void theSleepUnderTheMonitorIsFound() throws IOException {
        Finding f = find("spotbugs:SWL_SLEEP_WITH_LOCK_HELD", "Deadlock.java").orElseThrow(
                () -> new AssertionError("no sleep finding in " + findings));
        assertEquals(lineOf("Deadlock.java", "Thread.sleep(sleepMillis);"), f.location().startLine());
        assertEquals(Severity.WARNING, f.severity());
    }

    @Test
    void nothingOnTheCorrectSamples() {
        for (String correct : List.of("EchoThread.java", "EchoPool.java", "EchoNio.java", "SampleServer.java")) {
            assertEquals(List.of(), findings.stream().filter(f -> f.location().file().endsWith("/" + correct))
                    .toList(), correct);
        }
    }

    @Test
    void findingsOfOtherCategoriesAreLeftOut() {
        // SpotBugs alone reports these on the samples (bad practice, style): not thread or resource bugs
        for (String other : List.of("DE_MIGHT_IGNORE", "DM_EXIT", "RV_RETURN_VALUE_IGNORED_BAD_PRACTICE", "USO_")) {
            assertTrue(findings.stream().noneMatch(f -> f.ruleId().startsWith(SpotBugsAnalyzer.PREFIX + other)),
                    other + " in " + findings);
        }
    }

    @Test
    void aFindingInterleaveAlsoHasIsMergedOnce() throws IOException {
        Finding spot = find("spotbugs:AT_NONATOMIC_OPERATIONS_ON_SHARED_VARIABLE", "EchoPoolCounter.java")
                .orElseThrow();
        Finding own = Finding.of(BugTypes.UNSYNCHRONIZED_SHARED_WRITE, Severity.WARNING, "linesEchoed++ unlocked",
                SourceRange.line(spot.location().file(), spot.location().startLine()), List.of(), List.of(), "x");
        ExternalFindings.Merge m = ExternalFindings.merge(List.of(own), findings, new SpotBugsAnalyzer());
        assertEquals(List.of(spot), m.duplicates());
        assertEquals(findings.size(), m.findings().size(), "own kept, its SpotBugs twin dropped");
        assertTrue(m.findings().contains(own));
        // without Interleave's finding nothing of SpotBugs' is dropped
        assertEquals(findings.size(), ExternalFindings.merge(List.of(), findings, new SpotBugsAnalyzer()).findings()
                .size());
    }

    @Test
    void everyFindingIsOfACheckTheRegistryKnows() {
        Set<String> checks = new HashSet<>();
        new SpotBugsChecks().checks().forEach(d -> checks.add(d.id()));
        assertFalse(findings.isEmpty());
        for (Finding f : findings) {
            assertTrue(checks.contains(f.ruleId()), f.ruleId() + " has no check (rules, explain and SARIF miss it)");
        }
    }

    @Test
    void settingsAndIgnoreCommentsApplyToSpotBugsFindings() throws Exception {
        Finding sleep = find("spotbugs:SWL_SLEEP_WITH_LOCK_HELD", "Deadlock.java").orElseThrow();
        AnalysisResult none = new AnalysisResult(List.of(), List.of(), List.of());
        AnalysisResult off = ExternalFindings.mergeInto(none, findings, new SpotBugsAnalyzer(),
                Settings.parse("spotbugs:SWL_SLEEP_WITH_LOCK_HELD = off\n", "test"), f -> null);
        List<Finding> others = findings.stream().filter(f -> !f.ruleId().equals(sleep.ruleId())).toList();
        assertEquals(ExternalFindings.merge(List.of(), others, new SpotBugsAnalyzer()).findings(), off.findings());
        assertFalse(off.findings().contains(sleep));
        AnalysisResult error = ExternalFindings.mergeInto(none, List.of(sleep), new SpotBugsAnalyzer(),
                Settings.parse("spotbugs:SWL_SLEEP_WITH_LOCK_HELD = error\n", "test"), f -> null);
        assertEquals(Severity.ERROR, error.findings().get(0).severity());
        // the user's comment on the finding's line, in the file the finding names
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(sleep.location().file())));
        int at = sleep.location().startLine() - 1;
        lines.set(at, lines.get(at) + " // interleave-ignore: spotbugs:SWL_SLEEP_WITH_LOCK_HELD the demo's deadlock");
        SourceFile commented = SourceFile.of(sleep.location().file(), String.join("\n", lines));
        AnalysisResult silenced = ExternalFindings.mergeInto(none, findings, new SpotBugsAnalyzer(),
                Settings.defaults(), f -> f.equals(commented.path()) ? commented : null);
        assertFalse(silenced.findings().contains(sleep));
        assertEquals(List.of(sleep), silenced.suppressed().stream().map(s -> s.finding()).toList());
        assertEquals("the demo's deadlock", silenced.suppressed().get(0).justification());
        // a setting naming a pattern SpotBugs does not have, once its checks are registered
        SpotBugsChecks provider = new SpotBugsChecks();
        interleave.engine.rules.CheckProviders.register(provider);
        try {
            AnalysisResult typo = ExternalFindings.mergeInto(none, List.of(), new SpotBugsAnalyzer(),
                    Settings.parse("spotbugs:RU_INVOKE_RUNN = off\n", "test"), f -> null);
            assertTrue(typo.notifications().get(0).message().contains("no SpotBugs check 'spotbugs:RU_INVOKE_RUNN'"),
                    typo.notifications().toString());
            assertTrue(RuleRegistry.descriptor("spotbugs:RU_INVOKE_RUN").isPresent());
        } finally {
            interleave.engine.rules.CheckProviders.unregister(provider);
        }
    }
}
