package interleave.engine.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One lock of one process, by its identity (the address of a mutex or semaphore, a monitor's id): the waits for it
 * (lock-wait spans), the order edges into it, and the counts of uncontended work the source summarized.
 */
public final class Lock extends LockCounts {
    /** A thread asked for {@code taken} while it held {@code held}, with both call sites. */
    public record Edge(ExecThread thread, long ts, long held, long heldSite, long heldCaller, long taken,
            long takenSite, long takenCaller) {
    }

    private final ExecProcess process;
    private final long address;
    private final String type;
    String name;
    final List<Span> waits = new ArrayList<>();
    final List<Edge> edgesIn = new ArrayList<>();
    // releases a waiter reported for another thread (tid, ts), until that thread is known
    final List<long[]> reportedReleases = new ArrayList<>();
    ExecThread holder;
    // acquisitions and releases seen one by one (not summarized), for the hand-offs: primitive columns
    long[] opTs = new long[0];
    ExecThread[] opThread = new ExecThread[0];
    boolean[] opAcquire = new boolean[0];
    int ops;

    void op(long ts, ExecThread t, boolean acquire) {
        if (ops == opTs.length) {
            int n = Math.max(8, ops * 2);
            opTs = java.util.Arrays.copyOf(opTs, n);
            opThread = java.util.Arrays.copyOf(opThread, n);
            opAcquire = java.util.Arrays.copyOf(opAcquire, n);
        }
        opTs[ops] = ts;
        opThread[ops] = t;
        opAcquire[ops] = acquire;
        ops++;
    }

    /** A release followed by another thread's acquisition: the lock passed from one thread to the other. */
    public record Handoff(ExecThread from, long releasedTs, ExecThread to, long acquiredTs) {
    }

    /** Each release just before another thread's acquisition, in time order. */
    public List<Handoff> handoffs() {
        Integer[] order = new Integer[ops];
        for (int i = 0; i < ops; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(opTs[a], opTs[b])); // stable: ties keep feed order
        List<Handoff> out = new ArrayList<>();
        int rel = -1;
        for (int i : order) {
            if (!opAcquire[i]) {
                rel = i;
            } else {
                if (rel >= 0 && opThread[i] != opThread[rel]) {
                    out.add(new Handoff(opThread[rel], opTs[rel], opThread[i], opTs[i]));
                }
                rel = -1;
            }
        }
        return out;
    }

    Lock(ExecProcess process, long address, String type) {
        this.process = process;
        this.address = address;
        this.type = type;
    }

    public ExecProcess process() {
        return process;
    }

    public long address() {
        return address;
    }

    /** "mutex", "semaphore", or a source's own. */
    public String type() {
        return type;
    }

    /** Its name when a source knows it (a global's name), else empty. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The thread holding it at the end of what was read (the latest acquisition not released), if any. */
    public Optional<ExecThread> holder() {
        return Optional.ofNullable(holder);
    }

    public List<Span> waits() {
        return Collections.unmodifiableList(waits);
    }

    /** Edges held → this lock. */
    public List<Edge> edgesIn() {
        return Collections.unmodifiableList(edgesIn);
    }

    @Override
    public String toString() {
        return type + " 0x" + Long.toHexString(address) + " acquisitions=" + acquisitions() + " contended=" + contended()
                + " waits=" + waits.size() + " counted-waits=" + countedWaits() + " (" + countedWaitNs() + "/"
                + longestCountedWaitNs() + " ns) counted-handoffs=" + countedHandoffs() + " edges=" + edgesIn.size()
                + " hold=" + holdNs() + "/" + longestHoldNs();
    }
}
