package interleave.engine.trace;

import java.util.Map;
import java.util.Optional;

/**
 * The events of one thread of one process image (one trace file), in their true order: sorted by (ts, slot). Events
 * are addressed by index, {@code 0 <= i < size()}; the column accessors allocate nothing.
 */
public final class ThreadTrace {
    private final String file;
    private final TraceHeader header;
    private EventColumns ev;
    private Map<Long, TraceString> strings; // (event index << 8 | key)
    /** Records in the file; more than {@link #size()} once {@link #thin()} kept only the lifecycle records. */
    private int events;
    private boolean thinned;
    ProcessImage image;
    ThreadTrace creator;
    int createEnter = -1, createExit = -1;
    String name;
    long nameTs = Long.MIN_VALUE;

    private int[] cpu; // per event, -1 unknown; null when the file has no CPU records (before format 1.2)

    ThreadTrace(String file, TraceHeader header, EventColumns sorted, Map<Long, TraceString> strings) {
        this(file, header, sorted, strings, null);
    }

    ThreadTrace(String file, TraceHeader header, EventColumns sorted, Map<Long, TraceString> strings, int[] cpu) {
        this.file = file;
        this.header = header;
        this.ev = sorted;
        this.strings = strings;
        this.cpu = cpu;
        this.events = sorted.size;
    }

    /**
     * A thread already thinned by its reader ({@link ChunkedFile}): {@code kept} are the records {@link #thin()} would
     * keep, {@code events} the file's records.
     */
    static ThreadTrace thinned(String file, TraceHeader header, EventColumns kept, Map<Long, TraceString> strings,
            int[] cpu, int events) {
        ThreadTrace t = new ThreadTrace(file, header, kept, strings, cpu);
        t.events = events;
        t.thinned = true;
        return t;
    }

    /** Record types the run's assembly reads (thread, fork and exec links, names, image ends): {@link #thin()} keeps them. */
    static boolean lifecycle(int type) {
        return switch (type) {
            case RecordType.THREAD_CREATE, RecordType.THREAD_NAME, RecordType.FORK, RecordType.FORK_CHILD,
                    RecordType.PROC_START, RecordType.PROC_EXIT, RecordType.EXEC -> true;
            default -> false;
        };
    }

    /**
     * Keeps only the first and last record and the lifecycle records (the few that link threads, processes and
     * programs), once the event model holds the rest: a run read once for a report then holds one file's records at
     * a time, not every file's. Indices change (the kept records are renumbered); {@link #eventCount()} stays the
     * file's count, and the first and last times are kept.
     */
    void thin() {
        if (thinned) {
            return;
        }
        thinned = true;
        EventColumns kept = new EventColumns(16);
        Map<Long, TraceString> keptStrings = new java.util.HashMap<>();
        int[] keptCpu = cpu == null ? null : new int[16];
        Map<Integer, Integer> renumbered = new java.util.HashMap<>();
        for (int i = 0; i < ev.size; i++) {
            if (i != 0 && i != ev.size - 1 && !lifecycle(ev.word[i] & 0xffff)) {
                continue;
            }
            int k = kept.size;
            int b = i * 5;
            kept.add(ev.ts[i], ev.word[i], ev.err[i], ev.ra[i], ev.args[b], ev.args[b + 1], ev.args[b + 2],
                    ev.args[b + 3], ev.args[b + 4], ev.slot[i]);
            if (keptCpu != null) {
                if (k == keptCpu.length) {
                    keptCpu = java.util.Arrays.copyOf(keptCpu, k * 2);
                }
                keptCpu[k] = cpu[i];
            }
            if (!strings.isEmpty()) {
                renumbered.put(i, k);
            }
        }
        for (var e : strings.entrySet()) {
            Integer k = renumbered.get((int) (e.getKey() >>> 8));
            if (k != null) {
                keptStrings.put(((long) k << 8) | (e.getKey() & 0xff), e.getValue());
            }
        }
        ev = kept;
        cpu = keptCpu;
        strings = keptStrings;
        argumentIndexes.clear();
    }

    /** True once {@link #thin()} dropped all but the lifecycle records. */
    public boolean thinned() {
        return thinned;
    }

    /** Records of the file (all of them, also once thinned). */
    public int eventCount() {
        return events;
    }

    /** The sorted records themselves (for the event-model adapter; only the lifecycle ones once thinned). */
    EventColumns columns() {
        return ev;
    }

    /** The CPU event i ran on (format 1.2 CPU records), or -1 when not recorded. */
    public int cpu(int i) {
        check(i);
        return cpu == null ? -1 : cpu[i];
    }

    /** The file name inside the run directory. */
    public String file() {
        return file;
    }

    public TraceHeader header() {
        return header;
    }

    public int pid() {
        return header.pid();
    }

