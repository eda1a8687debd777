package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.detectors.DynamicDetector;
import interleave.engine.detectors.ObservedZombies;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.RecordType;
import interleave.engine.trace.TraceRun;

/**
 * Each buggy sample's trace gives its finding; each correct sample's trace gives none. Some buggy samples show a
 * second, consequential finding (the parent that keeps connections also exits with them open); those are listed too,
 * so every finding of every fixture is expected.
 */
class DetectorTest {
    private static final Map<String, Set<String>> EXPECTED = Map.ofEntries(
            Map.entry("race", Set.of("observed-argument-race")),
            Map.entry("echo-thread-stackarg", Set.of("observed-argument-race", "observed-connection-open-at-exit")),
            Map.entry("echo-process-noreap", Set.of("observed-zombies")),
            Map.entry("echo-process-ifreap", Set.of("observed-lost-sigchld", "observed-zombies")),
            Map.entry("echo-process-noclose",
                    Set.of("observed-connection-kept-after-fork", "observed-connection-open-at-exit")),
            Map.entry("echo-thread-nodetach", Set.of("observed-thread-not-joined-or-detached")),
            Map.entry("deadlock", Set.of("observed-lock-order-deadlock")),
            // before it hung the handler had already re-entered printf (the recursive stdio lock let it in); the
            // children that exited while the parent was stuck in its handler are the deadlock's consequence, not
            // zombies of a parent that does not wait()
            Map.entry("fork-printf-handler", Set.of("observed-signal-handler-deadlock",
                    "observed-handler-reentered-unsafe-call")),
            // the same two bugs traced without --stdio (format 1.1): the handler-entry record says what the signal
            // interrupted, and the handler's own printf/malloc are recorded
            Map.entry("fork-printf-nostdio", Set.of("observed-handler-reentered-unsafe-call")),
            Map.entry("fork-printf-malloc-nostdio", Set.of("observed-signal-handler-deadlock")),
            // correct: workers created detached through their attr, or joined with pthread_timedjoin_np
            Map.entry("thread-attrs", Set.of()),
            // the default printf-only mode: the handler re-enters printf and glibc lets it (corrupted output)
            Map.entry("fork-printf-reentry", Set.of("observed-handler-reentered-unsafe-call")),
            // the same inversion in a run that finished: predicted from both threads' lock-order edges
            Map.entry("deadlock-lucky", Set.of("observed-lock-order-inversion")),
            Map.entry("deadlock-ordered", Set.of()),
            Map.entry("echo-iterative", Set.of()),
            Map.entry("echo-select", Set.of()),
            Map.entry("echo-process", Set.of()),
            Map.entry("echo-thread", Set.of()),
            // format 1.2, the argument watchpoint: what each thread read at its first access
            Map.entry("race-watch", Set.of("observed-argument-race")),
            Map.entry("race-nowatch", Set.of("observed-argument-race")),
            Map.entry("echo-thread-stackarg-watch",
                    Set.of("observed-argument-race", "observed-connection-open-at-exit")),
            // &niters shared read-only by both threads: the value never changes, so it is no argument race
            Map.entry("badcnt", Set.of()),
            // format 1.3: cnt watched in every thread; stores from both threads with no lock / all under cnt_lock
            Map.entry("badcnt-watched", Set.of("observed-unsynchronized-write")),
            Map.entry("goodcnt-watched", Set.of()),
            // the iterative server with a second client waiting for the first (interleave experiment second-client)
            Map.entry("echo-iterative-second-client", Set.of()));

    static List<Finding> findings(String name) {
        TraceRun run = Traces.read(name);
        return DetectorRegistry.detectAll(run, TimelineModel.build(run));
    }

