package interleave.engine.trace;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one trace file, and reads it again as it grows: slots found zero are re-checked later, slots already
 * committed are never read twice (a committed record never changes, format §2).
 */
final class FileScanner {
    static final int HEADER_FIELDS = 232; // bytes of the v1 header that hold fields

    /** Where a scanner's bytes come from: a trace file, or one thread's chunks of a shared thread file. */
    interface Source {
        Reader open() throws IOException;
    }

    /** The bytes of one thread's file as its format lays them out: header, then slot after slot. */
    interface Reader extends Closeable {
        long size() throws IOException;

        /** Reads into {@code b} from {@code pos} on; -1 at the end. */
        int read(ByteBuffer b, long pos) throws IOException;
    }

    private static Reader of(FileChannel ch) {
        return new Reader() {
            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public int read(ByteBuffer b, long pos) throws IOException {
                return ch.read(b, pos);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
    private static final int CHUNK_SLOTS = 65536;
    private static final byte[] MAGIC = "ILVTRACE".getBytes(StandardCharsets.US_ASCII);

    final Path path;
    final String name;
    TraceHeader header;
    /** Bad magic or version: nothing more will be read from this file. */
    private boolean rejected;
    /** Slots before {@link #tailStart} that were zero when read (reserved, not yet committed). */
    private int[] holes = new int[0];
    private int holeCount;
    /** First slot after the last committed one seen: everything from here on is re-read in bulk. */
    private long tailStart;
    final EventColumns raw = new EventColumns(64);
    /** STRING pieces by (owner slot, key). */
    final Map<Long, StringParts> strings = new HashMap<>();
    /** CPU records (format 1.2): owner slot → the CPU the thread ran on from that event on. */
    final Map<Integer, Integer> cpus = new HashMap<>();
    /** Damage of the file as of the last scan (a partial slot can be completed later by a live writer). */
    final List<TraceDamage> damage = new ArrayList<>();
    private final List<TraceDamage> recordDamage = new ArrayList<>();
    /** Slots at and past this one are left for a later scan (a big file read in chunks, see ChunkedFile). */
    long slotLimit = Long.MAX_VALUE;

    private final Source source;
    /** Not a thread's bytes: this scanner only reports the damage of a shared thread file. */
    private final SharedThreadFile damageOf;

    FileScanner(Path path) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.source = () -> of(FileChannel.open(path, StandardOpenOption.READ));
        this.damageOf = null;
    }

    /** One thread of a shared thread file, named {@code name}, its bytes from {@code source}. */
    FileScanner(Path path, String name, Source source) {
        this.path = path;
        this.name = name;
        this.source = source;
        this.damageOf = null;
    }

    /** The damage of a shared thread file as a whole (its threads have scanners of their own). */
    FileScanner(SharedThreadFile shared) {
        this.path = shared.path;
        this.name = shared.name;
        this.source = null;
        this.damageOf = shared;
    }

    /** A fresh scanner over the same bytes: a file, or one thread's chunks of a shared thread file. */
    FileScanner again() {
        return damageOf != null ? new FileScanner(damageOf) : new FileScanner(path, name, source);
    }

    /** How many bytes this scanner's thread has now, laid out as its own file would be (0 for a damage scanner). */
    long bytes() throws IOException {
        if (source == null) {
            return 0;
        }
        try (Reader r = source.open()) {
            return r.size();
        }
    }

    /** One string being put together from its pieces (format §4.2). */
    static final class StringParts {
        final byte[] bytes;
        final boolean cut;
        int received;

        StringParts(int totalLen, boolean cut) {
            this.bytes = new byte[totalLen];
            this.cut = cut;
        }
    }

    /** Reads what is new; returns the number of records added to {@link #raw}. */
    int scan() {
        if (rejected) {
            return 0;
        }
        damage.clear();
        if (damageOf != null) {
            damage.addAll(damageOf.damage());
            return 0;
        }
        int before = raw.size;
        try (Reader ch = source.open()) {
            long size = ch.size();
            if (header == null && !readHeader(ch, size)) {
                damage.addAll(recordDamage);
                return 0;
            }
            long hs = header.headerSize(), rs = header.recordSize();
            long fullSlots = size < hs ? 0 : (size - hs) / rs;
            long rest = size < hs ? 0 : (size - hs) % rs;
            if (size < hs) {
                damage.add(new TraceDamage(name, size, "header cut short: the file has " + size
                        + " bytes, the header needs " + hs + "; no records read"));
            }
            recheckHoles(ch);
            scanRange(ch, tailStart, Math.min(fullSlots, slotLimit));
            if (rest != 0) {
                damage.add(new TraceDamage(name, hs + fullSlots * rs, "last record cut short: " + rest + " of " + rs
                        + " bytes after slot " + (fullSlots - 1) + "; those bytes were ignored"));
            }
        } catch (NoSuchFileException e) {
            damage.add(new TraceDamage(name, 0, "file disappeared while being read"));
        } catch (IOException e) {
            damage.add(new TraceDamage(name, 0, "cannot read the file: " + e.getMessage()));
        }
        damage.addAll(recordDamage);
        return raw.size - before;
    }

    private boolean readHeader(Reader ch, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 4096)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, b, 0);
        int have = b.position();
        boolean zeroStart = true;
        for (int i = 0; i < Math.min(have, 8); i++) {
            zeroStart &= b.get(i) == 0;
        }
        if (zeroStart) {
            return false; // a file being created (magic is written last): empty for now, not damage
        }
        if (have < 8) {
            recordDamage.add(new TraceDamage(name, have, "header cut short: the file has " + have
                    + " bytes, the header needs at least " + HEADER_FIELDS + "; file skipped"));
            rejected = true;
            return false;
        }
        for (int i = 0; i < 8; i++) {
            if (b.get(i) != MAGIC[i]) {
                StringBuilder found = new StringBuilder();
                for (int k = 0; k < 8; k++) {
                    found.append(k > 0 ? " " : "").append(String.format("%02X", b.get(k) & 0xff));
                }
                recordDamage.add(new TraceDamage(name, 0, "not an Interleave trace: the file starts with " + found
                        + " instead of ILVTRACE; file skipped"));
                rejected = true;
                return false;
            }
        }
        if (have < HEADER_FIELDS) {
            // the size it states when that much is there (4096 before format 1.6, 256 since)
            int needs = have >= 16 ? Math.max(b.getInt(12), HEADER_FIELDS) : HEADER_FIELDS;
            recordDamage.add(new TraceDamage(name, have, "header cut short: the file has " + have
                    + " bytes, the header needs " + needs + "; file skipped"));
            rejected = true;
            return false;
        }
        int major = b.getShort(8) & 0xffff, minor = b.getShort(10) & 0xffff;
        if (major != 1) {
            recordDamage.add(new TraceDamage(name, 8, "trace format version " + major + "." + minor
                    + " is not supported (this reader reads version 1.x); file skipped"));
            rejected = true;
            return false;
        }
        int hs = b.getInt(12), rs = b.getInt(16);
        if (hs < HEADER_FIELDS || rs < 64 || hs > (1 << 20) || rs > 4096) {
            recordDamage.add(new TraceDamage(name, 12, "header gives impossible sizes (header " + hs
                    + " bytes, record " + rs + " bytes); file skipped"));
            rejected = true;
            return false;
        }
        byte[] maps = new byte[128];
        b.get(96, maps);
        int len = 0;
        while (len < maps.length && maps[len] != 0) {
            len++;
        }
        header = new TraceHeader(major, minor, hs, rs, b.getInt(20), b.getInt(24), b.getInt(28), b.getInt(32),
                b.getInt(36), b.getLong(40), b.getLong(48), b.getLong(56), b.getLong(64), b.getInt(72), b.getLong(80),
                new String(maps, 0, len, StandardCharsets.UTF_8), b.getLong(224));
        return true;
    }

