package interleave.engine.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import interleave.engine.cli.Main;
import interleave.engine.finding.Severity;
import interleave.engine.settings.Settings;
import interleave.engine.settings.SettingsException;

/** Rules turned off or re-graded by a settings file, and single findings silenced by a comment. */
class SettingsAndSuppressionTest {
    @TempDir
    Path tmp;

    /** The lecture's printf in a SIGCHLD handler: one finding of unsafe-call-in-signal-handler on line 9. */
    private static final String HANDLER = """
            #include <errno.h>
            #include <signal.h>
            #include <stdio.h>
            #include <sys/wait.h>
            static void reap(int sig)
            {
                int saved_errno = errno;
                while (waitpid(-1, NULL, WNOHANG) > 0)
                    printf("reaped a child\\n");%s
                errno = saved_errno;
            }
            int main(void)
            {
                signal(SIGCHLD, reap);
                for (;;)
                    ;
            }
            """;

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    private Path program(String trailingComment) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("project"));
        Path c = dir.resolve("server.c");
        Files.writeString(c, HANDLER.formatted(trailingComment));
        return c;
    }

    @Test
    void withoutSettingsTheHandlerCallIsAnError() throws IOException {
        Run r = run("analyze", program("").toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("server.c:9:9: error: printf()"), r.out());
    }

    @Test
    void settingsFileAtTheProjectRootTurnsARuleOff() throws IOException {
        Path c = program("");
        Files.writeString(c.getParent().resolve(".interleave"), "unsafe-call-in-signal-handler = off\n");
        Run r = run("analyze", c.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("0 finding(s)"), r.out());
    }

    @Test
    void configOptionChangesTheSeverity() throws IOException {
        Path c = program("");
        Path cfg = Files.writeString(tmp.resolve("strict.properties"), "unsafe-call-in-signal-handler = warning\n");
        Run r = run("analyze", "--config", cfg.toString(), c.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains("server.c:9:9: warning: printf()"), r.out());
    }

    @Test
    void badSettingsAreAUsageErrorThatNamesFileAndLine() throws IOException {
        Path c = program("");
        Path cfg = Files.writeString(tmp.resolve("bad"), "unsafe-call-in-signal-handler = loud\n");
        Run r = run("analyze", "--config", cfg.toString(), c.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unsafe-call-in-signal-handler = loud: expected on, off, error, warning or note"),
                r.err());
        Run missing = run("analyze", "--config", tmp.resolve("nope").toString(), c.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("cannot read the settings file"), missing.err());
    }

    @Test
    void unknownRuleInSettingsIsReportedNotIgnoredSilently() throws IOException {
        Path c = program("");
        Path cfg = Files.writeString(tmp.resolve("typo"), "unsafe-call-in-signal-handlr = off\n");
        Run r = run("analyze", "--config", cfg.toString(), c.toString());
        assertEquals(1, r.status(), "the real rule still runs");
        assertTrue(r.out().contains("no rule 'unsafe-call-in-signal-handlr'"), r.out());
    }

    @Test
    void ignoreCommentOnTheLineSilencesOneFindingAndSarifShowsItSuppressed() throws IOException {
        Path c = program(" /* interleave-ignore: unsafe-call-in-signal-handler only in the teaching demo */");
        Run text = run("analyze", c.toString());
        assertEquals(0, text.status(), text.out());
        assertTrue(text.out().contains("1 more silenced by interleave-ignore comments"), text.out());

        Path out = tmp.resolve("r.sarif");
        assertEquals(0, run("analyze", "--format", "sarif", "-o", out.toString(), c.toString()).status());
        JsonObject sarifRun = JsonParser.parseString(Files.readString(out)).getAsJsonObject().getAsJsonArray("runs")
                .get(0).getAsJsonObject();
        JsonArray results = sarifRun.getAsJsonArray("results");
        assertEquals(1, results.size());
        JsonObject suppression = results.get(0).getAsJsonObject().getAsJsonArray("suppressions").get(0)
                .getAsJsonObject();
        assertEquals("inSource", suppression.get("kind").getAsString());
        assertEquals("only in the teaching demo", suppression.get("justification").getAsString());
    }

    @Test
    void ignoreCommentOnTheLineAboveCountsOnlyWhenItStandsAlone() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("above"));
        Path alone = Files.writeString(dir.resolve("alone.c"), HANDLER.formatted("").replace(
                "        printf(", "        // interleave-ignore: unsafe-call-in-signal-handler\n        printf("));
        assertEquals(0, run("analyze", alone.toString()).status());

        Path trailing = Files.writeString(dir.resolve("trailing.c"), HANDLER.formatted("").replace(
                "    while (waitpid(-1, NULL, WNOHANG) > 0)",
                "    while (waitpid(-1, NULL, WNOHANG) > 0) // interleave-ignore: unsafe-call-in-signal-handler"));
        assertEquals(1, run("analyze", trailing.toString()).status(), "a trailing comment belongs to its own line");

        Path otherRule = Files.writeString(dir.resolve("other.c"),
                HANDLER.formatted(" // interleave-ignore: stack-address-to-thread"));
        assertEquals(1, run("analyze", otherRule.toString()).status(), "only the named rule is silenced");
    }

    @Test
    void settingsParseOptionsAndFindTheNearestFile() throws Exception {
        Settings s = Settings.parse("# comment\nthread-unsafe-call = note\nthread-unsafe-call.functions = glibc\n"
                + "lock-order-inversion = off\nstack-address-to-thread = on\n", "test");
        assertEquals(Severity.NOTE, s.severity("thread-unsafe-call", Severity.ERROR));
        assertEquals("glibc", s.option("thread-unsafe-call", "functions"));
        assertFalse(s.enabled("lock-order-inversion"));
        assertTrue(s.enabled("stack-address-to-thread"));
        assertFalse(s.overridesSeverity("stack-address-to-thread"));
        assertThrows(SettingsException.class, () -> Settings.parse("Bad Key = on\n", "test"));

        Path root = Files.createDirectories(tmp.resolve("proj/src/deep"));
        Files.writeString(tmp.resolve("proj/.interleave"), "x = off\n");
        assertEquals(tmp.resolve("proj/.interleave").toAbsolutePath(), Settings.find(root).orElseThrow());
    }
}
