package interleave.engine.tests.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.cli.Main;

/** A report of a run without --source says that no source was given, not "No findings" for the static part. */
class ReportWithoutSourceTest {
    @TempDir
    Path tmp;

    private static String report(Path out, String... extra) throws Exception {
        Path run = Path.of(System.getProperty("interleave.fixtures")).getParent().resolve("traces/echo-select");
        String[] args = new String[4 + extra.length];
        args[0] = "report";
        args[1] = "--out";
        args[2] = out.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        args[args.length - 1] = run.toString();
        StringWriter err = new StringWriter();
        Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertTrue(Files.isRegularFile(out), err.toString());
        return Files.readString(out);
    }

    @Test
    void theStaticPartSaysNoSourceGivenUnlessSourcesArePassed() throws Exception {
        String without = report(tmp.resolve("a.html"));
        assertTrue(without.contains("No source given"), "no source: said so");
        Path source = Path.of(System.getProperty("interleave.fixtures")).getParent().getParent().getParent()
                .resolve("sample-servers/echo-select.c");
        assertTrue(Files.isRegularFile(source), source.toString());
        String with = report(tmp.resolve("b.html"), "--source", source.toString());
        assertFalse(with.contains("No source given"), "a source was given");
        assertTrue(with.contains("No findings."), "the correct sample has no static finding");
    }
}