    private static void readFully(Reader ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                break;
            }
        }
    }

    private void recheckHoles(Reader ch) throws IOException {
        if (holeCount == 0) {
            return;
        }
        int rs = header.recordSize();
        ByteBuffer b = ByteBuffer.allocate(rs).order(ByteOrder.LITTLE_ENDIAN);
        int kept = 0;
        for (int h = 0; h < holeCount; h++) {
            int slot = holes[h];
            b.clear();
            readFully(ch, b, header.headerSize() + (long) slot * rs);
            if (b.position() == rs && b.getInt(0) != 0) {
                take(b, 0, slot);
            } else {
                holes[kept++] = slot;
            }
        }
        holeCount = kept;
    }

    private void scanRange(Reader ch, long from, long to) throws IOException {
        int rs = header.recordSize();
        if (to <= from) {
            return;
        }
        // sized to what is to be read: most files of a fork-heavy run hold a few dozen records
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(CHUNK_SLOTS, to - from) * rs)
                .order(ByteOrder.LITTLE_ENDIAN);
        long lastCommitted = tailStart - 1;
        for (long first = from; first < to; first += CHUNK_SLOTS) {
            int n = (int) Math.min(CHUNK_SLOTS, to - first);
            b.clear().limit(n * rs);
            readFully(ch, b, header.headerSize() + first * rs);
            n = Math.min(n, b.position() / rs);
            for (int i = 0; i < n; i++) {
                int off = i * rs;
                if (b.getInt(off) == 0) {
                    continue;
                }
                long slot = first + i;
                for (long z = lastCommitted + 1; z < slot; z++) {
                    addHole((int) z); // reserved but not committed before a committed slot
                }
                lastCommitted = slot;
                take(b, off, (int) slot);
            }
        }
        tailStart = lastCommitted + 1;
    }

    private void addHole(int slot) {
        if (holeCount == holes.length) {
            holes = java.util.Arrays.copyOf(holes, Math.max(16, holes.length * 2));
        }
        holes[holeCount++] = slot;
    }

    private void take(ByteBuffer b, int off, int slot) {
        int word = b.getInt(off);
        int type = word & 0xffff, phase = (word >>> 16) & 0xff;
        if (type == RecordType.STRING) {
            takeString(b, off, slot);
            return;
        }
        if (type == RecordType.CPU) {
            long owner = b.getLong(off + 24), cpu = b.getLong(off + 32);
            if (owner >= 0 && owner <= Integer.MAX_VALUE && cpu >= 0 && cpu < 1 << 20) {
                cpus.put((int) owner, (int) cpu);
            }
            return; // not an event: it annotates its owner
        }
        if (phase > RecordType.CALL) {
            recordDamage.add(new TraceDamage(name, header.headerSize() + (long) slot * header.recordSize(),
                    "record with invalid phase " + phase + " in slot " + slot + "; record skipped"));
            return;
        }
        if (!RecordType.isKnown(type)) {
            return; // a newer minor version's record: skip, as the format asks
        }
        raw.add(b.getLong(off + 8), word, b.getInt(off + 4), b.getLong(off + 16), b.getLong(off + 24),
                b.getLong(off + 32), b.getLong(off + 40), b.getLong(off + 48), b.getLong(off + 56), slot);
    }

    private void takeString(ByteBuffer b, int off, int slot) {
        int key = b.get(off + 3) & 0xff;
        int total = b.getInt(off + 4);
        long owner = b.getLong(off + 16);
        int pieceOff = b.getInt(off + 24), len = b.getInt(off + 28);
        int totalLen = total & 0x7fffffff;
        if (totalLen > 4096 || len < 1 || len > 32 || pieceOff < 0 || pieceOff + len > totalLen || owner < 0
                || owner > Integer.MAX_VALUE) {
            recordDamage.add(new TraceDamage(name, header.headerSize() + (long) slot * header.recordSize(),
                    "string piece with impossible length or offset in slot " + slot + "; piece skipped"));
            return;
        }
        StringParts parts = strings.computeIfAbsent((owner << 8) | key, k -> new StringParts(totalLen, total < 0));
        if (pieceOff + len <= parts.bytes.length) {
            b.get(off + 32, parts.bytes, pieceOff, len);
            parts.received += len;
        }
    }
}
