package interleave.engine.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.cli.Main;
import interleave.engine.tracing.TracedLaunch;

/**
 * What {@code interleave trace} and {@code report} tell the user and which status they exit with: 124 when the
 * program had to be stopped, the signal that killed it, lost events, and no native findings for a Java program.
 */
class TraceCommandTest {
    @TempDir
    Path tmp;

    /** The real agent of this checkout, built with make if it is missing (gcc is a prerequisite of the project). */
    @BeforeAll
    static void agent() throws IOException, InterruptedException {
        Path repo = Path.of(System.getProperty("interleave.repo"));
        Path so = repo.resolve("agent/build/libinterleave-agent.so");
        if (!Files.isRegularFile(so)) {
            Process make = new ProcessBuilder("make", "-s", "-C", repo.resolve("agent").toString())
                    .redirectErrorStream(true).start();
            make.getInputStream().readAllBytes();
            assertTrue(make.waitFor(120, TimeUnit.SECONDS) && make.exitValue() == 0, "make -C agent failed");
        }
        System.setProperty(TracedLaunch.AGENT_PROPERTY, so.toString());
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    /** badcnt.c of the samples, built into the test's folder (gcc is a prerequisite, as for the agent). */
    private Path buildBadcnt() throws IOException, InterruptedException {
        Path repo = Path.of(System.getProperty("interleave.repo"));
        Path exe = tmp.resolve("badcnt");
        Process cc = new ProcessBuilder("gcc", "-O2", "-g", "-pthread", "-o", exe.toString(),
                repo.resolve("sample-servers/badcnt.c").toString()).redirectErrorStream(true).start();
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, msg);
        return exe;
    }

