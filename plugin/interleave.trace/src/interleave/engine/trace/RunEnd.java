package interleave.engine.trace;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * {@code interleave-run.properties}: written by the launcher (not the agent) when the traced program ended or was
 * stopped, with the CLOCK_MONOTONIC time of that moment ({@code System.nanoTime()} is CLOCK_MONOTONIC on Linux, the
 * agent's clock). A deadlocked program records nothing after it hangs; this is what tells how long it hung.
 */
public final class RunEnd {
    public static final String FILE = "interleave-run.properties";

    private RunEnd() {
    }

    public static void write(Path runDir, long endMonotonicNs, String stoppedBy, int exitStatus) {
        Properties p = new Properties();
        p.setProperty("end_mono_ns", Long.toString(endMonotonicNs));
        p.setProperty("stopped_by", stoppedBy);
        p.setProperty("exit_status", Integer.toString(exitStatus));
        try (Writer w = Files.newBufferedWriter(runDir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "written by interleave when the traced program ended (see docs/trace-format.md)");
        } catch (IOException e) {
            // without it the run ends at its last event, as for a run traced without the launcher
        }
    }

    /** The end time, if the launcher wrote one and it is readable. */
    public static OptionalLong read(Path runDir) {
        if (runDir == null) {
            return OptionalLong.empty();
        }
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return OptionalLong.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            return OptionalLong.of(Long.parseLong(p.getProperty("end_mono_ns", "").trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
