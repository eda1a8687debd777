package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;

/**
 * The handler fix applied through the engine to the lecture's {@code fork-printf-handler.c}, compiled and run: the
 * fixed program must still print one "started" and one "reaped" line per child with the same numbers, and finish.
 * Needs gcc; without it the test fails and says so (a compiler is part of this project's test setup).
 */
class SignalHandlerFixRunTest {
    private static final int CHILDREN = 100; // main's lines stay below one stdio buffer, so stdio never splits one

    @Test
    void fixedForkPrintfHandlerStillPrintsEveryLineAndFinishes(@TempDir Path dir) throws Exception {
        Path sample = repo().resolve("sample-servers/fork-printf-handler.c");
        String text = Files.readString(sample, StandardCharsets.UTF_8);
        String name = sample.getFileName().toString();
        AnalysisResult r = new CAnalyzer().analyze(List.of(SourceFile.of(name, text)), CAnalyzer.Progress.NONE,
                () -> false);
        Finding printf = r.findings().stream().filter(f -> f.message().startsWith("printf()")).findFirst()
                .orElseThrow(() -> new AssertionError("no printf finding in " + sample + ": " + r.findings()));
        Fix fix = printf.fixes().stream().filter(x -> x.label().contains("write(2)")).findFirst()
                .orElseThrow(() -> new AssertionError("no write(2) fix for " + printf.message()));
        String fixed = fix.applyTo(name, text);
        assertTrue(!fixed.contains("printf(\"reaped"), "the handler's printf is still there");

        Path src = dir.resolve(name);
        Files.writeString(src, fixed, StandardCharsets.UTF_8);
        Path bin = dir.resolve("fork-printf-handler");
        Run gcc = run(dir, 120, "gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", bin.toString(),
                src.toString());
        assertEquals(0, gcc.status, "the fixed sample does not compile cleanly:\n" + gcc.err + "\n" + fixed);

        Run run = run(dir, 60, bin.toString(), Integer.toString(CHILDREN), "--timeout", "5");
        assertEquals(0, run.status, "the fixed sample did not finish normally (3 = its watchdog saw a deadlock):\n"
                + run.err);
        assertTrue(run.err.contains("forked " + CHILDREN + " children, handler reaped " + CHILDREN), run.err);

        Pattern started = Pattern.compile("started child (\\d+) pid (\\d+)");
        Pattern reaped = Pattern.compile("reaped child (\\d+) pid (\\d+) status 0000");
        Map<Integer, String> startedPid = new HashMap<>();
        Map<Integer, String> reapedPid = new HashMap<>();
        for (String line : run.out.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher s = started.matcher(line);
            Matcher p = reaped.matcher(line);
            if (s.matches()) {
                assertEquals(null, startedPid.put(Integer.parseInt(s.group(1)), s.group(2)), "twice: " + line);
            } else if (p.matches()) {
                assertEquals(null, reapedPid.put(Integer.parseInt(p.group(1)), p.group(2)), "twice: " + line);
            } else {
                fail("a line the sample does not print: '" + line + "'");
            }
        }
        for (int i = 0; i < CHILDREN; i++) {
            assertTrue(startedPid.containsKey(i), "no 'started' line for child " + i);
            assertEquals(startedPid.get(i), reapedPid.get(i), "reaped line of child " + i);
        }
    }

    /**
     * Every write(2) fix of a handler that prints with all the formats the fix translates, applied one after another
     * (each on the text the previous one left): the fixed program prints exactly what the original printed.
     */
    @Test
    void writeFixesPrintExactlyWhatPrintfPrinted(@TempDir Path dir) throws Exception {
        Path fixture = interleave.engine.tests.Fixtures.root().resolve(
                "c/unsafe-call-in-signal-handler/bad-printf-formats.c");
        String name = fixture.getFileName().toString();
        String original = Files.readString(fixture, StandardCharsets.UTF_8);
        String text = original;
        int applied = 0;
        for (int round = 0; round < 50; round++) {
            AnalysisResult r = new CAnalyzer().analyze(List.of(SourceFile.of(name, text)), CAnalyzer.Progress.NONE,
                    () -> false);
            Fix next = r.findings().stream().filter(f -> f.ruleId().equals("unsafe-call-in-signal-handler"))
                    .flatMap(f -> f.fixes().stream()).filter(x -> x.label().contains("write(2)")).findFirst()
                    .orElse(null);
            if (next == null) {
                assertTrue(r.findings().isEmpty(), "findings left without a write(2) fix: " + r.findings());
                break;
            }
            text = next.applyTo(name, text);
            applied++;
        }
        assertEquals(10, applied, "one fix per output call of the fixture");
        assertEquals(compileAndRun(dir, "original", original), compileAndRun(dir, "fixed", text),
                "the fixed handler prints something else; fixed source:\n" + text);
    }

    /** The counting fix moves constant output into main's loop: the program prints the same lines, none lost. */
    @Test
    void countedOutputFromMainLoopPrintsWhatTheHandlerPrinted(@TempDir Path dir) throws Exception {
        Path fixture = interleave.engine.tests.Fixtures.root().resolve(
                "c/unsafe-call-in-signal-handler/bad-constant-output-in-handler.c");
        String name = fixture.getFileName().toString();
        String original = Files.readString(fixture, StandardCharsets.UTF_8);
        AnalysisResult r = new CAnalyzer().analyze(List.of(SourceFile.of(name, original)), CAnalyzer.Progress.NONE,
                () -> false);
        Fix count = r.findings().stream().flatMap(f -> f.fixes().stream()).filter(x -> x.label().startsWith(
                "Count the")).findFirst().orElseThrow(() -> new AssertionError("no counting fix: " + r.findings()));
        String fixed = count.applyTo(name, original);
        String before = compileAndRun(dir, "original", original);
        assertEquals("tick\n".repeat(6) + "done after 3 rounds\n", before);
        assertEquals(before, compileAndRun(dir, "fixed", fixed), "fixed source:\n" + fixed);
    }

    private static String compileAndRun(Path dir, String tag, String source) throws Exception {
        Path src = dir.resolve(tag + ".c");
        Files.writeString(src, source, StandardCharsets.UTF_8);
        Path bin = dir.resolve(tag);
        Run gcc = run(dir, 120, "gcc", "-O2", "-w", "-o", bin.toString(), src.toString());
        assertEquals(0, gcc.status, tag + " does not compile:\n" + gcc.err + "\n" + source);
        Run run = run(dir, 30, bin.toString());
        assertEquals(0, run.status, tag + " failed:\n" + run.err);
        return run.out;
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                    .redirectError(dir.resolve("err.txt").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + " (is it installed?): " + e.getMessage(), e);
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve(
                "err.txt")));
    }

    private static Path repo() {
        String p = System.getProperty("interleave.repo");
        Path dir = p != null ? Path.of(p) : Path.of("../..");
        if (!Files.isRegularFile(dir.resolve("sample-servers/fork-printf-handler.c"))) {
            throw new IllegalStateException("sample-servers not found under " + dir.toAbsolutePath());
        }
        return dir;
    }
}