    @Test
    void withSourceTheFlaggedVariableIsWatchedAndItsWritesAreAFinding() throws Exception {
        Path repo = Path.of(System.getProperty("interleave.repo"));
        Path exe = buildBadcnt();
        Path dir = tmp.resolve("watched");
        Result r = run("trace", "--out", dir.toString(), "--source", repo.resolve("sample-servers/badcnt.c").toString(),
                "--", exe.toString(), "2000000");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("interleave: watching cnt (8 bytes) in every thread"), r.err());
        interleave.engine.trace.TraceRun run = interleave.engine.trace.TraceReader.read(dir);
        boolean armed = false, unavailable = false;
        for (var img : run.images()) {
            for (var t : img.threads()) {
                for (int i = 0; i < t.size(); i++) {
                    if (t.type(i) == interleave.engine.trace.RecordType.VAR_WATCH) {
                        armed |= (t.flags(i) & 0xf) == interleave.engine.trace.RecordType.VW_ARMED;
                        unavailable |= (t.flags(i) & 0xf) == interleave.engine.trace.RecordType.VW_UNAVAILABLE;
                    }
                }
            }
        }
        Result report = run("report", "--format", "text", dir.toString());
        if (unavailable) { // perf_event_open refused on this machine: nothing observed, nothing claimed
            assertTrue(!report.out().contains("observed-unsynchronized-write"), report.out());
            return;
        }
        assertTrue(armed, "the agent armed the watchpoints");
        StringBuilder spans = new StringBuilder(); // what the threads did, should the run ever show no race
        for (var img : run.images()) {
            for (var t : img.threads()) {
                spans.append(" thread ").append(t.tid()).append(" ").append(t.firstTs()).append("..").append(t.lastTs());
            }
        }
        assertEquals(1, report.status(), report.out() + report.err() + spans);
        assertTrue(report.out().contains("'cnt' was written by 2 threads with no lock held in common"), report.out());
        assertTrue(report.out().contains("[observed-unsynchronized-write]"), report.out());
    }

    @Test
    void withoutSourceNothingIsWatchedAndBadSourcesAreSaidClearly() throws Exception {
        Path exe = buildBadcnt();
        Path dir = tmp.resolve("plain");
        Result r = run("trace", "--out", dir.toString(), "--", exe.toString(), "1000");
        assertEquals(0, r.status(), r.err());
        assertTrue(!r.err().contains("watching"), r.err());
        Result report = run("report", "--format", "text", dir.toString());
        assertTrue(!report.out().contains("observed-unsynchronized-write"), report.out());

        Result missing = run("trace", "--out", tmp.resolve("m").toString(), "--source", tmp.resolve("nope.c").toString(),
                "--", exe.toString(), "10");
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().contains("--source " + tmp.resolve("nope.c") + ": no such file or directory"),
                missing.err());

        // a correct program: nothing flagged, nothing watched, and the run goes on
        Path good = Files.writeString(tmp.resolve("good.c"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
        Result none = run("trace", "--out", tmp.resolve("g").toString(), "--source", good.toString(), "--",
                exe.toString(), "10");
        assertEquals(0, none.status(), none.err());
        assertTrue(none.err().contains("no unsynchronized-shared-write finding: no variable to watch"), none.err());
    }

    @Test
    void aProgramStoppedAtTheTimeLimitExitsWith124() {
        Path dir = tmp.resolve("run");
        Result r = run("trace", "--out", dir.toString(), "--timeout", "0.5", "--", "sleep", "30");
        assertEquals(124, r.status(), r.err());
        assertTrue(r.err().contains("stopped after the time limit (exit status 124)"), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("interleave-run.properties")));
    }

    @Test
    void aProgramKilledByASignalIsSaidSoAndKeepsTheShellsStatus() {
        Result r = run("trace", "--out", tmp.resolve("k").toString(), "--", "sh", "-c", "kill -9 $$");
        assertEquals(137, r.status(), r.err());
        assertTrue(r.err().contains("program was killed by SIGKILL (exit status 137)"), r.err());
        Result ok = run("trace", "--out", tmp.resolve("e").toString(), "--", "sh", "-c", "exit 3");
        assertEquals(3, ok.status(), ok.err());
        assertTrue(ok.err().contains("program exited with status 3 "), ok.err());
        // the same status passed to exit() on purpose: the trace's PROC_EXIT tells it from a SIGKILL
        Result own = run("trace", "--out", tmp.resolve("x").toString(), "--", "sh", "-c", "exit 137");
        assertEquals(137, own.status(), own.err());
        assertTrue(own.err().contains("program exited with status 137 "), own.err());
    }

    @Test
    void lostEventsAreCountedAndReportedByTraceAndReport() throws IOException {
        Path dir = tmp.resolve("lost");
        Result r = run("trace", "--out", dir.toString(), "--", "true");
        assertEquals(0, r.status(), r.err());
        assertTrue(!r.err().contains("could not store"), r.err());
        // as the agent does when it cannot write: the count in the header of a file (offset 224)
        Path file;
        try (var files = Files.list(dir)) {
            file = files.filter(f -> f.toString().endsWith(".trace")).findFirst().orElseThrow();
        }
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 1234), 224);
        }
        assertEquals(1234, TracedLaunch.lostEvents(dir));
        Result report = run("report", "--format", "text", dir.toString());
        assertTrue(report.err().contains("the agent could not store 1234 event(s)"), report.err());
    }

    @Test
    void aJavaVirtualMachineGetsNoNativeFindings() throws IOException {
        // a run with a real finding (threads never joined or detached), then the same run as if it were a JVM
        Path fixture = Path.of(System.getProperty("interleave.traces")).resolve("echo-thread-nodetach");
        Result before = run("report", "--format", "text", fixture.toString());
        assertEquals(1, before.status(), before.err());
        Path copy = Files.createDirectories(tmp.resolve("jvm"));
        try (var files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        try (var files = Files.list(copy)) {
            for (Path maps : files.filter(f -> f.toString().endsWith(".maps")).toList()) {
                Files.writeString(maps, "7f0000000000-7f0000100000 r-xp 00000000 08:01 42"
                        + "   /usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        }
        Result after = run("report", "--format", "text", copy.toString());
        assertEquals(0, after.status(), after.out() + after.err());
        assertTrue(after.err().contains("runs a Java virtual machine (libjvm.so is mapped)"), after.err());
        assertTrue(after.err().contains("JDK Flight Recorder support comes later"), after.err());
    }

    @Test
    void tracingTheJavaLauncherSaysItIsNotJudged() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Result r = run("trace", "--out", tmp.resolve("j").toString(), "--timeout", "30", "--", java.toString(),
                "-version");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("runs a Java virtual machine: it is recorded for the timeline, but the native"
                + " detectors do not judge Java programs (JDK Flight Recorder support comes later)"), r.err());
    }
}