    public int tid() {
        return header.tid();
    }

    public ProcessImage image() {
        return image;
    }

    /** The thread that called pthread_create for this one, if it was traced. */
    public Optional<ThreadTrace> creator() {
        return Optional.ofNullable(creator);
    }

    /** The name the program gave this thread last (pthread_setname_np, prctl PR_SET_NAME), if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** True when the creator asked for a detached thread through the attr of pthread_create. */
    public boolean createdDetached() {
        return creator != null && createExit >= 0 && (creator.flags(createExit) & RecordType.CREATE_DETACHED) != 0;
    }

    /** Index of the creator's THREAD_CREATE ENTER in {@link #creator()}, -1 if unknown. */
    public int createEnterIndex() {
        return createEnter;
    }

    /** Index of the creator's THREAD_CREATE EXIT in {@link #creator()}, -1 if unknown. */
    public int createExitIndex() {
        return createExit;
    }

    public boolean isMainThread() {
        return header.isMain() || header.tid() == header.pid() && !header.isCreated();
    }

    public int size() {
        return ev.size;
    }

    public long ts(int i) {
        check(i);
        return ev.ts[i];
    }

    public int type(int i) {
        check(i);
        return ev.word[i] & 0xffff;
    }

    public int phase(int i) {
        check(i);
        return (ev.word[i] >>> 16) & 0xff;
    }

    public int flags(int i) {
        check(i);
        return ev.word[i] >>> 24;
    }

    public int err(int i) {
        check(i);
        return ev.err[i];
    }

    public long ra(int i) {
        check(i);
        return ev.ra[i];
    }

    /** Field {@code a0..a4} of event i. Sign-extended ints (fd, pid, result) read correctly as long. */
    public long arg(int i, int k) {
        check(i);
        if (k < 0 || k > 4) {
            throw new IndexOutOfBoundsException("record fields are a0..a4, not a" + k);
        }
        return ev.args[i * 5 + k];
    }

    public int slot(int i) {
        check(i);
        return ev.slot[i];
    }

    public TraceEvent event(int i) {
        check(i);
        return ev.event(i);
    }

    /** The string of the given key (RecordType.S_*) attached to event i. */
    public Optional<TraceString> string(int i, int key) {
        return Optional.ofNullable(strings.get(((long) i << 8) | key));
    }

    public long firstTs() {
        return ev.size == 0 ? header.createdMonoNs() : ev.ts[0];
    }

    public long lastTs() {
        return ev.size == 0 ? header.createdMonoNs() : ev.ts[ev.size - 1];
    }

    /** Index of the first event of the given type (and phase, or -1 for any), or -1. */
    public int find(int type, int phase) {
        for (int i = 0; i < ev.size; i++) {
            if ((ev.word[i] & 0xffff) == type && (phase < 0 || ((ev.word[i] >>> 16) & 0xff) == phase)) {
                return i;
            }
        }
        return -1;
    }

    private void check(int i) {
        if (i < 0 || i >= ev.size) {
            throw new IndexOutOfBoundsException("event " + i + " of " + ev.size + " in " + file);
        }
    }

    @Override
    public String toString() {
        return "thread " + header.pid() + "/" + header.tid() + " (" + file + ", " + events + " events)";
    }

    /** Indices of this thread's events, by (type, phase, argument slot), then by that argument's value. */
    private final Map<Long, Map<Long, int[]>> argumentIndexes = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The indices (in time order) of the events of {@code type} and {@code phase} whose argument {@code arg} equals
     * {@code value}. Built once per (type, phase, arg) on first use, so linking each of thousands of children to its
     * parent's fork, wait and signal events costs one pass over the parent, not one per child.
     */
    public int[] eventsWithArgument(int type, int phase, int arg, long value) {
        long key = ((long) type << 16) | ((long) phase << 8) | arg;
        Map<Long, int[]> byValue = argumentIndexes.computeIfAbsent(key, k -> {
            Map<Long, java.util.List<Integer>> lists = new java.util.HashMap<>();
            for (int i = 0; i < size(); i++) {
                if (type(i) == type && phase(i) == phase) {
                    lists.computeIfAbsent(arg(i, arg), v -> new java.util.ArrayList<>()).add(i);
                }
            }
            Map<Long, int[]> out = new java.util.HashMap<>();
            lists.forEach((v, l) -> out.put(v, l.stream().mapToInt(Integer::intValue).toArray()));
            return out;
        });
        return byValue.getOrDefault(value, NO_EVENTS);
    }

    /** The first of {@code indices} whose event is at or after {@code ts}, or -1. */
    public int firstAtOrAfter(int[] indices, long ts) {
        for (int i : indices) {
            if (ts(i) >= ts) {
                return i;
            }
        }
        return -1;
    }

    private static final int[] NO_EVENTS = new int[0];
}
