package interleave.engine.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.tests.Fixtures;

/**
 * The rules written once over the neutral concurrency facts run on a model that is not C: a made-up front end whose
 * files name a scenario, each turned into hand-built facts (as a Java front end would make them; see
 * {@link FakeFrontEnd}). They go through the same {@link Analyzer} as C, beside a C file, and the C rules leave them
 * alone.
 */
class NeutralRulesTest {

    private static AnalysisResult analyze(List<SourceFile> files) {
        Analyzer analyzer = new Analyzer(List.of(FrontEnds.c(), new FakeFrontEnd()), RuleRegistry.rules(), 1,
                Settings.defaults(), null);
        AnalysisResult r = analyzer.analyze(files, Analyzer.Progress.NONE, () -> false);
        assertFalse(r.hasInputErrors(), r.notifications().toString()); // no C rule ran on (and failed on) a fake model
        return r;
    }

    private static List<Finding> findings(String scenario, String rule) {
        String file = scenario + ".fake";
        return analyze(List.of(SourceFile.of(file, scenario + "\n"))).findings().stream()
                .filter(f -> f.ruleId().equals(rule)).toList();
    }

    @Test
    void lockOrderInversionOnANonCModel() {
        List<Finding> found = findings("inversion", "lock-order-inversion");
        assertEquals(1, found.size(), found.toString());
        Finding f = found.get(0);
        assertTrue(f.message().contains("the thread running Withdraw.run() takes to and then from (through"
                + " Account.take())"), f.message());
        assertTrue(f.message().contains("the thread running Deposit.run() takes from and then to"), f.message());
        assertEquals(20, f.location().startLine(), "reported at the later first acquisition");
        assertEquals(4, f.evidence().size());
        assertEquals(21, f.evidence().get(1).range().startLine(), "the call that leaves the locking method");
        assertTrue(f.evidence().get(1).message().contains("(Withdraw.run() \u2192 Account.take())"),
                f.evidence().get(1).message());
        assertEquals(11, f.evidence().get(3).range().startLine());
    }

    @Test
    void noInversionWhenTheOrderHoldsOrNothingCanInterleave() {
        for (String s : List.of("same-order", "gated", "readers", "two-programs", "try")) {
            assertEquals(List.of(), findings(s, "lock-order-inversion"), s);
        }
    }

    @Test
    void unsynchronizedCounterOnANonCModelWithTheLanguagesFix() {
        List<Finding> found = findings("counter", "unsynchronized-shared-write");
        assertEquals(1, found.size(), found.toString());
        Finding f = found.get(0);
        assertTrue(f.message().startsWith("'count++' in Handler.run() writes the shared variable count with no lock"
                + " held, and a second thread running Handler.run() does the same"), f.message());
        assertTrue(f.message().contains("'volatile' does not help"), f.message());
        assertEquals(6, f.location().startLine());
        assertTrue(f.evidence().stream().anyMatch(n -> n.message().equals("Handler.run() is submitted as a task here"
                + " (more than one thread runs it)")), f.evidence().toString());
        assertEquals(List.of("Make count an AtomicInteger"), f.fixes().stream().map(Fix::label).toList());
    }

    @Test
    void noUnsynchronizedWriteWhenLockedAtomicAloneOrAConstantFlag() {
        for (String s : List.of("counter-locked", "counter-atomic", "counter-one-thread", "counter-flag")) {
            assertEquals(List.of(), findings(s, "unsynchronized-shared-write"), s);
        }
    }

    @Test
    void oneAnalysisTakesTwoLanguagesAndEachRuleOnlyTheModelsItReads() throws Exception {
        String c = Files.readString(Fixtures.root().resolve("c/lock-order-inversion/bad-two-threads.c"));
        AnalysisResult r = analyze(List.of(SourceFile.of("inversion.fake", "inversion\n"),
                SourceFile.of("bad-two-threads.c", c)));
        List<String> where = r.findings().stream().map(f -> f.location().file() + " " + f.ruleId()).toList();
        assertTrue(where.contains("inversion.fake lock-order-inversion"), where.toString());
        assertTrue(where.contains("bad-two-threads.c lock-order-inversion"), where.toString());
        assertTrue(r.findings().stream().filter(f -> f.location().file().endsWith(".fake"))
                .allMatch(f -> f.ruleId().equals("lock-order-inversion")), where.toString());
    }
}
