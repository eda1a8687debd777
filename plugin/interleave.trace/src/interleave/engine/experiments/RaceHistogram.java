package interleave.engine.experiments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Kinds;
import interleave.engine.events.Memory;
import interleave.engine.events.Span;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.TraceRun;

/**
 * The lecture's race test as numbers: over several runs of a program that hands {@code &i} to N threads, how many
 * threads saw each value, next to what no race would give (each of 0..N-1 exactly once per run).
 *
 * @param threads    threads per run (the values 0..threads-1 are expected)
 * @param runs       the runs that were read, each a list of (index, value read) pairs in creation order
 */
public record RaceHistogram(int threads, List<Run> runs) {

    /** One thread: created in round {@code index}, read {@code value}; {@code watched} = seen by a watchpoint. */
    public record Read(int index, int value, boolean watched) {
    }

    /** The threads of one run in creation order. */
    public record Run(List<Read> reads) {
        public Run {
            reads = List.copyOf(reads);
        }

        /** Threads that saw another value than their own round's. */
        public int mismatched() {
            return (int) reads.stream().filter(r -> r.value() != r.index()).count();
        }
    }

    public RaceHistogram {
        runs = List.copyOf(runs);
    }

    /** How many threads, over all runs, saw each value (only values seen at least once). */
    public TreeMap<Integer, Integer> counts() {
        TreeMap<Integer, Integer> c = new TreeMap<>();
        for (Run r : runs) {
            for (Read t : r.reads()) {
                c.merge(t.value(), 1, Integer::sum);
            }
        }
        return c;
    }

    /** What no race would give for each value 0..threads-1: once per run. */
    public int expectedPerValue() {
        return runs.size();
    }

    public int readCount() {
        return runs.stream().mapToInt(r -> r.reads().size()).sum();
    }

    public int mismatched() {
        return runs.stream().mapToInt(Run::mismatched).sum();
    }

    /** Runs in which at least one thread saw another round's value: the race happened. */
    public int racyRuns() {
        return (int) runs.stream().filter(r -> r.mismatched() > 0).count();
    }

    /** Values 0..threads-1 that no thread saw in any run. */
    public List<Integer> neverSeen() {
        TreeMap<Integer, Integer> c = counts();
        List<Integer> missing = new ArrayList<>();
        for (int v = 0; v < threads; v++) {
            if (!c.containsKey(v)) {
                missing.add(v);
            }
        }
        return missing;
    }

    public long watchedReads() {
        return runs.stream().flatMap(r -> r.reads().stream()).filter(Read::watched).count();
    }

    /** One or two sentences: what happened against the "no race" expectation. */
    public String summary() {
        int reads = readCount();
        if (runs.isEmpty() || reads == 0) {
            return "No thread's read was recorded, so there is no histogram.";
        }
        StringBuilder s = new StringBuilder();
        s.append(runs.size()).append(runs.size() == 1 ? " run" : " runs").append(" of ").append(threads)
                .append(" threads: ").append(mismatched()).append(" of ").append(reads)
                .append(" threads saw another thread's value of i (").append(percent(mismatched(), reads))
                .append("), in ").append(racyRuns()).append(" of ").append(runs.size()).append(runs.size() == 1
                        ? " run" : " runs")
                .append("; ").append(neverSeen().size()).append(" of the values 0..").append(threads - 1)
                .append(" were seen by no thread at all. No race would give every value exactly ")
                .append(expectedPerValue()).append(expectedPerValue() == 1 ? " time" : " times")
                .append(" (once per run).");
        long watched = watchedReads();
        s.append(watched == reads ? " Every value is the one the thread read, caught by a hardware watchpoint."
                : watched == 0 ? " Values are the bytes at thread start (no watchpoint was available)."
                        : " " + watched + " values were caught by a hardware watchpoint at the thread's read, "
                                + (reads - watched) + " are the bytes at thread start.");
        return s.toString();
    }

