package interleave.engine.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.tests.Fixtures;

/** Crash reporters are one setting away from silent, and that setting silences nothing else. */
class CrashHandlerSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void crashHandlerRuleOffSilencesOnlyCrashReporters() throws IOException {
        Path crash = Fixtures.root().resolve("c/unsafe-call-in-crash-handler/bad-sigsegv-reporter.c");
        Path ordinary = Fixtures.root().resolve("c/unsafe-call-in-signal-handler/bad-printf-in-sigchld.c");

        AnalyzeCommandTest.Run on = AnalyzeCommandTest.run("analyze", crash.toString(), ordinary.toString());
        assertTrue(on.out().contains("warning: fprintf() is not async-signal-safe but runs inside the crash handler"),
                on.out());
        assertTrue(on.out().contains("[unsafe-call-in-crash-handler]"), on.out());

        Path settings = tmp.resolve(".interleave");
        Files.writeString(settings, "unsafe-call-in-crash-handler = off\n");
        AnalyzeCommandTest.Run off = AnalyzeCommandTest.run("analyze", "--config", settings.toString(),
                crash.toString(), ordinary.toString());
        assertFalse(off.out().contains("[unsafe-call-in-crash-handler]"), off.out());
        assertTrue(off.out().contains("[unsafe-call-in-signal-handler]"), "the ordinary handler is still reported:\n"
                + off.out());
        assertEquals(1, off.status(), off.err());
    }
}