    @ParameterizedTest
    @ValueSource(strings = {"race", "echo-thread-stackarg", "echo-process-noreap", "echo-process-ifreap",
            "echo-process-noclose", "echo-thread-nodetach", "deadlock", "fork-printf-handler", "fork-printf-reentry",
            "deadlock-ordered", "deadlock-lucky", "fork-printf-nostdio", "fork-printf-malloc-nostdio", "thread-attrs",
            "echo-iterative", "echo-select", "echo-process", "echo-thread", "race-watch", "race-nowatch",
            "echo-thread-stackarg-watch", "badcnt", "badcnt-watched", "goodcnt-watched",
            "echo-iterative-second-client"})
    void traceGivesExactlyItsFindings(String name) {
        List<Finding> found = findings(name);
        TreeSet<String> ids = new TreeSet<>();
        for (Finding f : found) {
            ids.add(f.ruleId());
            assertTrue(f.moment().isPresent(), "a dynamic finding has its moment: " + f);
            assertTrue(f.moment().get().timeNanos() >= 0, f.toString());
        }
        assertEquals(new TreeSet<>(EXPECTED.get(name)), ids, name + ": " + found);
        assertEquals(ids.size(), found.size(), "one finding per site in these small runs: " + found);
    }

    @Test
    void everyFixtureIsListed() {
        for (String name : Traces.runNames()) {
            assertTrue(EXPECTED.containsKey(name), "fixture without expectations: " + name);
        }
    }

    private static Finding only(String trace, String rule) {
        return findings(trace).stream().filter(f -> f.ruleId().equals(rule)).findFirst().orElseThrow();
    }

    @Test
    void raceReportsHowManyThreadsSawAChangedValueAndTheHistogram() {
        Finding f = only("race", "observed-argument-race");
        Matcher m = Pattern.compile("(\\d+) of 20 threads created here saw a changed argument.*values seen by the"
                + " threads: ([0-9×, -]+); values at thread start\\)").matcher(f.message());
        assertTrue(m.find(), f.message());
        int total = 0;
        for (String bar : m.group(2).split(", ")) {
            total += Integer.parseInt(bar.substring(bar.indexOf('×') + 1));
        }
        assertEquals(20, total, "the histogram counts every thread");
        assertTrue(Integer.parseInt(m.group(1)) > 0);
        assertEquals(2, f.evidence().size(), "start routine and the first thread that saw a change");
    }

    /** "v×n" pairs of a finding's histogram. */
    private static java.util.TreeMap<Integer, Integer> histogramOf(String message) {
        Matcher m = Pattern.compile("values seen by the threads: ([0-9×, -]+);").matcher(message);
        assertTrue(m.find(), message);
        java.util.TreeMap<Integer, Integer> h = new java.util.TreeMap<>();
        for (String bar : m.group(1).split(", ")) {
            h.put(Integer.parseInt(bar.substring(0, bar.indexOf('×'))), Integer.parseInt(bar.substring(bar.indexOf('×') + 1)));
        }
        return h;
    }

    /** The histogram race.c printed itself ("i=  10..  19: 0 0 3 ..." rows), as value → threads, zeros left out. */
    private static java.util.TreeMap<Integer, Integer> programHistogram(String run) throws java.io.IOException {
        java.util.TreeMap<Integer, Integer> h = new java.util.TreeMap<>();
        Matcher row = Pattern.compile("i=\\s*(\\d+)\\.\\.\\s*\\d+:((?: \\d+)+)").matcher(
                java.nio.file.Files.readString(Traces.dir(run).resolve("program-output.txt")));
        while (row.find()) {
            int v = Integer.parseInt(row.group(1));
            for (String n : row.group(2).trim().split(" ")) {
                if (Integer.parseInt(n) > 0) {
                    h.put(v, Integer.parseInt(n));
                }
                v++;
            }
        }
        return h;
    }

    @Test
    void theWatchpointHistogramIsWhatTheProgramItselfCounted() throws java.io.IOException {
        Finding f = only("race-watch", "observed-argument-race");
        assertEquals(programHistogram("race-watch"), histogramOf(f.message()), f.message());
        assertTrue(f.message().contains("each the value the thread read at its first access, caught by a hardware"
                + " watchpoint"), f.message());
        assertTrue(f.evidence().stream().anyMatch(r -> r.message().matches("thread \\d+ read -?\\d+ here .*")),
                "the instruction that read: " + f.evidence());
    }

