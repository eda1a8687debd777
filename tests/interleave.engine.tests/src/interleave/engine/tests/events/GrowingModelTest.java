package interleave.engine.tests.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.ModelText;
import interleave.engine.events.Status;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceReader;

/**
 * The model grows: a run fed in pieces, as the agent wrote it (files cut short, slots not yet committed in the middle
 * of a file), ends as the same model as the run read whole; the version says what changed.
 */
class GrowingModelTest {
    private static final int HEADER = 4096, RECORD = 64;

    static Path fixture(String name) {
        String p = System.getProperty("interleave.traces");
        return (p != null ? Path.of(p) : Path.of("traces")).resolve(name);
    }

    static ExecutionModel whole(Path dir) throws Exception {
        return AgentTraceSource.model(TraceReader.read(dir));
    }

    private static List<Path> traceFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".trace")).sorted().toList();
        }
    }

    /** Writes the fixture's files into {@code to} with only the first {@code fraction} of each file's records. */
    private static boolean writeCut(Path from, Path to, double fraction, boolean holes) throws IOException {
        boolean made = false;
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Path dst = to.resolve(f.getFileName());
                if (!f.getFileName().toString().endsWith(".trace")) {
                    if (!f.getFileName().toString().equals(RunEnd.FILE)) {
                        Files.copy(f, dst, StandardCopyOption.REPLACE_EXISTING);
                    }
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                long slots = Math.max(0, (all.length - HEADER) / RECORD);
                long keep = (long) Math.ceil(slots * fraction);
                int len = (int) Math.min(all.length, HEADER + keep * RECORD);
                byte[] cut = java.util.Arrays.copyOf(all, len);
                if (holes && keep > 6) {
                    // two slots reserved but not committed yet, before committed ones: read later, out of order
                    long hole = keep / 2;
                    for (long k = hole; k < hole + 2; k++) {
                        int type = (cut[(int) (HEADER + k * RECORD)] & 0xff)
                                | (cut[(int) (HEADER + k * RECORD) + 1] & 0xff) << 8;
                        made |= type != 1 && type != 24; // an event, not a string piece or a CPU note
                    }
                    java.util.Arrays.fill(cut, (int) (HEADER + hole * RECORD), (int) (HEADER + (hole + 2) * RECORD),
                            (byte) 0);
                }
                Files.write(dst, cut);
            }
        }
        return made;
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-process-ifreap", "fork-printf-handler", "echo-thread-nodetach", "deadlock-lucky",
            "thread-attrs", "race-watch", "badcnt-watched", "goodcnt-watched", "echo-process-noclose",
            "fork-printf-nostdio", "echo-thread-stackarg"})
    void aRunFedInPiecesIsTheRunReadWhole(String name, @TempDir Path tmp) throws Exception {
        Path src = fixture(name), dir = tmp.resolve(name);
        String expected = ModelText.describe(whole(src));
        assertTrue(expected.lines().filter(l -> l.startsWith("    ")).count() > 5, expected);
        writeCut(src, dir, 0.3, false);
        ModelBuilder b = new ModelBuilder();
        AgentTraceSource source = AgentTraceSource.follow(dir);
        assertTrue(source.refresh(b));
        int first = b.model().version();
        assertEquals(Status.RUNNING, b.model().status());
        long firstEvents = b.model().eventCount();
        boolean holes = writeCut(src, dir, 0.7, true);
        assertTrue(source.refresh(b));
        assertTrue(b.model().version() > first);
        assertTrue(b.model().eventCount() > firstEvents);
        assertFalse(b.model().threadsChangedSince(first).isEmpty());
        writeCut(src, dir, 1.0, false);
        if (Files.exists(src.resolve(RunEnd.FILE))) {
            Files.copy(src.resolve(RunEnd.FILE), dir.resolve(RunEnd.FILE));
        }
        source.refresh(b);
        if (holes) {
            assertTrue(source.refeeds() > 0, "the slots committed late were older than the ones fed after them");
        }
        int last = b.model().version();
        assertFalse(source.refresh(b), "nothing new: no change");
        assertEquals(last, b.model().version());
        assertTrue(b.model().threadsChangedSince(last).isEmpty());
        String grown = ModelText.describe(b.model()).replace("run RUNNING", "run COMPLETED");
        assertEquals(expected, grown);
    }

    @Test
    void spansOpenWhileTheRunGoesOnAreRunning(@TempDir Path tmp) throws Exception {
        // the handler deadlocked: its printf never returned, in the cut run and in the whole one
        Path src = fixture("fork-printf-handler"), dir = tmp.resolve("r");
        writeCut(src, dir, 0.5, false);
        ModelBuilder b = new ModelBuilder();
        AgentTraceSource.follow(dir).refresh(b);
        long open = b.model().threads().stream().mapToLong(t -> t.openSpans().size()).sum();
        assertTrue(open > 0, "half a run leaves calls in progress");
        for (ExecThread t : b.model().threads()) {
            t.openSpans().forEach(s -> assertTrue(s.running()));
        }
        assertNotEquals(0, b.model().version());
    }

    @Test
    void anEmptyDirectoryIsAnEmptyRunningModel(@TempDir Path tmp) throws Exception {
        ModelBuilder b = new ModelBuilder();
        AgentTraceSource source = AgentTraceSource.follow(tmp);
        source.refresh(b);
        assertEquals(0, b.model().processes().size());
        assertEquals(Status.RUNNING, b.model().status());
        Files.copy(fixture("echo-thread").resolve(traceFiles(fixture("echo-thread")).get(0).getFileName()),
                tmp.resolve(traceFiles(fixture("echo-thread")).get(0).getFileName()));
        try (FileChannel ch = FileChannel.open(tmp.resolve(traceFiles(fixture("echo-thread")).get(0).getFileName()),
                StandardOpenOption.READ)) {
            assertTrue(ch.read(ByteBuffer.allocate(8)) > 0);
        }
        assertTrue(source.refresh(b));
        assertEquals(1, b.model().processes().size());
    }
}
