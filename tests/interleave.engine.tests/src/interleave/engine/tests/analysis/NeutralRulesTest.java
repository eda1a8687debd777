package interleave.engine.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.analysis.ProgramModel;
import interleave.engine.c.SourceFile;
import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.ConcurrencyFixes;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.SourceRange;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.tests.Fixtures;

/**
 * The rules written once over the neutral concurrency facts run on a model that is not C: a made-up front end whose
 * files name a scenario, each turned into hand-built facts (as a Java front end would make them). They go through the
 * same {@link Analyzer} as C, beside a C file, and the C rules leave them alone.
 */
class NeutralRulesTest {

    /** A model that is not C: only its neutral facts, and a fix of its own language. */
    record FakeModel(String name, ConcurrencyFacts concurrency) implements ProgramModel {
        @Override
        public Language language() {
            return Language.JAVA;
        }

        @Override
        public ConcurrencyFixes concurrencyFixes() {
            return (write, accesses) -> List.of(new Fix("Make " + write.variable().display() + " an AtomicInteger",
                    List.of(new TextEdit(write.site().file(), write.site().startOffset(), write.site().endOffset(),
                            "count.incrementAndGet()"))));
        }
    }

    /** Takes {@code .fake} files; a file's text names the scenario its facts come from. */
    static final class FakeFrontEnd implements FrontEnd<SourceFile> {
        @Override
        public Language language() {
            return Language.JAVA;
        }

        @Override
        public List<String> extensions() {
            return List.of(".fake");
        }

        @Override
        public Parser<SourceFile> openParser() {
            return new Parser<>() {
                @Override
                public SourceFile parse(SourceFile file) {
                    return file;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public SourceFile source(SourceFile parsed) {
            return parsed;
        }

        @Override
        public List<Program> programs(List<SourceFile> parsed, Map<Object, Object> perTree,
                BooleanSupplier cancelled) {
            List<Program> out = new ArrayList<>();
            for (SourceFile f : parsed) {
                out.add(new Program() {
                    @Override
                    public Object key() {
                        return f;
                    }

                    @Override
                    public ProgramModel model() {
                        return new FakeModel(f.path(), scenario(f.path(), f.text().trim()));
                    }

                    @Override
                    public String mainFile() {
                        return f.path();
                    }

                    @Override
                    public String mainName() {
                        return f.path();
                    }

                    @Override
                    public SourceRange mainLocation() {
                        return line(f.path(), 1);
                    }
                });
            }
            return out;
        }
    }

    static SourceRange line(String file, int line) {
        return new SourceRange(file, line, 5, line, 20, line * 100 + 4, line * 100 + 19);
    }

    private static final LockRef FROM = new LockRef("Account.from", "from", true);
    private static final LockRef TO = new LockRef("Account.to", "to", true);
    private static final LockRef BANK = new LockRef("Bank.class", "Bank.class", true);

    /** Hand-built facts: what a front end would say about a few small programs. */
    static ConcurrencyFacts scenario(String file, String name) {
        EntryPoint main = new EntryPoint(file + "#main", "Server.main", EntryPoint.Kind.MAIN, false, file,
                line(file, 1));
        EntryPoint deposit = new EntryPoint(file + "#deposit", "Deposit.run", EntryPoint.Kind.THREAD, false, file,
                line(file, 2));
        EntryPoint withdraw = new EntryPoint(file + "#withdraw", "Withdraw.run", EntryPoint.Kind.THREAD, false, file,
                line(file, 3));
        EntryPoint pool = new EntryPoint(file + "#task", "Handler.run", EntryPoint.Kind.TASK, true, file,
                line(file, 4));
        EntryPoint otherProgram = new EntryPoint("other#withdraw", "Withdraw.run", EntryPoint.Kind.THREAD, false,
                "other", line(file, 3));
        List<LockAcquisition> locks = new ArrayList<>();
        List<SharedAccess> accesses = new ArrayList<>();
        switch (name) {
        case "inversion", "same-order", "gated", "readers", "two-programs", "try" -> {
            Map<LockRef, SourceRange> gate = new LinkedHashMap<>();
            if (name.equals("gated")) {
                gate.put(BANK, line(file, 9));
            }
            boolean read = name.equals("readers");
            LockAcquisition.Mode mode = read ? LockAcquisition.Mode.READ : LockAcquisition.Mode.EXCLUSIVE;
            Map<LockRef, SourceRange> held1 = new LinkedHashMap<>(gate);
            held1.put(FROM, line(file, 10));
            locks.add(new LockAcquisition(deposit, TO, mode, false, line(file, 11), held1, List.of()));
            boolean same = name.equals("same-order");
            Map<LockRef, SourceRange> held2 = new LinkedHashMap<>(gate);
            held2.put(same ? FROM : TO, line(file, 20));
            EntryPoint second = name.equals("two-programs") ? otherProgram : withdraw;
            // the second thread takes its inner lock in a helper: the note points at the call into it
            locks.add(new LockAcquisition(second, same ? TO : FROM, mode, name.equals("try"), line(file, 30), held2,
                    List.of(new CallStep("Withdraw.run", "Account.take", line(file, 21),
                            new SourceRange(file, 19, 1, 25, 1, 1900, 2600)))));
        }
        case "counter", "counter-locked", "counter-atomic", "counter-one-thread", "counter-flag" -> {
            SharedAccess.Variable count = new SharedAccess.Variable("Stats.count", "count", line(file, 5), "count",
                    true, null);
            boolean locked = name.equals("counter-locked");
            boolean flag = name.equals("counter-flag");
            EntryPoint who = name.equals("counter-one-thread") ? deposit : pool;
            SharedAccess.Expression expr = flag ? new SharedAccess.Expression(line(file, 6), "count = 1", "1")
                    : new SharedAccess.Expression(line(file, 6), "count++", null);
            accesses.add(new SharedAccess(who, count, line(file, 6), true, !flag, name.equals("counter-atomic"),
                    locked ? Set.of(BANK) : Set.of(), List.of(), expr));
            accesses.add(new SharedAccess(main, count, line(file, 7), false, false, false, Set.of(), List.of(),
                    null));
        }
        default -> throw new IllegalArgumentException(name);
        }
        return new ConcurrencyFacts(List.of(main, deposit, withdraw, pool), locks, accesses, false);
    }

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