    private static String percent(int part, int whole) {
        return whole == 0 ? "0%" : Math.round(100.0 * part / whole) + "%";
    }

    /**
     * The histogram as text: one line per value that was expected or seen, with the count, the expectation and a
     * bar, so a terminal shows the slide's picture turned on its side.
     */
    public String render() {
        TreeMap<Integer, Integer> c = counts();
        int max = Math.max(expectedPerValue(), c.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        int barWidth = 50;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%6s %6s %9s  %s%n", "value", "seen", "no race", "threads that saw it (| = no race)"));
        TreeMap<Integer, Integer> all = new TreeMap<>(c);
        for (int v = 0; v < threads; v++) {
            all.putIfAbsent(v, 0);
        }
        int expectedCol = (int) Math.round((double) expectedPerValue() * barWidth / Math.max(1, max));
        for (Map.Entry<Integer, Integer> e : all.entrySet()) {
            int v = e.getKey(), n = e.getValue();
            boolean expected = v >= 0 && v < threads;
            int len = (int) Math.round((double) n * barWidth / Math.max(1, max));
            StringBuilder bar = new StringBuilder("#".repeat(len));
            if (expected) {
                while (bar.length() < expectedCol) {
                    bar.append(' ');
                }
                if (expectedCol < bar.length()) {
                    bar.setCharAt(expectedCol == 0 ? 0 : expectedCol - 1, '|');
                } else {
                    bar.append('|');
                }
            }
            sb.append(String.format("%6d %6d %9s  %s%n", v, n, expected ? Integer.toString(expectedPerValue()) : "0",
                    bar.toString().stripTrailing()));
        }
        return sb.toString();
    }

    /**
     * The threads of a traced run of the race program, in creation order, each with the value it read: from its
     * argument watch when a watchpoint saw its first load, else the argument's bytes at thread start. Threads whose
     * first access was their own store, or that never touched the argument, read nothing and are left out.
     */
    public static Run readsOf(TraceRun run) {
        return readsOf(AgentTraceSource.model(run));
    }

    /** As {@link #readsOf(TraceRun)}, from a run's execution-event model. */
    public static Run readsOf(ExecutionModel model) {
        record Created(long createdAt, ExecThread thread) {
        }
        List<Created> created = new ArrayList<>();
        for (ExecThread t : model.threads()) {
            Memory atCreate = t.createSpan().flatMap(Span::memory).orElse(null);
            Instant start = t.start().orElse(null);
            // the argument's bytes known (4 at least: an int) when it was created and when it started first thing
            if (t.creator().isEmpty() || t.createTs() < 0 || atCreate == null || atCreate.bytes() < 4
                    || start == null || start.ts() != t.firstTs() || t.instants().get(0) != start
                    || start.memoryOf().map(Memory::bytes).orElse(0) < 4) {
                continue;
            }
            created.add(new Created(t.createTs(), t));
        }
        created.sort(Comparator.comparingLong(Created::createdAt));
        List<Read> reads = new ArrayList<>();
        for (int k = 0; k < created.size(); k++) {
            ExecThread t = created.get(k).thread();
            Integer value = (int) t.start().orElseThrow().memory().value();
            boolean watched = false;
            for (Instant i : t.instants()) {
                switch (i.kind()) {
                    case Kinds.WATCH_READ -> {
                        if (i.memory().bytes() >= 4) {
                            value = (int) i.memory().value();
                            watched = true;
                        }
                    }
                    case Kinds.WATCH_WRITTEN, Kinds.WATCH_NOT_ACCESSED -> value = null;
                    case Kinds.WATCH_UNAVAILABLE -> watched = false;
                    default -> {
                        continue;
                    }
                }
                if (watched || value == null) {
                    break;
                }
            }
            if (value != null) {
                reads.add(new Read(k, value, watched));
            }
        }
        return new Run(reads);
    }
}
