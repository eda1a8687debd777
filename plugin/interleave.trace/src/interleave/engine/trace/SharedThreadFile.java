package interleave.engine.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A shared thread file {@code <pid>-threads[.n].trace} (format §2.1, since 1.7): the threads a process started
 * with {@code pthread_create} write into chunks of one file instead of a file each. Each chunk names its thread
 * and where it continues the thread's slot numbers; this class finds the chunks and presents every thread as
 * what its own file would hold (its 256-byte header, then its slots in order), read by an ordinary
 * {@link FileScanner}. Nothing is copied: a thread's reads go to its chunks in the file. Re-reading as the file
 * grows: chunks already found are kept, positions without a chunk header yet are looked at again.
 */
final class SharedThreadFile {
    static final Pattern NAME = Pattern.compile("\\d+-threads(\\.\\d+)?\\.trace");
    static final int MAJOR = 2, THREADS_FLAG = 8, PAGE = 4096, CHUNK_MAGIC = 0x43564c49;
    private static final byte[] MAGIC = "ILVTRACE".getBytes(StandardCharsets.US_ASCII);
    private static final int THREAD_HEADER = 256, RS = 64;

    final Path path;
    final String name;
    /** The first page not known to lie inside a chunk: where the next look starts (-1: header not read). */
    private long frontier = -1;
    /** Chunks found: start offset → end offset. */
    private final TreeMap<Long, Long> known = new TreeMap<>();
    private final Map<Long, VirtualThread> threads = new LinkedHashMap<>();
    private final List<TraceDamage> damage = new ArrayList<>();
    private final FileScanner damageScanner;
    private boolean rejected;

