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

    /**
     * Events the agent could not store, summed over the thread headers of the run (field lost_events, format §3;
     * the threads of a shared thread file, §2.1, each have theirs).
     */
    public static long lostEvents(Path runDir) {
        long lost = 0;
        try (var files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".trace")).sorted().toList()) {
                if (SharedThreadFile.isShared(f.getFileName().toString())) {
                    lost += new SharedThreadFile(f).lostEvents();
                    continue;
                }
                try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ)) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    if (ch.size() >= 232 && ch.read(b, 224) == 8) {
                        lost += Math.max(0, b.getLong(0));
                    }
                } catch (IOException e) {
                    // an unreadable file is the report's to explain
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return lost;
    }

    /**
     * Whether the program's main thread recorded an exit with this status (PROC_EXIT, format §5): Java reports a
     * program killed by signal N as status 128 + N, the same number a program may pass to exit() itself; the trace
     * tells the two apart. Only the last 65,536 records of each file of that pid's main thread are read.
     */
    public static boolean exitedWith(Path runDir, long pid, int status) {
        try (var files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches(pid + "-" + pid + "(\\.\\d+)?\\.trace"))
                    .toList()) {
                try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ)) {
                    // slot 0 starts at the header's header_size (4096 before format 1.6, 256 since)
                    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                        // read all
                    }
                    long hs = h.position() == 16 ? h.getInt(12) : 4096;
                    if (hs < FileScanner.HEADER_FIELDS || hs > 1 << 20) {
                        continue; // not a readable header: not known to have exited on purpose
                    }
                    long size = ch.size(), first = Math.max(hs, size - 65536L * 64);
                    first = hs + (first - hs) / 64 * 64;
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.max(0, size - first))
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    while (b.hasRemaining() && ch.read(b, first + b.position()) > 0) {
                        // read all
                    }
                    for (int off = 0; off + 64 <= b.position(); off += 64) {
                        if ((b.getInt(off) & 0xffff) == RecordType.PROC_EXIT
                                && (int) b.getLong(off + 24) == status) {
                            return true;
                        }
                    }
                } catch (java.io.IOException e) {
                    // unreadable: not known to have exited on purpose
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }
}
