package interleave.engine.tests.trace;

import static interleave.engine.trace.RecordType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceEvent;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;
import interleave.engine.trace.TraceTail;

/** Reading real runs of the samples, and damaged or hand-made files with precise damage messages. */
class TraceReaderTest {
    @TempDir
    Path tmp;

    @Test
    void raceRunHasOneImageAndEveryCreatedThreadLinkedToItsCreator() {
        TraceRun run = Traces.read("race");
        assertEquals(List.of(), run.damage());
        assertEquals(1, run.images().size());
        ProcessImage p = run.images().get(0);
        assertTrue(p.exe().endsWith("/race"), p.exe());
        assertEquals("20", p.argv().get(p.argv().size() - 1));
        assertEquals(21, p.threads().size());
        assertTrue(p.threads().get(0).isMainThread());
        ThreadTrace main = p.threads().get(0);
        int creates = 0;
        for (int i = 0; i < main.size(); i++) {
            creates += main.type(i) == THREAD_CREATE && main.phase(i) == EXIT ? 1 : 0;
        }
        assertEquals(20, creates);
        for (ThreadTrace t : p.threads().subList(1, 21)) {
            assertEquals(main, t.creator().orElseThrow(), t.toString());
            assertEquals(THREAD_CREATE, main.type(t.createEnterIndex()));
            assertEquals(ENTER, main.phase(t.createEnterIndex()));
            assertEquals(THREAD_START, t.type(0));
            assertEquals(t.header().createId(), t.arg(0, 2));
        }
    }

    @Test
    void eventsOfEveryFileAreInTimestampThenSlotOrder() {
        for (String name : List.of("race", "echo-process", "fork-printf-handler")) {
            for (ThreadTrace t : Traces.read(name).threads()) {
                for (int i = 1; i < t.size(); i++) {
                    assertTrue(t.ts(i - 1) < t.ts(i) || t.ts(i - 1) == t.ts(i) && t.slot(i - 1) < t.slot(i),
                            t + " event " + i);
                }
            }
        }
    }

    @Test
    void forkedChildrenAreLinkedToTheParentsForkCall() {
        TraceRun run = Traces.read("echo-process");
        ProcessImage server = run.images().get(0);
        assertEquals(12, server.children().size());
        for (ProcessImage child : server.children()) {
            assertEquals(ProcessImage.Origin.FORK, child.origin());
            assertEquals(server, child.parent().orElseThrow());
            ThreadTrace forker = child.forkingThread().orElseThrow();
            assertEquals(FORK, forker.type(child.forkExitIndex()));
            assertEquals(child.pid(), forker.arg(child.forkExitIndex(), 0));
            assertEquals(server.exe(), child.exe(), "a forked child runs its parent's program");
        }
    }

