package interleave.engine.tests.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/** The committed trace fixtures (traces/, see its README) and a writer for hand-made trace files. */
final class Traces {
    private Traces() {
    }

    static Path root() {
        String p = System.getProperty("interleave.traces");
        Path dir = p != null ? Path.of(p) : Path.of("traces");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("trace fixtures not found: " + dir.toAbsolutePath());
        }
        return dir;
    }

    /** Names of the committed runs (every folder but golden/). */
    static java.util.List<String> runNames() {
        try (Stream<Path> dirs = Files.list(root())) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .filter(n -> !n.equals("golden") && !n.equals("programs")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir(String name) {
        return root().resolve(name);
    }

    static TraceRun read(String name) {
        try {
            return TraceReader.read(dir(name));
        } catch (TraceException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a fixture run into a scratch directory (to damage it). */
    static Path copy(String name, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(dir(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    /** Writes format-v1 files: a header and 64-byte records, as the agent lays them out. */
    static final class Writer {
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private int slots;

        Writer(int flags, int pid, int tid, long imageStart, String mapsFile) {
            buf.put("ILVTRACE".getBytes(StandardCharsets.US_ASCII));
            buf.putShort(8, (short) 1).putShort(10, (short) 0).putInt(12, 4096).putInt(16, 64).putInt(20, flags)
                    .putInt(24, pid).putInt(28, tid).putInt(32, 1).putLong(40, imageStart)
                    .putLong(48, System.currentTimeMillis() * 1_000_000L).putLong(56, imageStart)
                    .putLong(64, 0x7f0000000000L + tid);
            byte[] maps = mapsFile.getBytes(StandardCharsets.UTF_8);
            buf.put(96, maps, 0, maps.length);
        }

        /** Marks the file as a thread created by a traced pthread_create of thread {@code creatorTid} (header §3). */
        Writer created(int creatorTid, long createId) {
            buf.putInt(20, buf.getInt(20) | 2).putInt(72, creatorTid).putLong(80, createId);
            return this;
        }

        /** Appends a record; returns its slot. */
        int record(int type, int phase, int flags, long ts, long ra, long... a) {
            int off = 4096 + slots * 64;
            buf.putInt(off + 4, 0).putLong(off + 8, ts).putLong(off + 16, ra);
            for (int k = 0; k < a.length; k++) {
                buf.putLong(off + 24 + 8 * k, a[k]);
            }
            buf.putInt(off, (type & 0xffff) | (phase << 16) | (flags << 24));
            return slots++;
        }

        /** Leaves a reserved slot unwritten (all zero), as a killed writer does. */
        int hole() {
            return slots++;
        }

        /** Appends a STRING record holding {@code text} for the owner slot (one piece, ≤ 32 bytes). */
        void string(int owner, int key, long ts, String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int off = 4096 + slots * 64;
            buf.putInt(off + 4, b.length).putLong(off + 8, ts).putLong(off + 16, owner).putInt(off + 24, 0)
                    .putInt(off + 28, b.length).put(off + 32, b, 0, b.length);
            buf.putInt(off, 1 | (key << 24));
            slots++;
        }

        byte[] bytes(int extraZeroSlots) {
            byte[] out = new byte[4096 + (slots + extraZeroSlots) * 64];
            buf.get(0, out, 0, 4096 + slots * 64);
            return out;
        }

        Path write(Path file, int extraZeroSlots) {
            try {
                Files.write(file, bytes(extraZeroSlots));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file;
        }
    }
}