    @Test
    void cpuRecordsGiveEveryEventItsCpuAndTheTimelineShowsIt() {
        TraceRun run = Traces.read("race-watch");
        for (var t : run.threads()) {
            assertTrue(t.cpu(0) >= 0, "first event of " + t + " has a CPU");
            for (int i = 0; i < t.size(); i++) {
                assertTrue(t.type(i) != RecordType.CPU, "CPU records are not events");
            }
        }
        TimelineModel model = TimelineModel.build(run);
        boolean shown = false;
        for (var row : model.rows()) {
            shown |= model.spans(row.id(), 0, model.durationNs()).stream().anyMatch(sp -> sp.detail().contains("cpu "))
                    || model.instants(row.id(), 0, model.durationNs()).stream()
                            .anyMatch(in -> in.label().contains(", cpu "));
        }
        assertTrue(shown, "tooltips say which CPU");
        // a 1.0 trace has no CPU records: nothing is made up
        assertEquals(-1, Traces.read("race").threads().get(0).cpu(0));
    }

    @Test
    void withoutWatchpointsTheReportSaysItShowsStartValues() {
        Finding f = only("race-nowatch", "observed-argument-race");
        assertTrue(f.message().contains("values at thread start (watchpoints unavailable)"), f.message());
    }

    @Test
    void zombiesReportCountAndPeakAndTheThresholdIsAnOption() {
        Finding f = only("echo-process-noreap", "observed-zombies");
        assertTrue(f.message().startsWith("12 of 12 children stayed zombies longer than 100 ms"), f.message());
        assertTrue(f.message().contains("at the peak 12 zombies existed at once"), f.message());
        TraceRun run = Traces.read("echo-process-noreap");
        List<Finding> lenient = new ArrayList<>();
        TimelineModel lm = TimelineModel.build(run);
        new ObservedZombies(Duration.ofSeconds(30)).detect(lm.events(), interleave.engine.detectors.Locations.of(lm), lenient::add);
        assertEquals(List.of(), lenient, "nobody waited 30 s here");
    }

    @Test
    void lostSigchldCountsExitsHandlerRunsAndReaps() {
        Finding f = only("echo-process-ifreap", "observed-lost-sigchld");
        Matcher m = Pattern.compile("^(\\d+) children exited but the SIGCHLD handler ran only (\\d+) times and reaped"
                + " (\\d+) of them; (\\d+) were left").matcher(f.message());
        assertTrue(m.find(), f.message());
        int exited = Integer.parseInt(m.group(1)), runs = Integer.parseInt(m.group(2));
        int reaped = Integer.parseInt(m.group(3)), left = Integer.parseInt(m.group(4));
        assertEquals(40, exited);
        assertTrue(runs < exited);
        assertEquals(exited, reaped + left);
    }

    @Test
    void handlerDeadlockPointsAtTheCallInsideTheHandlerWithTheInterruptedCallAsEvidence() {
        Finding f = only("fork-printf-handler", "observed-signal-handler-deadlock");
        assertTrue(f.message().contains("the SIGCHLD handler interrupted malloc and called malloc"), f.message());
        assertEquals(3, f.evidence().size());
        assertTrue(f.evidence().get(0).message().startsWith("malloc was called here and was interrupted by SIGCHLD"));
    }