    SharedThreadFile(Path path) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.damageScanner = new FileScanner(this);
    }

    static boolean isShared(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    List<TraceDamage> damage() {
        return damage;
    }

    /** The scanner that reports this file's own damage (first), then one per thread found so far. */
    List<FileScanner> scanners() {
        List<FileScanner> out = new ArrayList<>();
        out.add(damageScanner);
        for (VirtualThread t : threads.values()) {
            if (t.scanner != null) {
                out.add(t.scanner);
            }
        }
        return out;
    }

    /** One chunk: {@code avail} of its record slots are in the file (fewer than it has when cut short). */
    private record Chunk(long offset, long first, int hdrSlots, long avail) {
    }

    private final class VirtualThread implements FileScanner.Source {
        final long key;
        final int tid;
        final List<Chunk> chunks = new ArrayList<>(); // by first slot
        FileScanner scanner;

        VirtualThread(long key, int tid) {
            this.key = key;
            this.tid = tid;
        }

        void add(Chunk c) {
            int i = chunks.size();
            while (i > 0 && chunks.get(i - 1).first() > c.first()) {
                i--;
            }
            chunks.add(i, c);
        }

        /** Slots known without a gap from slot 0. */
        long end() {
            long end = 0;
            for (Chunk c : chunks) {
                if (c.first() != end) {
                    break;
                }
                end += c.avail();
            }
            return end;
        }

        @Override
        public FileScanner.Reader open() throws IOException {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = THREAD_HEADER + end() * RS;
            Chunk head = chunks.get(0);
            return new FileScanner.Reader() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public int read(ByteBuffer b, long pos) throws IOException {
                    if (pos >= size || !b.hasRemaining()) {
                        return pos >= size ? -1 : 0;
                    }
                    long at, room;
                    if (pos < THREAD_HEADER) {
                        at = head.offset() + RS + pos;
                        room = THREAD_HEADER - pos;
                    } else {
                        long slot = (pos - THREAD_HEADER) / RS, within = (pos - THREAD_HEADER) % RS;
                        Chunk c = chunkOf(slot);
                        if (c == null) {
                            return -1;
                        }
                        at = c.offset() + (c.hdrSlots() + slot - c.first()) * RS + within;
                        room = (c.first() + c.avail() - slot) * RS - within;
                    }
                    int lim = b.limit();
                    b.limit((int) Math.min(lim, b.position() + room));
                    try {
                        return ch.read(b, at);
                    } finally {
                        b.limit(lim);
                    }
                }

                private Chunk chunkOf(long slot) {
                    int lo = 0, hi = chunks.size() - 1;
                    while (lo <= hi) {
                        int mid = (lo + hi) >>> 1;
                        Chunk c = chunks.get(mid);
                        if (slot < c.first()) {
                            hi = mid - 1;
                        } else if (slot >= c.first() + c.avail()) {
                            lo = mid + 1;
                        } else {
                            return c;
                        }
                    }
                    return null;
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
    }

    /** Finds what is new in the file: chunks, and threads whose first chunk appeared. */
    void refresh() {
        if (rejected) {
            return;
        }
        damage.clear();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (frontier < 0 && !readHeader(ch, size)) {
                return;
            }
            // from the first unresolved page on: found chunks are jumped over, the other pages looked at (a
            // zero page is a chunk being set up, or never written: a writer killed in between, a gap before a
            // window boundary, room the file was grown by)
            ByteBuffer h = ByteBuffer.allocate(RS).order(ByteOrder.LITTLE_ENDIAN);
            long p = frontier, unresolved = -1;
            while (p + RS <= size) {
                Map.Entry<Long, Long> in = known.floorEntry(p);
                if (in != null && p < in.getValue()) {
                    p = in.getValue();
                    continue;
                }
                long next = look(ch, h, p, size);
                if (next < 0) {
                    unresolved = unresolved < 0 ? p : unresolved;
                    p += PAGE;
                } else {
                    p = next;
                }
            }
            frontier = unresolved >= 0 ? unresolved : p;
            for (VirtualThread t : threads.values()) {
                if (t.scanner == null && !t.chunks.isEmpty() && t.chunks.get(0).first() == 0
                        && t.chunks.get(0).offset() == t.key) {
                    t.scanner = new FileScanner(path, name + "#" + t.tid, t);
                }
            }
        } catch (NoSuchFileException e) {
            damage.add(new TraceDamage(name, 0, "file disappeared while being read"));
        } catch (IOException e) {
            damage.add(new TraceDamage(name, 0, "cannot read the file: " + e.getMessage()));
        }
    }

    /** The events its threads could not store (each thread header's lost_events, format §3), as of now. */
    long lostEvents() {
        refresh();
        long lost = 0;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (VirtualThread t : threads.values()) {
                if (t.scanner != null) {
                    b.clear();
                    if (ch.read(b, t.key + RS + 224) == 8) {
                        lost += Math.max(0, b.getLong(0));
                    }
                }
            }
        } catch (IOException e) {
            // an unreadable file is the report's to explain
        }
        return lost;
    }

    private boolean readHeader(FileChannel ch, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, FileScanner.HEADER_FIELDS))
                .order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read all
        }
        if (b.position() < 8 || b.getLong(0) == 0) {
            return false; // being created: the magic is written last
        }
        for (int i = 0; i < 8; i++) {
            if (b.get(i) != MAGIC[i]) {
                return reject(0, "not an Interleave trace: the file does not start with ILVTRACE; file skipped");
            }
        }
        if (b.position() < FileScanner.HEADER_FIELDS) {
            return reject(b.position(), "header cut short: the file has " + b.position() + " bytes; file skipped");
        }
        int major = b.getShort(8) & 0xffff, minor = b.getShort(10) & 0xffff;
        if (major != MAJOR || (b.getInt(20) & THREADS_FLAG) == 0) {
            return reject(8, "shared thread file of version " + major + "." + minor
                    + " is not supported (this reader reads version " + MAJOR + ".x); file skipped");
        }
        int hs = b.getInt(12);
        if (hs < PAGE || hs % PAGE != 0 || hs > 1 << 20 || b.getInt(16) != RS) {
            return reject(12, "header gives impossible sizes (header " + hs + " bytes, record " + b.getInt(16)
                    + " bytes); file skipped");
        }
        frontier = hs;
        return true;
    }

    private boolean reject(long offset, String why) {
        rejected = true;
        damage.add(new TraceDamage(name, offset, why));
        return false;
    }

    /** Reads a chunk header at p; returns the chunk's end, or -1 when there is none (yet). */
    private long look(FileChannel ch, ByteBuffer h, long p, long size) throws IOException {
        h.clear();
        while (h.hasRemaining() && ch.read(h, p + h.position()) > 0) {
            // read all
        }
        if (h.position() < RS) {
            return -1;
        }
        long slots = h.getInt(4) & 0xffffffffL, offset = h.getLong(8), key = h.getLong(24), first = h.getLong(32);
        int tid = h.getInt(16), seq = h.getInt(20), hdrSlots = h.getInt(40);
        boolean valid = h.getInt(0) == CHUNK_MAGIC && offset == p && slots >= 2 && hdrSlots >= 1
                && hdrSlots < slots && first >= 0 && (seq == 0) == (key == p)
                && (seq != 0 || (hdrSlots == 1 + THREAD_HEADER / RS && first == 0));
        if (!valid) {
            boolean zero = true;
            for (int i = 0; i < RS && zero; i++) {
                zero = h.get(i) == 0;
            }
            if (!zero) { // records of a chunk whose header is not written yet look like this too, for a moment
                damage.add(new TraceDamage(name, p, "no valid chunk header where one belongs; page skipped"));
            }
            return -1;
        }
        long recStart = p + (long) hdrSlots * RS;
        long avail = Math.max(0, Math.min(slots - hdrSlots, (size - recStart) / RS));
        if (p + slots * RS > size) {
            damage.add(new TraceDamage(name, p, "chunk cut short by the end of the file: " + avail + " of "
                    + (slots - hdrSlots) + " slots read"));
        }
        threads.computeIfAbsent(key, k -> new VirtualThread(k, tid)).add(new Chunk(p, first, hdrSlots, avail));
        known.put(p, p + slots * RS);
        return p + slots * RS;
    }
}
