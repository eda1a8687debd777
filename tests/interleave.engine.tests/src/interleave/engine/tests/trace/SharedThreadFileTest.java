package interleave.engine.tests.trace;

import static interleave.engine.trace.RecordType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;
import interleave.engine.trace.TraceTail;

/**
 * The shared thread file (format §2.1): the threads of a process in chunks of one file, each thread read back as
 * the stream its own file would hold, with the chunks in any order, pages never written, and damage said where.
 */
class SharedThreadFileTest {
    private static final int PID = 300, MAIN_TID = 300;
    private static final long IMAGE = 5_000_000L;

    @TempDir
    Path tmp;

    /** Lays out a shared thread file as the agent does: a 4096-byte header, then 4096-aligned chunks. */
    static final class SharedWriter {
        final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int end = 4096;

        SharedWriter() {
            buf.put(0, "ILVTRACE".getBytes(StandardCharsets.US_ASCII));
            buf.putShort(8, (short) 2).putShort(10, (short) 0).putInt(12, 4096).putInt(16, 64).putInt(20, 8)
                    .putInt(24, PID).putInt(32, 1).putLong(56, IMAGE);
        }

        /** A chunk of {@code pages} pages at the end; returns its offset. */
        int chunk(int tid, int seq, int key, long first, int pages) {
            return chunk(PID, tid, 2, IMAGE, seq, key, first, pages);
        }

        /** The same for a thread of process {@code pid} (header flags, image start) */
        int chunk(int pid, int tid, int flags, long image, int seq, int key, long first, int pages) {
            int off = end;
            end += pages * 4096;
            int hdrSlots = seq == 0 ? 5 : 1;
            if (seq == 0) { // the thread's 256-byte header in slots 1-4
                int h = off + 64;
                buf.put(h, "ILVTRACE".getBytes(StandardCharsets.US_ASCII));
                buf.putShort(h + 8, (short) 1).putShort(h + 10, (short) 7).putInt(h + 12, 256).putInt(h + 16, 64)
                        .putInt(h + 20, flags).putInt(h + 24, pid).putInt(h + 28, tid).putInt(h + 32, PID)
                        .putLong(h + 40, image + tid).putLong(h + 56, image).putLong(h + 64, 0x7f00_0000_0000L + tid)
                        .putInt(h + 72, pid == PID ? MAIN_TID : 0).putLong(h + 80, pid == PID ? tid : 0);
            }
            buf.putInt(off + 4, pages * 64).putLong(off + 8, off).putInt(off + 16, tid).putInt(off + 20, seq)
                    .putLong(off + 24, seq == 0 ? off : key).putLong(off + 32, first).putInt(off + 40, hdrSlots);
            buf.putInt(off, 0x43564c49);
            return off;
        }

        /** A page allocated and never written (a writer killed in between, or one still setting it up). */
        int zeroPage() {
            int off = end;
            end += 4096;
            return off;
        }

        /** A CLOSE record (a0 = v) in slot {@code slot} of the chunk at {@code chunk} whose first slot is first. */
        void record(int chunk, long first, long slot, long ts, long v) {
            int hdrSlots = buf.getInt(chunk + 20) == 0 ? 5 : 1;
            int off = (int) (chunk + (hdrSlots + slot - first) * 64);
            buf.putLong(off + 8, ts).putLong(off + 24, v);
            buf.putInt(off, CLOSE | (CALL << 16));
        }

        void write(Path file, int length) throws IOException {
            byte[] out = new byte[length];
            buf.get(0, out, 0, length);
            Files.write(file, out);
        }
    }

    private void mainThread(Path dir) {
        Traces.Writer w = new Traces.Writer(1, PID, MAIN_TID, IMAGE, "");
        w.record(PROC_START, POINT, 0, IMAGE + 1, 0, 1, 0, 0);
        w.write(dir.resolve(PID + "-" + MAIN_TID + ".trace"), 0);
    }

    private static ThreadTrace thread(TraceRun run, int tid) {
        return run.threads().stream().filter(t -> t.tid() == tid).findFirst().orElseThrow();
    }