    @Test
    void withoutStdioTheHandlerEntryTellsWhatWasInterrupted() {
        Finding f = only("fork-printf-nostdio", "observed-handler-reentered-unsafe-call");
        assertTrue(f.message().startsWith("the SIGCHLD handler of pid "), f.message());
        assertTrue(f.evidence().get(0).message().startsWith("the thread was inside printf/stdio here when SIGCHLD"
                + " arrived"), f.evidence().get(0).message());
        Finding d = only("fork-printf-malloc-nostdio", "observed-signal-handler-deadlock");
        assertTrue(d.message().contains("the SIGCHLD handler interrupted malloc and called malloc"), d.message());
        // no stdio/heap records outside handlers in these runs: the evidence is the mark on the handler entry
        TraceRun run = Traces.read("fork-printf-malloc-nostdio");
        var main = run.images().get(0).mainThread().orElseThrow();
        int depth = 0, outside = 0, marked = 0;
        for (int i = 0; i < main.size(); i++) {
            int type = main.type(i);
            if (type == RecordType.SIGNAL_HANDLER) {
                depth += main.phase(i) == RecordType.ENTER ? 1 : -1;
                marked += main.phase(i) == RecordType.ENTER && main.flags(i) != 0 ? 1 : 0;
            } else if ((type == RecordType.STDIO || type == RecordType.MALLOC || type == RecordType.FREE)
                    && depth == 0) {
                outside++;
            }
        }
        assertEquals(0, outside, "stdio/heap calls outside handlers are not recorded without --stdio");
        assertTrue(marked > 0);
    }

    @Test
    void aParentStuckInItsHandlerIsNotBlamedForNotWaiting() {
        // fork-printf-handler deadlocked in its SIGCHLD handler; children kept exiting until the watchdog
        TraceRun run = Traces.read("fork-printf-handler");
        TimelineModel model = TimelineModel.build(run);
        List<Finding> found = new ArrayList<>();
        new ObservedZombies().detect(model.events(), interleave.engine.detectors.Locations.of(model), found::add);
        assertEquals(List.of(), found, "every child left unreaped exited after the parent got stuck in its handler");
        // with a strict threshold the children reaped a little late before the deadlock count, the others are set
        // apart by name
        new ObservedZombies(Duration.ofMillis(1)).detect(model.events(), interleave.engine.detectors.Locations.of(model), found::add);
        assertEquals(1, found.size());
        Matcher m = Pattern.compile("\\((\\d+) never reaped while the parent ran.*; (\\d+) more exited after the"
                + " parent got stuck in its SIGCHLD handler [0-9.]+ s into the run and are not counted")
                .matcher(found.get(0).message());
        assertTrue(m.find(), found.get(0).message());
        assertEquals("0", m.group(1));
        assertTrue(Integer.parseInt(m.group(2)) > 0);
        // while a parent that is not stuck is still blamed
        assertTrue(only("echo-process-noreap", "observed-zombies").message()
                .contains("the parent does not wait() for its children when they exit"));
    }

    @Test
    void detachedAttrsAndTimedJoinsReleaseThreadsAndNamesLabelTheLanes() {
        TraceRun run = Traces.read("thread-attrs");
        var img = run.images().get(0);
        long detachedByAttr = img.threads().stream().filter(t -> t.createdDetached()).count();
        assertEquals(8, detachedByAttr);
        TimelineModel model = TimelineModel.build(run);
        List<String> labels = model.rows().stream().map(r -> r.label()).toList();
        for (int i = 0; i < 16; i++) {
            String name = "worker-" + i;
            assertTrue(labels.stream().anyMatch(l -> l.contains(" " + name + " (")), name + " in " + labels);
        }
    }

