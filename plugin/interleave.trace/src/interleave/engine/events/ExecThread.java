package interleave.engine.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One thread of one process: its spans (call pairing done once, by the {@link ModelBuilder}) and instants in time
 * order, and how it came to be and ended.
 */
public final class ExecThread {
    final ExecProcess process;
    private final String source;
    private final int tid;
    final boolean main;
    long handle;
    String name;
    long nameTs = Long.MIN_VALUE;
    ExecThread creator;
    long createTs = -1, createdTs = -1, createSite, startRoutine;
    boolean createdDetached;
    long firstTs = Long.MAX_VALUE, lastTs = Long.MIN_VALUE;
    long events;
    final List<Span> spans = new ArrayList<>();
    final List<Instant> instants = new ArrayList<>();
    final List<Span> open = new ArrayList<>();
    /** Plain I/O calls counted instead of kept as spans, by kind (empty under the model's budget). */
    final Map<String, CountedCalls> counted = new LinkedHashMap<>(2);
    /** Descriptors on which a read of this thread returned end-of-file and that it has not closed since (null: none). */
    java.util.Set<Long> atEndOfFile;
    Instant end, start;
    Span createSpan;
    int version, lateVersion;
    /** The CPU of the event being fed (set by the source before each event), -1 unknown. */
    int cpuNow = -1;
    /** Every event from the first with a known CPU on: its time, and its CPU with ENTERING set for a call's start. */
    long[] cpuTs = new long[0];
    int[] cpuWord = new int[0];
    int cpuCount;
    /** Events with a known CPU past the model's budget, not kept as samples. */
    long cpuLeftOut;
    static final int ENTERING = 1 << 30;
    /** Locks held now: lock → {acquired at, site}; and where each lock was last acquired (a call, not assumed). */
    final Map<Long, long[]> held = new LinkedHashMap<>();
    final Map<Long, Long> lastAcquiredSite = new HashMap<>();

    ExecThread(ExecProcess process, String source, int tid, boolean main) {
        this.process = process;
        this.source = source;
        this.tid = tid;
        this.main = main;
    }

    public ExecProcess process() {
        return process;
    }

    /** Where the source read it (the agent: the trace file's name); unique in a model. */
    public String source() {
        return source;
    }

    public int tid() {
        return tid;
    }

    public int pid() {
        return process.pid();
    }

    public boolean isMain() {
        return main;
    }

    /** The thread's handle as the program sees it (pthread_t), 0 if unknown. */
    public long handle() {
        return handle;
    }

    /** The name the program gave the thread last, if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    public Optional<ExecThread> creator() {
        return Optional.ofNullable(creator);
    }

    /** When the creator asked for this thread (pthread_create began), -1 if not seen. */
    public long createTs() {
        return createTs;
    }

    /** When the creating call returned in the creator, -1 if not seen. */
    public long createdTs() {
        return createdTs;
    }

    /** Code address of the creating call (a return address), 0 if unknown. */
    public long createSite() {
        return createSite;
    }

    /** The start routine's address, 0 if unknown. */
    public long startRoutine() {
        return startRoutine;
    }

    /** The creator's call that created this thread, once linked. */
    public Optional<Span> createSpan() {
        return Optional.ofNullable(createSpan);
    }

    /** The thread's start (its start routine about to run), if seen. */
    public Optional<Instant> start() {
        return Optional.ofNullable(start);
    }

    /** Created already detached (the attributes said so). */
    public boolean createdDetached() {
        return createdDetached;
    }

    /** Its end (start routine returned, or pthread_exit), if seen. */
    public Optional<Instant> end() {
        return Optional.ofNullable(end);
    }

    public long firstTs() {
        return firstTs;
    }

    public long lastTs() {
        return lastTs;
    }

    /** Every record the source read for this thread, modelled or not. */
    public long eventCount() {
        return events;
    }

    /** Spans in order of their start (a nested span after its parent). */
    public List<Span> spans() {
        return Collections.unmodifiableList(spans);
    }

    /** Instants in time order. */
    public List<Instant> instants() {
        return Collections.unmodifiableList(instants);
    }

    /** The spans still open, outermost first: running now, or never ended if the run is over. */
    public List<Span> openSpans() {
        return Collections.unmodifiableList(open);
    }

    /**
     * Plain I/O calls of the thread counted instead of kept as spans ({@link ExecutionModel#budget()}), by kind in
     * the order first counted; empty when every call is a span.
     */
    public java.util.Collection<CountedCalls> countedCalls() {
        return Collections.unmodifiableCollection(counted.values());
    }

    /** Whether the thread holds the lock at the end of what was read. */
    public boolean holds(long lock) {
        return held.containsKey(lock);
    }

    /** The call site where the thread last acquired the lock (0 if it only was seen holding it). */
    public long lastAcquiredAt(long lock) {
        return lastAcquiredSite.getOrDefault(lock, 0L);
    }

    /**
     * How many events the CPU samples hold: every event the source read from the first one whose CPU it knew on (a
     * source without CPUs: none). With {@link #cpuSampleTs}, {@link #cpuSampleCpu} and {@link #cpuSampleEntersCall},
     * in time order: which CPU the thread ran on, for lanes of threads against cores.
     */
    public int cpuSampleCount() {
        return cpuCount;
    }

    public long cpuSampleTs(int i) {
        return cpuTs[i];
    }

    public int cpuSampleCpu(int i) {
        return cpuWord[i] & ~ENTERING;
    }

    /**
     * Events of the thread whose CPU was known but not kept as samples: those after the model's budget was reached
     * ({@link ExecutionModel#cpuSamplesLeftOut()}); the samples then end before the thread's last events.
     */
    public long cpuSamplesLeftOut() {
        return cpuLeftOut;
    }

    /** The event began a call (the thread may sleep inside it, so the time up to its next event is not on the CPU). */
    public boolean cpuSampleEntersCall(int i) {
        return (cpuWord[i] & ENTERING) != 0;
    }

    /**
     * The version in which a span or moment of the thread made in an earlier version got a detail (a string the
     * source read in a later record, as a program's arguments): what a reader derived from them before that version
     * may be out of date. 0 if never.
     */
    public int lateVersion() {
        return lateVersion;
    }

    /** The version in which something of this thread last changed. */
    public int version() {
        return version;
    }

    /** "pid/tid" */
    public String label() {
        return process.pid() + "/" + tid;
    }

    @Override
    public String toString() {
        return "thread " + label() + " (" + source + ")";
    }
}
