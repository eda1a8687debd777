package interleave.engine.tests.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import interleave.engine.analysis.SourceFile;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.tests.Fixtures;
import interleave.java.JavaProgram;

/**
 * The Java front end's neutral concurrency facts on the fixtures of the two rules written once over them. Each
 * {@code // expect:} line of those fixtures must be derivable from the facts the way the neutral rules read them
 * (a cycle of program-wide locks, each taken while holding the other; a non-atomic write, without a lock common to
 * every concurrent access, by an entry that runs concurrently with another access), and the good fixtures must give
 * none.
 */
class JavaConcurrencyFactsTest {

    static JavaProgram parse(Path... files) throws Exception {
        Map<Path, SourceFile> sources = new LinkedHashMap<>();
        for (Path f : files) {
            sources.put(f, SourceFile.of(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
        }
        return JavaProgram.parse(List.of(files), sources, List.of());
    }

    static Path fixture(String rule, String file) {
        return Fixtures.root().resolve("java").resolve(rule).resolve(file);
    }

    /** "file:line" of every acquisition that closes a cycle of two program-wide locks. */
    static TreeSet<String> inversions(ConcurrencyFacts facts) {
        TreeSet<String> out = new TreeSet<>();
        for (LockAcquisition a : facts.acquisitions()) {
            if (!a.lock().programWide() || a.tryLock()) {
                continue;
            }
            for (LockRef h : a.held().keySet()) {
                if (!h.programWide()) {
                    continue;
                }
                for (LockAcquisition b : facts.acquisitions()) {
                    if (b.lock().equals(h) && !b.tryLock() && b.held().containsKey(a.lock())
                            && a.entry().concurrentWith(b.entry())) {
                        // once per cycle, where the rule reports it: the later of the two first locks
                        var x = a.held().get(h);
                        var y = b.held().get(a.lock());
                        var later = x.file().compareTo(y.file()) != 0 ? (x.file().compareTo(y.file()) > 0 ? x : y)
                                : x.startOffset() >= y.startOffset() ? x : y;
                        out.add(later.file() + ":" + later.startLine());
                    }
                }
            }
        }
        return out;
    }

    /** "file:line" of every non-atomic write that races with an access of a concurrent entry sharing no lock. */
    static TreeSet<String> racyWrites(ConcurrencyFacts facts) {
        TreeSet<String> out = new TreeSet<>();
        for (SharedAccess w : facts.accesses()) {
            if (!w.write() || w.atomic()) {
                continue;
            }
            for (SharedAccess o : facts.accesses()) {
                boolean concurrent = o == w ? w.entry().multiple()
                        : w.entry().concurrentWith(o.entry()) && !o.entry().equals(w.entry())
                                || o.entry().equals(w.entry()) && w.entry().multiple();
                if (o.variable().key().equals(w.variable().key()) && concurrent
                        && w.held().stream().noneMatch(o.held()::contains)) {
                    out.add(w.site().file() + ":" + w.site().startLine());
                }
            }
        }
        return out;
    }

    static TreeSet<String> expected(Path file, String rule) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("expect: " + rule)) {
                out.add(file.getFileName() + ":" + (i + 1));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> lockOrderFixturesGiveTheirCyclesAndNoOthers() throws IOException {
        return facts("lock-order-inversion", JavaConcurrencyFactsTest::inversions);
    }

    @TestFactory
    Stream<DynamicTest> sharedWriteFixturesGiveTheirRacyWritesAndNoOthers() throws IOException {
        return facts("unsynchronized-shared-write", JavaConcurrencyFactsTest::racyWrites);
    }

    private Stream<DynamicTest> facts(String rule, java.util.function.Function<ConcurrencyFacts, TreeSet<String>> f)
            throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.root().resolve("java").resolve(rule))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                tests.add(dynamicTest(file.getFileName().toString(), () -> {
                    ConcurrencyFacts facts = parse(file).concurrency();
                    assertEquals(String.join("\n", expected(file, rule)), String.join("\n", f.apply(facts)),
                            "facts of " + file.getFileName() + ": " + facts);
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void entriesSayWhatStartsThemAndWhetherTheyRunMoreThanOnce() throws Exception {
        ConcurrencyFacts pool = parse(fixture("unsynchronized-shared-write", "bad-volatile-counter.java")).concurrency();
        List<String> entries = pool.entries().stream().map(e -> e.kind() + " " + e.name() + " multiple="
                + e.multiple() + " program=" + e.program()).sorted().toList();
        assertEquals(List.of("MAIN BadVolatileCounter.main multiple=false program=BadVolatileCounter",
                "TASK lambda in BadVolatileCounter.main multiple=true program=BadVolatileCounter"), entries);

        ConcurrencyFacts monitors = parse(fixture("lock-order-inversion", "bad-two-monitors.java")).concurrency();
        List<String> threads = monitors.entries().stream().filter(e -> e.kind() == EntryPoint.Kind.THREAD)
                .map(e -> e.name() + " multiple=" + e.multiple()).sorted().toList();
        assertEquals(List.of("BadTwoMonitors.deposit multiple=false", "BadTwoMonitors.report multiple=false"),
                threads);
        // the acquisition of audit inside deposit holds accounts, with the call from the thread's entry
        LockAcquisition audit = monitors.acquisitions().stream()
                .filter(a -> a.lock().display().equals("audit") && a.entry().name().equals("BadTwoMonitors.deposit"))
                .findFirst().orElseThrow();
        assertEquals(List.of("accounts"), audit.held().keySet().stream().map(LockRef::display).toList());
        assertTrue(audit.lock().programWide());
    }

    @Test
    void readWriteLocksVolatileWritesAndPerTaskObjects() throws Exception {
        Path dir = Files.createTempDirectory("facts");
        Path file = dir.resolve("Rw.java");
        Files.writeString(file, """
                import java.util.concurrent.*;
                import java.util.concurrent.locks.*;
                public class Rw {
                    static final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
                    static volatile boolean stop;
                    static int hits;
                    static final class Job implements Runnable {
                        int own;
                        public void run() { own++; }
                    }
                    public static void main(String[] args) {
                        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                        for (int i = 0; i < 3; i++) {
                            pool.submit(() -> { rw.readLock().lock(); try { hits++; } finally { rw.readLock().unlock(); } });
                            pool.submit(new Job());
                        }
                        CompletableFuture.runAsync(() -> stop = true);
                        pool.close();
                    }
                }
                """);
        ConcurrencyFacts facts = parse(file).concurrency();
        LockAcquisition read = facts.acquisitions().stream().filter(a -> a.mode() == LockAcquisition.Mode.READ)
                .findFirst().orElseThrow();
        assertEquals("rw", read.lock().display());
        SharedAccess hits = facts.accesses().stream().filter(a -> a.variable().display().equals("Rw.hits"))
                .findFirst().orElseThrow();
        assertTrue(hits.write() && hits.readModifyWrite() && !hits.atomic());
        assertEquals(List.of("rw"), hits.held().stream().map(LockRef::display).toList());
        SharedAccess stop = facts.accesses().stream().filter(a -> a.variable().display().equals("Rw.stop"))
                .findFirst().orElseThrow();
        assertTrue(stop.write() && stop.atomic() && stop.variable().volatileDeclared(), "a plain write of a volatile"
                + " is atomic");
        assertEquals("true", stop.expression().constant());
        assertFalse(facts.accesses().stream().anyMatch(a -> a.variable().display().equals("Job.own")),
                "a Job is made per task: its fields are not shared");
        // main, the loop's lambda (several at once), Job.run (several at once), the runAsync lambda (once)
        assertEquals(List.of("MAIN false", "TASK false", "TASK true", "TASK true"), facts.entries().stream()
                .map(e -> e.kind() + " " + e.multiple()).sorted().toList());
    }

    @Test
    void virtualThreadsSubclassesMethodReferencesAndAnonymousRunnablesAreEntries() throws Exception {
        Path dir = Files.createTempDirectory("entries");
        Path file = dir.resolve("Starts.java");
        Files.writeString(file, """
                import java.util.concurrent.*;
                public class Starts {
                    static class Worker extends Thread {
                        public void run() { }
                    }
                    void serve() { }
                    void go() throws Exception {
                        Thread.ofVirtual().start(() -> serve());
                        Thread.startVirtualThread(this::serve);
                        new Worker().start();
                        new Thread(new Runnable() { public void run() { serve(); } }).start();
                        CompletableFuture.supplyAsync(() -> 1).thenApplyAsync(x -> x + 1).get();
                        try (ExecutorService v = Executors.newVirtualThreadPerTaskExecutor()) {
                            for (int i = 0; i < 2; i++) {
                                v.submit(this::serve);
                            }
                        }
                    }
                }
                """);
        ConcurrencyFacts facts = parse(file).concurrency();
        assertEquals(List.of("TASK Starts.serve multiple=true", "TASK lambda in Starts.go multiple=false",
                "TASK lambda in Starts.go multiple=false", "THREAD Starts.serve multiple=false",
                "THREAD Worker.run multiple=false", "THREAD lambda in Starts.go multiple=false",
                "THREAD new Runnable.run multiple=false"),
                facts.entries().stream().map(e -> e.kind() + " " + e.name() + " multiple=" + e.multiple()).sorted()
                        .toList());
    }
}