    /** A run of two threads: main creates one whose argument's first 8 bytes are {@code atStart} when it starts. */
    private static List<Finding> argumentRun(Path dir, long atStart) {
        long t0 = 1_000_000_000L, fn = 0x401000, arg = 0x7ffd0000L;
        Traces.Writer main = new Traces.Writer(1, 100, 100, t0, "");
        main.record(RecordType.THREAD_CREATE, RecordType.ENTER, 16, t0 + 10, 0x401234, fn, arg, 1, 0, 0);
        main.record(RecordType.THREAD_CREATE, RecordType.EXIT, 0, t0 + 20, 0x401234, 0x7f0000000000L + 101, arg, 1);
        main.write(dir.resolve("100-100.trace"), 0);
        Traces.Writer th = new Traces.Writer(0, 100, 101, t0, "").created(100, 1);
        th.record(RecordType.THREAD_START, RecordType.POINT, 16, t0 + 30, 0, fn, arg, 1, atStart, 0);
        th.record(RecordType.THREAD_EXIT, RecordType.POINT, 1, t0 + 40, 0, 0);
        th.write(dir.resolve("100-101.trace"), 0);
        try {
            TraceRun run = interleave.engine.trace.TraceReader.read(dir);
            List<Finding> out = new ArrayList<>();
            TimelineModel tm = TimelineModel.build(run);
            new interleave.engine.detectors.ObservedArgumentRace().detect(tm.events(),
                    interleave.engine.detectors.Locations.of(tm), out::add);
            return out;
        } catch (interleave.engine.trace.TraceException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theHandleStoredByPthreadCreateIntoTheArgumentIsNoRace(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        // pthread_create(&arg->tid, NULL, fn, arg): the new thread finds its own pthread_t at *arg
        assertEquals(List.of(), argumentRun(java.nio.file.Files.createDirectories(tmp.resolve("handle")),
                0x7f0000000000L + 101));
        // any other change is the creator's
        assertEquals(1, argumentRun(java.nio.file.Files.createDirectories(tmp.resolve("other")), 5).size());
    }

    @Test
    void unsynchronizedWriteNamesTheVariableTheWritersAndTheValuesTheyRead() throws java.io.IOException {
        Finding f = only("badcnt-watched", "observed-unsynchronized-write");
        String m = f.message();
        assertTrue(m.startsWith("'cnt' was written by 2 threads with no lock held in common (thread "), m);
        assertTrue(m.contains("no lock held at any write"), m);
        Matcher writes = Pattern.compile("thread (\\d+): (\\d+) writes, thread (\\d+): (\\d+) writes").matcher(m);
        assertTrue(writes.find(), m);
        assertFalse(writes.group(1).equals(writes.group(3)), "two writers");
        assertTrue(m.contains("values read: thread "), m);
        // the committed run lost increments (the program says so), and the trace shows how
        assertTrue(java.nio.file.Files.readString(Traces.dir("badcnt-watched").resolve("program-output.txt"))
                .contains("BOOM"));
        Matcher lost = Pattern.compile("e\\.g\\. thread (\\d+) read (\\d+) and wrote (\\d+) while thread (\\d+) read (\\d+)"
                + " and wrote (\\d+)").matcher(m);
        assertTrue(lost.find(), "an overlapping read-modify-write pair: " + m);
        assertFalse(lost.group(1).equals(lost.group(4)), m);
        assertEquals(Long.parseLong(lost.group(2)) + 1, Long.parseLong(lost.group(3)), "cnt++ stores what it read + 1");
        assertEquals(Long.parseLong(lost.group(5)) + 1, Long.parseLong(lost.group(6)), "cnt++ stores what it read + 1");
        assertEquals(4, f.evidence().size(), "each thread of the pair: its load and its store");
        assertTrue(f.evidence().stream().allMatch(r -> r.message().matches("thread \\d+ (read|wrote) \\d+ here .*")),
                f.evidence().toString());
    }

    @Test
    void everyWriteUnderTheSameMutexIsNoFindingButTheWritesWereSeen() {
        TraceRun run = Traces.read("goodcnt-watched");
        // the absence of a finding means something only if both workers' stores were recorded, each with the lock,
        // and main's unlocked stores (before pthread_create, after pthread_join) too
        Map<Integer, Integer> lockedWrites = new java.util.HashMap<>();
        Set<Long> locks = new HashSet<>();
        int mainUnlocked = 0;
        for (var img : run.images()) {
            for (var t : img.threads()) {
                for (int i = 0; i < t.size(); i++) {
                    if (t.type(i) == RecordType.VAR_WATCH && (t.flags(i) & 0xf) == RecordType.VW_WRITTEN) {
                        int held = (int) ((t.arg(i, 3) >>> 48) & 0xff);
                        if (t.isMainThread()) {
                            assertEquals(0, held, "main stores without the lock");
                            mainUnlocked++;
                            continue;
                        }
                        assertEquals(1, held, "one lock held at the store");
                        locks.add(t.arg(i, 4));
                        lockedWrites.merge(t.tid(), 1, Integer::sum);
                    }
                }
            }
        }
        assertEquals(2, lockedWrites.size(), "stores from both workers: " + lockedWrites);
        assertEquals(1, locks.size(), "all under one mutex: " + locks);
        assertEquals(2, mainUnlocked, "cnt = 0 before the workers and after the joins");
        assertEquals(List.of(), findings("goodcnt-watched"));
    }

    @Test
    void aWriterThatSkipsTheLockMakesTheMutexNoCommonLock(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        // goodcnt-watched with one worker's stores rewritten as made without the lock
        Path dir = Traces.copy("goodcnt-watched", tmp.resolve("one-unlocked"));
        TraceRun run = Traces.read("goodcnt-watched");
        var worker = run.images().get(0).threads().stream().filter(t -> !t.isMainThread()).findFirst().orElseThrow();
        Path file = dir.resolve(Path.of(worker.file()).getFileName());
        byte[] data = java.nio.file.Files.readAllBytes(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int changed = 0;
        for (int off = 4096; off + 64 <= data.length; off += 64) {
            int kind = data[off + 3] & 0xf;
            if ((b.getShort(off) & 0xffff) == RecordType.VAR_WATCH
                    && (kind == RecordType.VW_READ || kind == RecordType.VW_WRITTEN)) {
                b.putLong(off + 48, b.getLong(off + 48) & 0x0000ffffffffffffL); // no lock held
                b.putLong(off + 56, 0);
                changed++;
            }
        }
        assertTrue(changed > 0);
        java.nio.file.Files.write(file, data);
        List<Finding> found;
        try {
            TraceRun patched = interleave.engine.trace.TraceReader.read(dir);
            found = DetectorRegistry.detectAll(patched, TimelineModel.build(patched));
        } catch (interleave.engine.trace.TraceException e) {
            throw new AssertionError(e);
        }
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().matches("'cnt' was written by 2 threads .*; \\d+ of \\d+ writes with some lock"
                + " held, none common to all.*"), found.get(0).message());
    }

    @Test
    void lockOrderDeadlockNamesBothThreadsAndMutexes() {
        Finding f = only("deadlock", "observed-lock-order-deadlock");
        assertTrue(f.message().startsWith("2 threads of pid "), f.message());
        assertEquals(4, f.evidence().size(), "each thread: where it locked, where it waits");
    }

    @Test
    void lockOrderInversionGivesBothThreadsBothMutexesAndFourSites() {
        Finding f = only("deadlock-lucky", "observed-lock-order-inversion");
        assertTrue(f.message().contains("locked in opposite orders"), f.message());
        assertEquals(4, f.evidence().size(), "each thread: where it took the first mutex, where the second");
        Pattern tid = Pattern.compile("thread (\\d+) holds (\\S+) \\(.*thread (\\d+) holds (\\S+) \\(");
        Matcher m = tid.matcher(f.message());
        assertTrue(m.find(), f.message());
        assertFalse(m.group(1).equals(m.group(3)), "two different threads");
        assertFalse(m.group(2).equals(m.group(4)), "each holds a different mutex");
    }

    @Test
    void detectorsHaveDistinctIdsPagesAndAFixtureThatShowsThem() {
        Set<String> staticIds = new HashSet<>();
        RuleRegistry.descriptors().forEach(d -> staticIds.add(d.id()));
        Set<String> shown = new HashSet<>();
        EXPECTED.values().forEach(shown::addAll);
        Set<String> seen = new HashSet<>();
        for (DynamicDetector det : DetectorRegistry.detectors()) {
            RuleDescriptor d = det.descriptor();
            assertTrue(seen.add(d.id()), "duplicate id " + d.id());
            assertFalse(staticIds.contains(d.id()), d.id() + " is a static rule's id");
            assertTrue(d.id().startsWith("observed-"), d.id());
            String page = d.documentationMarkdown();
            for (String section : List.of("## What happens", "## How it shows in the trace", "## Bad", "## Good",
                    "## Not detected")) {
                assertTrue(page.contains(section), d.id() + " page lacks " + section);
            }
            assertTrue(shown.contains(d.id()), d.id() + " is shown by no trace fixture");
        }
    }
}