    @Test
    void missingDirectoryNotADirectoryAndEmptyDirectoryAreClearErrors() throws IOException {
        Path missing = tmp.resolve("no-such-run");
        TraceException e1 = assertThrows(TraceException.class, () -> TraceReader.read(missing));
        assertEquals("trace directory " + missing + " does not exist", e1.getMessage());
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        TraceException e2 = assertThrows(TraceException.class, () -> TraceReader.read(file));
        assertTrue(e2.getMessage().startsWith(file + " is not a directory"), e2.getMessage());
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "not a trace");
        TraceException e3 = assertThrows(TraceException.class, () -> TraceReader.read(empty));
        assertTrue(e3.getMessage().startsWith("trace directory " + empty + " contains no trace files"),
                e3.getMessage());
    }

    private static String mainFile(TraceRun run) {
        return run.images().get(0).threads().get(0).file();
    }

    @Test
    void fileCutInsideARecordLoadsUpToTheCutAndSaysWhere() throws Exception {
        Path dir = Traces.copy("race", tmp.resolve("race"));
        String name = mainFile(Traces.read("race"));
        int before = Traces.read("race").images().get(0).threads().get(0).size();
        Path f = dir.resolve(name);
        long cut = 4096 + 10 * 64 + 17;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(cut);
        }
        TraceRun run = TraceReader.read(dir);
        assertEquals(List.of(new TraceDamage(name, 4096 + 10 * 64,
                "last record cut short: 17 of 64 bytes after slot 9; those bytes were ignored")), run.damage());
        ThreadTrace main = run.images().get(0).threads().get(0);
        assertTrue(main.size() > 0 && main.size() < before);
        for (int i = 0; i < main.size(); i++) {
            assertTrue(main.slot(i) < 10);
        }
        assertEquals(21, run.threads().size(), "the other files are read in full");
    }

    @Test
    void badMagicAndUnknownMajorVersionSkipTheFileWithTheReason() throws Exception {
        Path dir = Traces.copy("race", tmp.resolve("race"));
        List<ThreadTrace> threads = Traces.read("race").threads();
        String a = threads.get(1).file(), b = threads.get(2).file();
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(a).toFile(), "rw")) {
            raf.write("XLVTRACE".getBytes());
        }
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(b).toFile(), "rw")) {
            raf.seek(8);
            raf.write(new byte[] {2, 0, 0, 0});
        }
        TraceRun run = TraceReader.read(dir);
        assertTrue(run.damage().contains(new TraceDamage(a, 0,
                "not an Interleave trace: the file starts with 58 4C 56 54 52 41 43 45 instead of ILVTRACE;"
                        + " file skipped")), run.damage().toString());
        assertTrue(run.damage().contains(new TraceDamage(b, 8,
                "trace format version 2.0 is not supported (this reader reads version 1.x); file skipped")),
                run.damage().toString());
        assertEquals(2, run.damage().size());
        assertEquals(19, run.threads().size());
    }

    @Test
    void truncatedHeaderIsDamageButAZeroHeaderIsAFileBeingCreated() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        byte[] good = new Traces.Writer(1, 100, 100, 1000, "").bytes(0);
        Files.write(dir.resolve("100-100.trace"), java.util.Arrays.copyOf(good, 100));
        Files.write(dir.resolve("101-101.trace"), new byte[4096 + 64]);
        TraceRun run = TraceReader.read(dir);
        assertEquals(List.of(new TraceDamage("100-100.trace", 100,
                "header cut short: the file has 100 bytes, the header needs 4096; file skipped")), run.damage());
        assertEquals(0, run.threads().size());
        assertEquals(2, run.fileCount());
    }

    @Test
    void zeroSlotsAreSkippedNotTreatedAsTheEndAndStringsAttachToTheirOwner() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Traces.Writer w = new Traces.Writer(1, 200, 200, 5000, "");
        int start = w.record(PROC_START, POINT, 0, 5000, 0, 1, 1, 0);
        w.string(start, S_EXE, 5000, "/bin/demo");
        w.string(start, S_ARGV, 5000, "demo\0-x\0");
        w.hole(); // reserved, never committed (a killed handler's neighbour)
        w.record(CLOSE, CALL, 0, 7000, 0x1234, 5, 0, 0, 0, 10);
        w.record(MUTEX_UNLOCK, CALL, 0, 6000, 0x1238, 0xabc); // written later, earlier ts: sorted before CLOSE
        w.write(dir.resolve("200-200.trace"), 60);
        TraceRun run = TraceReader.read(dir);
        assertEquals(List.of(), run.damage());
        ThreadTrace t = run.threads().get(0);
        assertEquals(List.of(PROC_START, MUTEX_UNLOCK, CLOSE), List.of(t.type(0), t.type(1), t.type(2)));
        assertEquals(3, t.size());
        assertEquals("/bin/demo", run.images().get(0).exe());
        assertEquals(List.of("demo", "-x"), run.images().get(0).argv());
        assertEquals("demo", run.images().get(0).command());
    }

    @Test
    void tailHandsOutOnlyNewlyCommittedEventsIncludingFilledHolesAndNewFiles() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("live"));
        TraceTail tail = TraceReader.follow(dir);
        assertEquals(List.of(), tail.poll(), "an empty directory is fine while following");
        Traces.Writer w = new Traces.Writer(1, 300, 300, 100, "");
        w.record(PROC_START, POINT, 0, 100, 0, 1, 1, 0);
        int hole = w.hole();
        w.record(READ, ENTER, 0, 300, 0x10, 4, 0, 64);
        Path f = w.write(dir.resolve("300-300.trace"), 61);
        List<TraceTail.NewEvents> first = tail.poll();
        assertEquals(1, first.size());
        assertEquals(List.of(PROC_START, READ), first.get(0).events().stream().map(TraceEvent::type).toList());
        assertEquals(List.of(), tail.poll(), "nothing new: nothing handed out twice");

        // the writer commits the reserved slot and two more; another thread's file appears
        Traces.Writer full = new Traces.Writer(1, 300, 300, 100, "");
        full.record(PROC_START, POINT, 0, 100, 0, 1, 1, 0);
        full.record(SIGNAL_HANDLER, ENTER, 0, 200, 0x20, 17);
        full.record(READ, ENTER, 0, 300, 0x10, 4, 0, 64);
        full.record(READ, EXIT, 0, 400, 0x10, 4, 0, 64, 12);
        full.record(CLOSE, CALL, 0, 500, 0x18, 4);
        full.write(f, 59);
        new Traces.Writer(0, 300, 301, 100, "").write(dir.resolve("300-301.trace"), 64);
        Traces.Writer other = new Traces.Writer(0, 300, 302, 100, "");
        other.record(THREAD_START, POINT, 0, 450, 0, 0x99);
        other.write(dir.resolve("300-302.trace"), 63);
        List<TraceTail.NewEvents> second = tail.poll();
        assertEquals(2, second.size(), second.toString());
        TraceTail.NewEvents main = second.stream().filter(n -> n.header().tid() == 300).findFirst().orElseThrow();
        assertEquals(List.of(SIGNAL_HANDLER, READ, CLOSE), main.events().stream().map(TraceEvent::type).toList());
        assertEquals(hole, main.events().get(0).slot());
        TraceRun snap = tail.snapshot();
        assertEquals(List.of(PROC_START, SIGNAL_HANDLER, READ, READ, CLOSE),
                java.util.stream.IntStream.range(0, 5).mapToObj(i -> snap.images().get(0).threads().get(0).type(i))
                        .toList());
        assertEquals(3, snap.threads().size());
        assertEquals(0, snap.threads().stream().filter(t -> t.tid() == 301).findFirst().orElseThrow().size(),
                "a file with a header and no committed record is a thread with no events yet");
    }

    @Test
    void everyCommittedFixtureReadsWithoutDamage() {
        for (String name : Traces.runNames()) {
            TraceRun run = Traces.read(name);
            assertEquals(List.of(), run.damage(), name);
            assertTrue(run.eventCount() > 0, name);
            assertEquals(0, run.lostEvents());
        }
    }
}
