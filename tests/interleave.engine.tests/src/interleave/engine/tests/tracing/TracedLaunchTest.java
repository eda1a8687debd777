package interleave.engine.tests.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.tracing.TracedLaunch;
import interleave.engine.tracing.TracedLaunch.LaunchException;

/** The checks before a traced run: what the user gets told when the program or the run directory is wrong. */
class TracedLaunchTest {
    @TempDir
    Path tmp;

    @Test
    void programsAreFoundInPathOrByPath() throws LaunchException {
        assertTrue(TracedLaunch.resolveProgram("sh").toString().endsWith("/sh"));
        assertEquals(Path.of("/bin/sh"), TracedLaunch.resolveProgram("/bin/sh"));
    }

    @Test
    void missingOrNonExecutableProgramsAreNamed() throws IOException {
        LaunchException e = assertThrows(LaunchException.class,
                () -> TracedLaunch.resolveProgram("no-such-program-xyz"));
        assertEquals("cannot run 'no-such-program-xyz': no such program in PATH", e.getMessage());
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hi");
        e = assertThrows(LaunchException.class, () -> TracedLaunch.resolveProgram(text.toString()));
        assertTrue(e.getMessage().endsWith("not an executable file"), e.getMessage());
        e = assertThrows(LaunchException.class, () -> TracedLaunch.resolveProgram(tmp + "/gone"));
        assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    }

    @Test
    void runsAreNeverMixedIntoAnUsedDirectory() throws IOException, LaunchException {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("1-1.trace"), "x");
        LaunchException e = assertThrows(LaunchException.class, () -> TracedLaunch.prepareRunDir(used, "srv"));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        Path fresh = TracedLaunch.prepareRunDir(tmp.resolve("a/b/run"), "srv");
        assertTrue(Files.isDirectory(fresh));
    }

    @Test
    void aMissingAgentSaysHowToBuildIt() {
        String old = System.getProperty(TracedLaunch.AGENT_PROPERTY);
        System.setProperty(TracedLaunch.AGENT_PROPERTY, tmp.resolve("libinterleave-agent.so").toString());
        try {
            LaunchException e = assertThrows(LaunchException.class, TracedLaunch::findAgent);
            assertTrue(e.getMessage().contains("make -C agent"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(TracedLaunch.AGENT_PROPERTY);
            } else {
                System.setProperty(TracedLaunch.AGENT_PROPERTY, old);
            }
        }
    }
}
