package interleave.engine.trace;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads one trace file too big to hold whole (a long server run: ten million records and more in one thread's file)
 * in slices of slots, and hands its records over in the order a whole read gives them, (ts, slot), while holding one
 * slice plus the records a later slice could still precede.
 *
 * <p>Slots are not in time order (format §2 "Ordering": CALL records carry their start, watchpoint records come after
 * the access), so a first pass notes the earliest time in each slice: a record read so far is handed over once no later
 * slice holds an earlier one, and a slot of a later slice is always a larger slot, so equal times keep their order.
 * The same pass keeps what is not an event but annotates one and may be written in a later slice than its owner: the
 * STRING pieces (few: a file's strings are held whole, as a whole read holds them) and the CPU records that fell past
 * their owner's slice. What the run's assembly needs of the thread is kept as {@link ThreadTrace#thin()} would keep it.
 */
final class ChunkedFile {
    private ChunkedFile() {
    }

    /** The next records of a file, in order: {@code columns} 0..size-1, each with its CPU (-1 unknown). */
    static final class Slice {
        final String file;
        final TraceHeader header;
        final EventColumns columns;
        final int size;
        private final int[] cpu;
        private final Map<Long, FileScanner.StringParts> strings;

        private Slice(String file, TraceHeader header, EventColumns columns, int size, int[] cpu,
                Map<Long, FileScanner.StringParts> strings) {
            this.file = file;
            this.header = header;
            this.columns = columns;
            this.size = size;
            this.cpu = cpu;
            this.strings = strings;
        }

        /** The CPU record i ran on, carried forward from the last CPU record as a whole read does; -1 unknown. */
        int cpu(int i) {
            return cpu[i];
        }

        /** The text of the string of that key owned by the record in {@code slot}, or null (as a whole read). */
        String text(int slot, int key) {
            FileScanner.StringParts p = strings.get(((long) slot << 8) | key);
            return p == null ? null : string(p).text();
        }
    }

    /** Slots the file holds now (its header read), whole records only. */
    static long slotsInFile(FileScanner s) {
        if (s.header == null) {
            return 0;
        }
        try {
            long size = s.bytes(); // a thread of a shared thread file: its own chunks, not the whole file
            return size < s.header.headerSize() ? 0 : (size - s.header.headerSize()) / s.header.recordSize();
        } catch (IOException e) {
            return 0; // gone since its header was read: the scanner reports it
        }
    }

    /**
     * Reads the rest of the file: {@code s} has read its header and the first slice ({@code s.slotLimit == slots}),
     * the file holds {@code view} slots (records committed past them later are left out, as a whole read done at that
     * moment would). Each slice of records goes to {@code each} (the first one even if empty, so the thread is known);
     * returns the thread with its lifecycle records only.
     */
    static ThreadTrace read(FileScanner s, long view, int slots, Consumer<Slice> each) {
        int chunks = (int) ((view + slots - 1) / slots);
        // first pass: each slice's earliest time, every string, the CPU records written past their owner's slice
        long[] earliestAfter = new long[chunks + 1];
        Map<Integer, Integer> lateCpus = new HashMap<>();
        boolean cpus = false;
        FileScanner first = s.again();
        for (int j = 0; j < chunks; j++) {
            long lo = (long) j * slots;
            first.slotLimit = Math.min(view, lo + slots);
            first.scan();
            long min = Long.MAX_VALUE;
            for (int i = 0; i < first.raw.size; i++) {
                min = Math.min(min, first.raw.ts[i]);
            }
            earliestAfter[j] = min;
            first.raw.size = 0;
            if (!first.cpus.isEmpty()) {
                cpus = true;
                for (var e : first.cpus.entrySet()) {
                    if (e.getKey() < lo) {
                        lateCpus.put(e.getKey(), e.getValue());
                    }
                }
                first.cpus.clear();
            }
        }
        earliestAfter[chunks] = Long.MAX_VALUE;
        for (int j = chunks - 1; j >= 0; j--) {
            earliestAfter[j] = Math.min(earliestAfter[j], earliestAfter[j + 1]);
        }
        Map<Long, FileScanner.StringParts> strings = first.strings;

        // second pass: the records in order, a slice at a time
        EventColumns pending = new EventColumns(Math.min(slots, 1 << 16));
        EventColumns kept = new EventColumns(16);
        int[] keptCpu = cpus ? new int[16] : null;
        EventColumns last = new EventColumns(1);
        int lastCpu = -1;
        boolean lastKept = false;
        int cpuNow = -1;
        long fed = 0;
        for (int j = 0; j < chunks; j++) {
            if (j > 0) {
                s.slotLimit = Math.min(view, (long) (j + 1) * slots);
                s.scan();
            }
            s.strings.clear(); // the first pass holds them whole
            for (int i = 0; i < s.raw.size; i++) {
                pending.addFrom(s.raw, i);
            }
            s.raw.size = 0;
            if (!pending.isSorted()) {
                pending = pending.sortedCopy();
            }
            // what no later slice can precede: its time is at most the earliest of every later slice
            long bound = earliestAfter[j + 1];
            int n = 0;
            while (n < pending.size && pending.ts[n] <= bound) {
                n++;
            }
            int[] cpu = new int[n];
            for (int k = 0; k < n; k++) {
                Integer c = s.cpus.remove(pending.slot[k]);
                if (c == null) {
                    c = lateCpus.remove(pending.slot[k]);
                }
                if (c != null) {
                    cpuNow = c;
                }
                cpu[k] = cpuNow;
            }
            if (n > 0 || j == 0) {
                each.accept(new Slice(s.name, s.header, pending, n, cpu, strings));
            }
            for (int k = 0; k < n; k++) {
                boolean keep = fed + k == 0 || ThreadTrace.lifecycle(pending.word[k] & 0xffff);
                if (keep) {
                    keptCpu = keepCpu(keptCpu, kept.size, cpu[k]);
                    kept.addFrom(pending, k);
                }
                if (k == n - 1) {
                    last.size = 0;
                    last.addFrom(pending, k);
                    lastCpu = cpu[k];
                    lastKept = keep;
                }
            }
            fed += n;
            pending.dropFirst(n);
        }
        if (fed > 0 && !lastKept) {
            keptCpu = keepCpu(keptCpu, kept.size, lastCpu);
            kept.addFrom(last, 0);
        }
        // the strings of the kept records, by their index among them (as ThreadTrace.thin renumbers them)
        Map<Integer, Integer> indexOfSlot = new HashMap<>();
        for (int i = 0; i < kept.size; i++) {
            indexOfSlot.put(kept.slot[i], i);
        }
        Map<Long, TraceString> keptStrings = new HashMap<>();
        for (var e : strings.entrySet()) {
            Integer i = indexOfSlot.get((int) (e.getKey() >>> 8));
            if (i != null) {
                keptStrings.put(((long) i << 8) | (e.getKey() & 0xff), string(e.getValue()));
            }
        }
        return ThreadTrace.thinned(s.name, s.header, kept, keptStrings, keptCpu, (int) fed);
    }

    private static int[] keepCpu(int[] keptCpu, int k, int cpu) {
        if (keptCpu == null) {
            return null;
        }
        if (k == keptCpu.length) {
            keptCpu = java.util.Arrays.copyOf(keptCpu, k * 2);
        }
        keptCpu[k] = cpu;
        return keptCpu;
    }

    /** As a whole read makes it: missing pieces make it incomplete, never dropped. */
    private static TraceString string(FileScanner.StringParts p) {
        return new TraceString(p.bytes.clone(), p.cut, p.received < p.bytes.length);
    }
}
