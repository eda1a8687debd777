package interleave.engine.tests.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.ProgramModel;
import interleave.engine.analysis.SourceFile;
import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.ConcurrencyFixes;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.Fix;
import interleave.engine.finding.SourceRange;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.Language;

/**
 * A front end for a language that is not C, made up for tests: it takes {@code .fake} files, and a file's text names
 * a scenario whose concurrency facts are built by hand here (as a Java front end would derive them). No test library
 * in it: the command-line test puts it on a plain class path, found through {@code META-INF/services}.
 */
public final class FakeFrontEnd implements FrontEnd<SourceFile> {

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

    /** One program per file. */
    @Override
    public List<Program> programs(List<SourceFile> parsed, Map<Object, Object> perTree, BooleanSupplier cancelled) {
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

    /** Line {@code line} of a made-up file: every line 100 characters long. */
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

}
