package interleave.engine.tests.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.Status;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;
import interleave.engine.tracing.RunFollower;
import interleave.engine.tracing.RunFollower.Snapshot;

/**
 * Following a run while it is written: a recorded run copied into a directory in steps, as the agent grows its files,
 * gives snapshots with growing versions and provisional findings, then one COMPLETED snapshot whose findings are those
 * of the run read whole.
 */
class RunFollowerTest {
    private static final int HEADER = 4096, RECORD = 64;

    static Path fixture(String name) {
        String p = System.getProperty("interleave.traces");
        return (p != null ? Path.of(p) : Path.of("traces")).resolve(name);
    }

    /** The fixture's files with only the first {@code fraction} of each trace file's records (never the end record). */
    static void writeCut(Path from, Path to, double fraction) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                Path dst = to.resolve(name);
                if (name.equals(RunEnd.FILE)) {
                    continue;
                }
                if (!name.endsWith(".trace")) {
                    Files.copy(f, dst, StandardCopyOption.REPLACE_EXISTING);
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                long slots = Math.max(0, (all.length - HEADER) / RECORD);
                int len = (int) Math.min(all.length, HEADER + (long) Math.ceil(slots * fraction) * RECORD);
                Files.write(dst, java.util.Arrays.copyOf(all, len));
            }
        }
    }

    static void finish(Path from, Path to) throws Exception {
        writeCut(from, to, 1.0);
        if (Files.exists(from.resolve(RunEnd.FILE))) {
            Files.copy(from.resolve(RunEnd.FILE), to.resolve(RunEnd.FILE), StandardCopyOption.REPLACE_EXISTING);
        } else {
            RunEnd.write(to, TraceReader.read(from).endNs(), "exit", 0);
        }
    }

    static List<String> described(List<Finding> findings) {
        List<String> out = new ArrayList<>();
        for (Finding f : findings) {
            out.add(f.ruleId() + " " + f.moment().map(m -> m.pid() + "/" + m.tid() + "@" + m.timeNanos()).orElse("")
                    + " " + f.message() + " " + f.location());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-thread-nodetach", "race-watch", "echo-process-noreap", "deadlock"})
    void aRunGrownInStepsEndsWithTheFindingsOfTheRunReadWhole(String name, @TempDir Path tmp) throws Exception {
        Path src = fixture(name), dir = tmp.resolve(name);
        Files.createDirectories(dir);
        List<Snapshot> seen = new ArrayList<>();
        RunFollower f = new RunFollower(dir, seen::add);
        assertNull(f.step(), "nothing recorded yet: nothing to show");

        int lastVersion = -1;
        for (double fraction : new double[] {0.2, 0.5, 0.8}) {
            writeCut(src, dir, fraction);
            Thread.sleep(5); // a build's throttle is twice its cost: let it pass
            Snapshot s = step(f);
            assertNotNull(s, "a snapshot after growing to " + fraction);
            assertEquals(Status.RUNNING, s.status());
            assertTrue(s.provisional());
            assertTrue(s.version() > lastVersion, s.version() + " after " + lastVersion);
            assertTrue(s.timeline().rows().size() > 0);
            lastVersion = s.version();
            assertNull(f.step(), "nothing new: no snapshot");
        }
        assertFalse(f.done());

        finish(src, dir);
        Snapshot last = step(f);
        assertNotNull(last);
        assertEquals(Status.COMPLETED, last.status());
        assertFalse(last.provisional());
        assertTrue(last.version() > lastVersion);
        assertTrue(f.done());
        assertNull(f.step(), "nothing after the last snapshot");

        TraceRun whole = TraceReader.read(dir);
        TimelineModel model = TimelineModel.build(whole);
        List<Finding> expected = DetectorRegistry.detectAll(whole, model);
        assertFalse(expected.isEmpty(), name + " shows a bug");
        assertEquals(described(expected), described(last.findings()));
        assertEquals(whole.eventCount(), last.eventCount());
        assertEquals(model.rows().size(), last.timeline().rows().size());
        assertEquals(model.durationNs(), last.timeline().durationNs());
    }

    /** Steps until a snapshot comes (a build's throttle may hold the first step back a moment). */
    static Snapshot step(RunFollower f) throws Exception {
        for (int i = 0; i < 600; i++) { // the end waits for the run to settle, at most 3 s
            Snapshot s = f.step();
            if (s != null) {
                return s;
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void zombiesShowWhileTheRunGoesOnAsProvisionalFindings(@TempDir Path tmp) throws Exception {
        // the server that never reaps: part-way through, children that exited are already zombies
        Path src = fixture("echo-process-noreap"), dir = tmp.resolve("r");
        Files.createDirectories(dir);
        RunFollower f = new RunFollower(dir, s -> {
        });
        List<String> provisional = new ArrayList<>();
        for (double fraction : new double[] {0.5, 0.8}) {
            if (fraction > 0.5) {
                // the detectors run again at most every DETECT_PERIOD_MS while the run goes on
                Thread.sleep(RunFollower.DETECT_PERIOD_MS + 50);
            }
            writeCut(src, dir, fraction);
            Snapshot s = step(f);
            assertTrue(s.provisional());
            s.findings().stream().filter(x -> x.ruleId().equals("observed-zombies")).forEach(x -> provisional.add(
                    x.message()));
        }
        assertFalse(provisional.isEmpty(), "a provisional zombie finding before the end");
        finish(src, dir);
        Snapshot last = step(f);
        assertFalse(last.provisional());
        assertTrue(last.findings().stream().anyMatch(x -> x.ruleId().equals("observed-zombies")));
    }

    @Test
    void aFollowerOnItsOwnThreadSeesTheRunGrowAndStopsWhenItEnds(@TempDir Path tmp) throws Exception {
        Path src = fixture("echo-process-noreap"), dir = tmp.resolve("r");
        Files.createDirectories(dir);
        List<Snapshot> seen = Collections.synchronizedList(new ArrayList<>());
        RunFollower f = new RunFollower(dir, seen::add);
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread t = new Thread(() -> f.run(20, cancelled::get), "follower");
        t.start();
        try {
            for (int k = 1; k <= 5; k++) {
                writeCut(src, dir, k / 6.0);
                Thread.sleep(150);
            }
            finish(src, dir);
            t.join(10_000);
            assertFalse(t.isAlive(), "the follower stops when the run completes");
        } finally {
            cancelled.set(true);
            t.join(5_000);
        }
        assertTrue(seen.size() >= 3, "snapshots while it grew: " + seen.size());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).version() > seen.get(i - 1).version());
            assertTrue(seen.get(i).eventCount() >= seen.get(i - 1).eventCount());
        }
        assertEquals(Status.COMPLETED, seen.get(seen.size() - 1).status());
        assertEquals(1, seen.stream().filter(s -> s.status() == Status.COMPLETED).count());
        assertTrue(seen.get(0).provisional());
    }

    @Test
    void cancellingStopsTheFollowerOfARunThatNeverEnds(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("r");
        writeCut(fixture("echo-thread"), dir, 0.5);
        RunFollower f = new RunFollower(dir, s -> {
        });
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread t = new Thread(() -> f.run(20, cancelled::get), "follower");
        t.start();
        Thread.sleep(200);
        assertTrue(t.isAlive(), "no end record: still following");
        cancelled.set(true);
        t.join(2_000);
        assertFalse(t.isAlive());
        assertNotNull(f.latest());
        assertTrue(f.latest().provisional());
    }

    @Test
    void aDamagedFileIsReadUpToTheDamageAndSaysWhere(@TempDir Path tmp) throws Exception {
        Path src = fixture("echo-thread"), dir = tmp.resolve("r");
        finish(src, dir);
        Path victim;
        try (Stream<Path> s = Files.list(dir)) {
            victim = s.filter(p -> p.toString().endsWith(".trace")).sorted().findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(all, all.length - RECORD / 2)); // last record cut short
        RunFollower f = new RunFollower(dir, s -> {
        });
        Snapshot s = step(f);
        assertEquals(Status.COMPLETED, s.status());
        List<String> damage = RunFollower.damage(s.run());
        assertEquals(1, damage.size(), damage.toString());
        assertTrue(damage.get(0).startsWith(victim.getFileName() + " at byte "), damage.get(0));
        assertTrue(s.timeline().rows().size() > 0, "what comes before the damage is shown");
    }

    @Test
    void aRunThatEndedWithoutAnyEventSaysSo(@TempDir Path tmp) throws Exception {
        RunEnd.write(tmp, System.nanoTime(), "exit", 127);
        RunFollower f = new RunFollower(tmp, s -> {
        });
        Snapshot s = step(f);
        assertEquals(Status.COMPLETED, s.status());
        assertFalse(s.hasEvents());
        assertTrue(s.note().contains("before recording any event (exit status 127)"), s.note());
    }

    @Test
    void aDirectoryThatDoesNotExistIsAClearError(@TempDir Path tmp) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(interleave.engine.trace.TraceException.class,
                () -> new RunFollower(tmp.resolve("nope"), s -> {
                }));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
