package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.trace.RecordType;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceEvent;
import interleave.engine.trace.TraceRecords;
import interleave.engine.trace.TraceRun;

/**
 * The event schema (agent/schema/events.def) is the one table of record types: the agent's header, itrace-dump's field
 * table, RecordType, TraceRecords and the format doc's tables are generated from it and must not drift.
 */
class EventSchemaTest {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final String GENERATOR = "agent/schema/Generator.java";
    private static final List<String> GENERATED = List.of("agent/src/ilv_events.h", "agent/tools/itrace-dump-fields.h",
            "plugin/interleave.trace/src/interleave/engine/trace/RecordType.java",
            "plugin/interleave.trace/src/interleave/engine/trace/TraceRecords.java", "docs/trace-format.md",
            "plugin/interleave.trace/src/interleave/engine/events/Signals.java");

    private record Run(int status, String output) {
    }

    private static Path classes;

    /** The generator is one source file; compiled once here (javac of this test's JDK), not at every run. */
    @BeforeAll
    static void compileGenerator(@TempDir Path tmp) throws Exception {
        classes = tmp;
        Run r = run(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-d", tmp.toString(),
                REPO.resolve(GENERATOR).toString()));
        assertEquals(0, r.status(), r.output());
    }

    private static Run generator(Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes.toString(), "Generator", "--root", root.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + cmd);
        return new Run(p.exitValue(), out);
    }

    @Test
    void committedGeneratedFilesMatchTheSchema() throws Exception {
        Run r = generator(REPO, "--check");
        assertEquals(0, r.status(), () -> "The files generated from agent/schema/events.def are out of date. Run `java "
                + GENERATOR + "` from the repository root and commit the result.\n" + r.output());
    }

    @Test
    void aSchemaChangeIsCaughtUntilRegenerated(@TempDir Path tmp) throws Exception {
        for (String f : concat(GENERATED, List.of("agent/schema/events.def"))) {
            Files.createDirectories(tmp.resolve(f).getParent());
            Files.copy(REPO.resolve(f), tmp.resolve(f));
        }
        Path schema = tmp.resolve("agent/schema/events.def");
        String s = Files.readString(schema);
        String readCount = "field a2 count u64 u bytes asked for";
        assertTrue(s.contains(readCount), "the READ record's a2 field moved; update this test");
        Files.writeString(schema, s.replace(readCount, "field a2 length u64 u bytes asked for"));

        Run stale = generator(tmp, "--check");
        assertEquals(1, stale.status(), stale.output());
        assertTrue(stale.output().contains("Run `java agent/schema/Generator.java`"), stale.output());
        assertTrue(stale.output().contains("itrace-dump-fields.h") && stale.output().contains("TraceRecords.java")
                && stale.output().contains("trace-format.md"), stale.output());

        assertEquals(0, generator(tmp).status());
        assertEquals(0, generator(tmp, "--check").status());
        String records = Files.readString(tmp.resolve(GENERATED.get(3)));
        assertTrue(records.contains("long buf, long length, long res"), records);
        assertTrue(Files.readString(tmp.resolve(GENERATED.get(1))).contains("\"length\""));
    }

    @Test
    void aBrokenSchemaIsReportedWithItsLine(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("agent/schema"));
        Files.writeString(tmp.resolve("agent/schema/events.def"), "version 1 3\ngroup g G\ntype 54 READ ENTER/EXIT\n"
                + "doc d\nfield a9 fd i32 d descriptor\n");
        Run r = generator(tmp, "--check");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().contains("events.def:5: unknown slot a9"), r.output());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static TraceEvent ev(int type, int phase, int flags, long ra, long... a) {
        long[] x = java.util.Arrays.copyOf(a, 5);
        return new TraceEvent(1000, type, phase, flags, 0, ra, x[0], x[1], x[2], x[3], x[4], 7);
    }

    @Test
    void namedFieldsReadThePositionalValues() {
        TraceRecords.Read read = TraceRecords.Read.from(ev(RecordType.READ, RecordType.EXIT, 0, 0x40, 4, 0x7ff0, 512,
                -1));
        assertEquals(4, read.fd());
        assertEquals(0x7ff0, read.buf());
        assertEquals(512, read.count());
        assertEquals(-1, read.res());

        // THREAD_CREATE: a0 is the start routine on ENTER, the new pthread_t on EXIT (and EXIT has no bytes)
        var enter = TraceRecords.ThreadCreate.from(ev(RecordType.THREAD_CREATE, RecordType.ENTER, 8, 0, 0x1111,
                0x2222, 3, 0xabcd, 0));
        assertEquals(0x1111, enter.fn());
        assertEquals(0, enter.thread());
        assertEquals(0xabcd, enter.b0());
        var exit = TraceRecords.ThreadCreate.from(ev(RecordType.THREAD_CREATE, RecordType.EXIT, 0, 0, 0x9999, 0x2222,
                3, 0xabcd, 0));
        assertEquals(0x9999, exit.thread());
        assertEquals(0, exit.fn());
        assertEquals(0, exit.b0());
        assertEquals(3, exit.id());

        // VAR_WATCH: the access's a3 packs cpu | bytes << 32 | variable << 40 | held << 48; ARMED has them plain
        long packed = 1L | 8L << 32 | 1L << 40 | 2L << 48;
        var access = TraceRecords.VarWatch.from(ev(RecordType.VAR_WATCH, RecordType.POINT, RecordType.VW_WRITTEN,
                0x401234, 0x4040, -5, 0x401230, packed, 0x5050));
        assertEquals(0x401234, access.ip());
        assertEquals(-5, access.value());
        assertEquals(1, access.cpu());
        assertEquals(8, access.bytes());
        assertEquals(1, access.variable());
        assertEquals(2, access.held());
        assertEquals(0x5050, access.lock());
        var armed = TraceRecords.VarWatch.from(ev(RecordType.VAR_WATCH, RecordType.POINT, RecordType.VW_ARMED
                | RecordType.VW_EA_ASSUMED, 0, 0x4040, 8, 1, 256, 5000));
        assertEquals(8, armed.len());
        assertEquals(1, armed.variable());
        assertEquals(256, armed.budget());
        assertEquals(0, armed.value());
        var held = TraceRecords.VarWatch.from(ev(RecordType.VAR_WATCH, RecordType.POINT, RecordType.VW_HELD, 0, 1, 2,
                3, 0, 0));
        assertArrayEquals(new long[] {1, 2, 3, 0, 0}, held.locks());

        // THREAD_NAME: the name's 16 bytes in a1, a2, NUL-padded
        long lo = 0, hi = 0;
        byte[] name = "worker-number-1".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < name.length; i++) {
            if (i < 8) {
                lo |= (name[i] & 0xffL) << (8 * i);
            } else {
                hi |= (name[i] & 0xffL) << (8 * (i - 8));
            }
        }
        assertEquals("worker-number-1", TraceRecords.ThreadName.from(ev(RecordType.THREAD_NAME, RecordType.POINT, 0,
                0, 0x77, lo, hi)).name());

        var lock = TraceRecords.MutexLock.from(ev(RecordType.MUTEX_LOCK, RecordType.CALL, 0, 0, 0x6000, 0, 0, 0, 90));
        assertEquals(90, lock.dur());
        assertEquals(0, TraceRecords.MutexLock.from(ev(RecordType.MUTEX_LOCK, RecordType.ENTER, 0, 0, 0x6000, 42, 0,
                0, 90)).dur());
        var handler = TraceRecords.SignalHandler.from(ev(RecordType.SIGNAL_HANDLER, RecordType.ENTER, 0, 0,
                RecordType.SIGCHLD, 0x1000, 1, 1234, 0));
        assertEquals(RecordType.SIGCHLD, handler.sig());
        assertEquals(1234, handler.sender());

        assertThrows(IllegalArgumentException.class, () -> TraceRecords.Write.from(read.event()));
        assertNull(TraceRecords.of(ev(RecordType.STRING, RecordType.POINT, 0, 0)));
        assertNull(TraceRecords.of(ev(4000, RecordType.POINT, 0, 0)));
    }

    @Test
    void everyEventOfTheCommittedRunsHasItsNamedView() {
        int seen = 0;
        for (String name : Traces.runNames()) {
            TraceRun run = Traces.read(name);
            for (ThreadTrace t : run.threads()) {
                for (int i = 0; i < t.size(); i++) {
                    TraceEvent e = t.event(i);
                    if (!RecordType.isKnown(e.type())) {
                        continue;
                    }
                    TraceRecords.Named n = TraceRecords.of(e);
                    assertNotNull(n, () -> name + ": no named view of " + e);
                    assertSame(e, n.event());
                    if (n instanceof TraceRecords.Accept a && e.phase() == RecordType.EXIT) {
                        assertEquals(e.a3(), a.res());
                    }
                    if (e.type() == RecordType.WAIT) {
                        assertInstanceOf(TraceRecords.Wait.class, n);
                        assertEquals(e.a3(), ((TraceRecords.Wait) n).status());
                    }
                    seen++;
                }
            }
        }
        assertTrue(seen > 10_000, "only " + seen + " events in the committed runs");
    }
}
