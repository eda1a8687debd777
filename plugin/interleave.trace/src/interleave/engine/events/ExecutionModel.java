package interleave.engine.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run did, in neutral terms: processes, threads, spans, instants, arrows and locks. Filled by a
 * {@link TraceSource} through a {@link ModelBuilder}; it grows while the run goes on. Each refresh that changed
 * something raises {@link #version()}, and everything added or changed carries the version it changed in, so a view
 * can ask what changed since the version it showed. Times are monotonic nanoseconds, shared by all processes.
 */
public final class ExecutionModel {
    final List<ExecProcess> processes = new ArrayList<>();
    final Map<Long, ExecProcess> byKey = new HashMap<>();
    final Map<String, ExecThread> bySource = new HashMap<>();
    final List<ExecThread> threads = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    Status status = Status.RUNNING;
    int version, lifecycleVersion;
    long startNs, endNs, endHint = Long.MIN_VALUE, eventCount, lostEvents;
    /** Spans and instants kept; past {@link #budget}, plain I/O calls are counted instead ({@link CountedCalls}). */
    long kept, budget = Long.MAX_VALUE, counted;
    /** Events whose CPU was known but not kept as a CPU sample, once the budget was reached. */
    long cpuSamplesLeftOut;
    private List<Arrow> arrows;
    private int arrowsVersion = -1;

    ExecutionModel() {
    }

    static long key(int pid, long startNs) {
        return startNs * 31 + pid;
    }

    /** Every process image, by start, then pid. */
    public List<ExecProcess> processes() {
        return Collections.unmodifiableList(processes);
    }

    public Optional<ExecProcess> process(int pid, long startNs) {
        return Optional.ofNullable(byKey.get(key(pid, startNs)));
    }

    /** Every thread, process by process, each process's main thread first. */
    public List<ExecThread> threads() {
        return Collections.unmodifiableList(threads);
    }

    /** The thread a source read from the given place (the agent: a trace file's name). */
    public Optional<ExecThread> thread(String source) {
        return Optional.ofNullable(bySource.get(source));
    }

    public Status status() {
        return status;
    }

    /** Raised by every refresh that changed something; 0 for an empty model. */
    public int version() {
        return version;
    }

    /**
     * The version in which something besides plain I/O last changed: a process, thread, fork, exec, creation, join,
     * wait, accept, close, signal, lock wait or edge, handler entry, any moment, or the status. Reads, writes, sends,
     * receives, selects and polls with nothing else, and counts of events, leave it as it was: what a reader of the
     * lifecycle (the detectors) finds changes only with it, or with the I/O it reads. 0 for an empty model.
     */
    public int lifecycleVersion() {
        return lifecycleVersion;
    }

    /** Time of the first event, 0 if none. */
    public long startNs() {
        return startNs;
    }

    /** Time of the last event, or the moment the source says the run was stopped (a hung program records nothing). */
    public long endNs() {
        return endNs;
    }

    public long eventCount() {
        return eventCount;
    }

    /**
     * How many spans and instants the model keeps before it counts plain I/O calls (reads, writes, polls... with
     * nothing inside them) per thread instead of keeping each as a span; Long.MAX_VALUE: no limit.
     */
    public long budget() {
        return budget;
    }

    /** Spans and instants kept. */
    public long keptCount() {
        return kept;
    }

    /** Calls counted instead of kept as spans (0 while under the budget); see {@link ExecThread#countedCalls()}. */
    public long countedCalls() {
        return counted;
    }

    /**
     * Events whose CPU the source knew but that were not kept as CPU samples ({@link ExecThread#cpuSampleCount()}),
     * because the budget was reached before them: 0 under the budget. The samples draw threads against cores in the
     * workbench, which builds its model without a budget; the spans and instants kept still name their CPU.
     */
    public long cpuSamplesLeftOut() {
        return cpuSamplesLeftOut;
    }

    /** Events the source knows it lost. */
    public long lostEvents() {
        return lostEvents;
    }

    /** What the source could not read, for the user. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    public List<ExecProcess> processesChangedSince(int v) {
        return processes.stream().filter(p -> p.version > v).toList();
    }

    public List<ExecThread> threadsChangedSince(int v) {
        return threads.stream().filter(t -> t.version > v).toList();
    }

    /** Forks, thread creations, reaps, execs and lock hand-offs, as arrows between threads (derived once per version). */
    public List<Arrow> arrows() {
        if (arrows != null && arrowsVersion == version) {
            return arrows;
        }
        List<Arrow> out = new ArrayList<>();
        for (ExecProcess p : processes) {
            ExecThread main = p.mainThread().orElse(null);
            if (main == null) {
                continue;
            }
            if (p.origin == ExecProcess.Origin.FORK && p.forkingThread != null) {
                long from = p.forkSpan != null && !p.forkSpan.running() ? p.forkSpan.end() : p.forkRequestTs();
                out.add(new Arrow(Kinds.ARROW_FORK, p.forkingThread, from, main, main.firstTs()));
            }
            if (p.execPredecessor != null) {
                ExecThread before = p.execPredecessor.mainThread().orElse(null);
                if (before != null) {
                    out.add(new Arrow(Kinds.ARROW_EXEC, before, before.lastTs(), main, main.firstTs()));
                }
            }
            if (p.origin == ExecProcess.Origin.FORK && p.parent != null) {
                Instant reap = p.parent.reapOf(p.pid(), p.startNs());
                ExecProcess last = p.lastImage();
                ExecThread ender = last.mainThread().orElse(main);
                if (reap != null) {
                    out.add(new Arrow(Kinds.ARROW_REAP, ender, last.endTs(), reap.thread(), reap.ts()));
                }
            }
            for (ExecThread t : p.threads) {
                if (t.creator != null && t.createTs >= 0) {
                    out.add(new Arrow(Kinds.ARROW_CREATE, t.creator, t.createTs, t, t.firstTs()));
                }
            }
            for (Lock l : p.locks()) {
                for (Lock.Handoff h : l.handoffs()) {
                    out.add(new Arrow(Kinds.ARROW_LOCK_HANDOFF, h.from(), h.releasedTs(), h.to(), h.acquiredTs()));
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.fromTs(), b.fromTs()));
        arrows = Collections.unmodifiableList(out);
        arrowsVersion = version;
        return arrows;
    }

    /** Every lock of every process. */
    public List<Lock> locks() {
        List<Lock> out = new ArrayList<>();
        for (ExecProcess p : processes) {
            out.addAll(p.locks());
        }
        return out;
    }

    @Override
    public String toString() {
        return "execution model v" + version + " " + status + ": " + processes.size() + " processes, "
                + threads.size() + " threads, " + eventCount + " events";
    }
}