    private static List<Long> slotsAndValues(ThreadTrace t) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            out.add((long) t.slot(i));
            out.add(t.arg(i, 0));
        }
        return out;
    }

    @Test
    void eachThreadIsReadAsItsOwnStreamAcrossChunksInAnyOrder() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        mainThread(dir);
        SharedWriter w = new SharedWriter();
        int a0 = w.chunk(11, 0, 0, 0, 1);
        int b0 = w.chunk(12, 0, 0, 0, 1);
        w.zeroPage();
        int a1 = w.chunk(11, 1, a0, 59, 2);
        for (int s = 0; s < 3; s++) {
            w.record(a0, 0, s, IMAGE + 10 + s, 100 + s);
        }
        w.record(a1, 59, 59, IMAGE + 20, 159);
        w.record(a1, 59, 61, IMAGE + 21, 161); // slot 60 reserved and never written
        w.record(b0, 0, 0, IMAGE + 15, 200);
        w.buf.putLong(b0 + 64 + 224, 5); // thread 12 lost 5 events
        w.write(dir.resolve(PID + "-threads.trace"), w.end);

        assertEquals(5, interleave.engine.trace.RunEnd.lostEvents(dir));
        TraceRun run = TraceReader.read(dir);
        assertEquals(5, run.lostEvents());
        assertEquals(List.of(), run.damage());
        assertEquals(2, run.fileCount());
        assertEquals(3, run.threads().size());
        ThreadTrace a = thread(run, 11), b = thread(run, 12);
        assertEquals(List.of(0L, 100L, 1L, 101L, 2L, 102L, 59L, 159L, 61L, 161L), slotsAndValues(a));
        assertEquals(List.of(0L, 200L), slotsAndValues(b));
        assertEquals(PID, a.pid());
        assertEquals(0x7f00_0000_000bL, a.header().pthreadSelf());
        assertTrue(a.header().isCreated());
        assertEquals(PID + "-threads.trace#11", a.file());
        assertEquals(run.images().get(0), a.image());
    }

    @Test
    void aThreadOfASharedFileReadInSlicesIsItsStreamReadWhole() throws Exception {
        // the slices are of the thread's own stream (its chunks), not of the shared file's bytes
        Path dir = Files.createDirectory(tmp.resolve("run"));
        mainThread(dir);
        SharedWriter w = new SharedWriter();
        int a0 = w.chunk(11, 0, 0, 0, 1);
        int b0 = w.chunk(12, 0, 0, 0, 1);
        int a1 = w.chunk(11, 1, a0, 59, 2);
        for (int s = 0; s < 59; s++) {
            w.record(a0, 0, s, IMAGE + 10 + 2 * s, 100 + s);
        }
        for (int s = 59; s < 70; s++) {
            w.record(a1, 59, s, IMAGE + 10 + 2 * s, 100 + s);
        }
        w.record(a1, 59, 65, IMAGE + 11, 165); // committed late: its slot far after records of later times
        w.record(b0, 0, 0, IMAGE + 15, 200);
        w.write(dir.resolve(PID + "-threads.trace"), w.end);

        interleave.engine.trace.AgentTraceSource.Read whole = interleave.engine.trace.AgentTraceSource.readOnce(dir, 0,
                0);
        assertEquals(70, whole.model().threads().stream().filter(t -> t.tid() == 11).findFirst().orElseThrow()
                .spans().size());
        for (int slice : new int[] {1, 2, 7, 64}) {
            ChunkedReadTest.assertSameRead(whole, interleave.engine.trace.AgentTraceSource.readOnce(dir, 0, slice),
                    "shared thread file in slices of " + slice);
        }
    }

    @Test
    void aForkedChildsThreadsInTheParentsFileAreTheChildsImage() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        mainThread(dir);
        SharedWriter w = new SharedWriter();
        int a0 = w.chunk(11, 0, 0, 0, 1);
        int c0 = w.chunk(301, 301, 1 | 4, IMAGE + 1000, 0, 0, 0, 1); // the child's main thread (MAIN, FORKED)
        int c1 = w.chunk(301, 302, 2 | 4, IMAGE + 1000, 0, 0, 0, 1); // a thread the child started
        w.record(a0, 0, 0, IMAGE + 10, 100);
        w.record(c0, 0, 0, IMAGE + 1001, 300);
        w.record(c1, 0, 0, IMAGE + 1002, 301);
        w.write(dir.resolve(PID + "-threads.trace"), w.end);

        TraceRun run = TraceReader.read(dir);
        assertEquals(List.of(), run.damage());
        assertEquals(2, run.images().size());
        var child = run.images().stream().filter(i -> i.pid() == 301).findFirst().orElseThrow();
        assertEquals(List.of(301, 302), child.threads().stream().map(ThreadTrace::tid).toList());
        assertTrue(child.threads().get(0).isMainThread());
        assertEquals(List.of(0L, 300L), slotsAndValues(child.threads().get(0)));
        assertEquals(2, run.images().stream().filter(i -> i.pid() == PID).findFirst().orElseThrow().threads().size());
    }

    @Test
    void aBadChunkHeaderAndAChunkCutShortAreDamageTheRestIsRead() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        mainThread(dir);
        SharedWriter w = new SharedWriter();
        int a0 = w.chunk(11, 0, 0, 0, 1);
        int bad = w.zeroPage();
        w.buf.putLong(bad, 0x1234_5678_9abcL);
        int b0 = w.chunk(12, 0, 0, 0, 2);
        w.record(a0, 0, 0, IMAGE + 10, 100);
        w.record(b0, 0, 0, IMAGE + 11, 200);
        w.record(b0, 0, 1, IMAGE + 12, 201);
        w.write(dir.resolve(PID + "-threads.trace"), b0 + 5 * 64 + 64 + 30); // b0's header, 1 record, part of 1

        TraceRun run = TraceReader.read(dir);
        assertEquals(List.of(new TraceDamage(PID + "-threads.trace", bad,
                "no valid chunk header where one belongs; page skipped"),
                new TraceDamage(PID + "-threads.trace", b0,
                        "chunk cut short by the end of the file: 1 of 123 slots read")), run.damage());
        assertEquals(List.of(0L, 100L), slotsAndValues(thread(run, 11)));
        assertEquals(List.of(0L, 200L), slotsAndValues(thread(run, 12)));
    }

    @Test
    void aFollowerFindsChunksAndThreadsAsTheyAreWritten() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        mainThread(dir);
        SharedWriter w = new SharedWriter();
        int a0 = w.chunk(11, 0, 0, 0, 1);
        w.record(a0, 0, 0, IMAGE + 10, 100);
        w.write(dir.resolve(PID + "-threads.trace"), w.end + 4096); // b0's page allocated, not written yet
        TraceTail tail = TraceTail.follow(dir);
        List<TraceTail.NewEvents> first = tail.poll();
        assertEquals(List.of(PID + "-" + MAIN_TID + ".trace", PID + "-threads.trace#11"),
                first.stream().map(TraceTail.NewEvents::file).toList());

        int b0 = w.chunk(12, 0, 0, 0, 1);
        w.record(b0, 0, 0, IMAGE + 11, 200);
        w.record(a0, 0, 1, IMAGE + 12, 101);
        int a1 = w.chunk(11, 1, a0, 59, 1);
        w.record(a1, 59, 59, IMAGE + 13, 159);
        w.write(dir.resolve(PID + "-threads.trace"), w.end);
        List<TraceTail.NewEvents> second = tail.poll();
        List<String> got = new ArrayList<>();
        for (TraceTail.NewEvents n : second) {
            for (var e : n.events()) {
                got.add(n.file() + ":" + e.slot() + "=" + e.arg(0));
            }
        }
        assertEquals(List.of(PID + "-threads.trace#11:1=101", PID + "-threads.trace#11:59=159",
                PID + "-threads.trace#12:0=200"), got);
        assertEquals(2, tail.fileCount());
        assertEquals(3, tail.snapshot().threads().size());
    }
}
