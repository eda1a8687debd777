package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Kinds;
import interleave.engine.events.WatchedVariable;
import interleave.engine.events.WatchedVariable.Access;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/**
 * A watched shared variable was stored to by two or more threads with no lock common to all the stores, seen by the
 * agent's hardware watchpoints (VAR_WATCH records, format 1.3). The evidence is the read-modify-write windows: a
 * thread's load of the variable and its next store, overlapping another thread's.
 */
@RuleInfo(id = ObservedUnsynchronizedWrite.ID, title = "Shared variable written by several threads without a common lock",
        summary = "Hardware watchpoints saw two or more threads store to the same shared variable with no lock held in"
                + " common, and their read-modify-write steps overlapping: updates were lost.",
        severity = Severity.ERROR, concept = "Data race on shared data (badcnt's cnt++), observed in a run",
        references = {"CERT CON32-C|https://wiki.sei.cmu.edu/confluence/display/c/CON32-C.+Prevent+data+races+when+accessing+bit-fields+from+multiple+threads",
                "CERT CON43-C|https://wiki.sei.cmu.edu/confluence/display/c/CON43-C.+Do+not+allow+data+races+in+multithreaded+code"})
public final class ObservedUnsynchronizedWrite implements DynamicDetector {
    public static final String ID = "observed-unsynchronized-write";

    /** A thread's load of the variable followed by its next access, a store: one read-modify-write. */
    record Window(Access read, Access write) {
        boolean overlaps(Window o) {
            return read.ts() < o.write.ts() && o.read.ts() < write.ts();
        }
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            for (WatchedVariable v : img.watched()) {
                judge(model, img, v.address(), v, sink);
            }
        }
    }

    private static void judge(Locations model, ExecProcess img, long addr, WatchedVariable v, Consumer<Finding> sink) {
        List<Access> writes = v.accesses().stream().filter(a -> a.kind().equals(Kinds.WATCH_WRITTEN)).toList();
        Map<ExecThread, Integer> writesBy = new LinkedHashMap<>();
        writes.forEach(w -> writesBy.merge(w.thread(), 1, Integer::sum));
        if (writesBy.size() < 2) {
            return; // one writer (or none decoded): nothing to race with
        }
        // Two stores race when no lock is common to them and neither is ordered before the other by pthread_create or
        // pthread_join: main's cnt = 0 before it creates the workers, or after it joined them, races with nothing.
        // (Ordering through an uncontended lock is not recorded; the common-lock test covers it.)
        Map<ExecThread, List<Access>> byThread = new LinkedHashMap<>();
        writes.forEach(w -> byThread.computeIfAbsent(w.thread(), t -> new ArrayList<>()).add(w));
        List<ExecThread> writers = new ArrayList<>(byThread.keySet());
        Set<ExecThread> racing = new java.util.LinkedHashSet<>();
        for (int a = 0; a < writers.size(); a++) {
            for (int b = a + 1; b < writers.size(); b++) {
                ExecThread ta = writers.get(a), tb = writers.get(b);
                List<Access> unordered = new ArrayList<>(unorderedWith(byThread.get(ta), ta, tb));
                int fromA = unordered.size();
                unordered.addAll(unorderedWith(byThread.get(tb), tb, ta));
                if (fromA > 0 && unordered.size() > fromA && commonLocks(unordered).isEmpty()) {
                    racing.add(ta);
                    racing.add(tb);
                }
            }
        }
        if (racing.isEmpty()) {
            return; // every pair of writers held a common lock, or never wrote at the same time
        }
        writesBy.keySet().retainAll(racing);
        writes = writes.stream().filter(w -> racing.contains(w.thread())).toList();
        long locked = writes.stream().filter(w -> !w.held().isEmpty()).count();
        String name = v.name().or(() -> model.dataName(img, addr)).orElse(String.format("0x%x", addr));

        List<Window> windows = windows(v.accesses().stream().filter(a -> racing.contains(a.thread())).toList());
        List<Window[]> overlapping = overlapping(windows);
        // values loaded by more than one thread: each such load that was followed by a store lost an update
        Map<Long, Set<ExecThread>> readersOf = new TreeMap<>();
        for (Window w : windows) {
            readersOf.computeIfAbsent(w.read().value(), k -> new HashSet<>()).add(w.read().thread());
        }
        List<Long> sharedReads = readersOf.entrySet().stream().filter(x -> x.getValue().size() > 1).map(Map.Entry::getKey)
                .toList();

        StringBuilder msg = new StringBuilder();
        msg.append("'").append(name).append("' was written by ").append(writesBy.size())
                .append(" threads with no lock held in common (");
        int k = 0;
        for (Map.Entry<ExecThread, Integer> e : writesBy.entrySet()) {
            msg.append(k++ == 0 ? "" : ", ").append("thread ").append(e.getKey().tid()).append(": ")
                    .append(e.getValue()).append(e.getValue() == 1 ? " write" : " writes");
        }
        msg.append("; ").append(locked == 0 ? "no lock held at any write"
                : locked + " of " + writes.size() + " writes with some lock held, none common to all");
        boolean spent = v.budgetSpent().values().stream().anyMatch(b -> b);
        if (spent) {
            msg.append("; sampled: each thread's first ").append(v.budget()).append(" accesses");
        }
        msg.append(")");
        // the values each writer loaded: the program's view of the variable, as the threads saw it
        StringBuilder read = new StringBuilder();
        for (ExecThread t : writesBy.keySet()) {
            var loads = v.accesses().stream().filter(a -> a.thread() == t && a.kind().equals(Kinds.WATCH_READ))
                    .mapToLong(Access::value).summaryStatistics();
            if (loads.getCount() > 0) {
                read.append(read.isEmpty() ? "" : ", ").append("thread ").append(t.tid()).append(" ")
                        .append(loads.getMin() == loads.getMax() ? Long.toString(loads.getMin())
                                : loads.getMin() + " to " + loads.getMax())
                        .append(" (").append(loads.getCount()).append(loads.getCount() == 1 ? " load)" : " loads)");
            }
        }
        if (!read.isEmpty()) {
            msg.append("; values read: ").append(read);
        }
        Window[] example = overlapping.isEmpty() ? null : overlapping.get(0);
        if (example != null) {
            msg.append(". ").append(overlapping.size()).append(" read-modify-write ")
                    .append(overlapping.size() == 1 ? "step overlapped" : "steps overlapped")
                    .append(" another thread's; e.g. ").append(describe(example[0])).append(" while ")
                    .append(describe(example[1]));
            if (example[0].read().value() == example[1].read().value()) {
                msg.append(": both read the same value, one update was lost");
            } else {
                msg.append(": the later store overwrote the other thread's update");
            }
        } else {
            msg.append(". No recorded read-modify-write steps overlapped in this run, but nothing (no common lock,"
                    + " no create or join between the threads) kept them from overlapping");
        }
        if (!sharedReads.isEmpty()) {
            msg.append(". ").append(sharedReads.size()).append(sharedReads.size() == 1 ? " value was" : " values were")
                    .append(" read by more than one thread before its store (")
                    .append(list(sharedReads)).append(")");
        }

        Access anchor = example != null ? example[1].write() : secondWriter(writes);
        Evidence.Place where = Evidence.place(model, img, anchor.codeAddress(), false);
        List<RelatedLocation> evidence = new ArrayList<>();
        if (example != null) {
            for (Window w : example) {
                evidence.add(Evidence.related(Evidence.place(model, img, w.read().codeAddress(), false),
                        "thread " + w.read().thread().tid() + " read " + w.read().value() + " here"));
                evidence.add(Evidence.related(Evidence.place(model, img, w.write().codeAddress(), false),
                        "thread " + w.write().thread().tid() + " wrote " + w.write().value() + " here"));
            }
        } else {
            for (ExecThread t : writesBy.keySet()) {
                Access first = writes.stream().filter(w -> w.thread() == t).findFirst().orElseThrow();
                evidence.add(Evidence.related(Evidence.place(model, img, first.codeAddress(), false),
                        "thread " + t.tid() + " wrote " + first.value() + " here"
                                + (first.held().isEmpty() ? " holding no lock" : " holding other locks")));
            }
        }
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg.toString(), where, evidence,
                Evidence.moment(model, anchor.thread(), anchor.ts()), img.command(), name));
    }

    /**
     * The stores of {@code a} that are not ordered with respect to thread {@code b}: neither made before {@code a}
     * created {@code b} (or the thread that created it, and so on up) nor after {@code a} joined {@code b}.
     */
    private static List<Access> unorderedWith(List<Access> storesOfA, ExecThread a, ExecThread b) {
        long createdB = Long.MIN_VALUE; // a's stores up to here happen before everything b does
        for (ExecThread x = b; x != null; x = x.creator().orElse(null)) {
            ExecThread c = x.creator().orElse(null);
            if (c == a && x.createTs() >= 0) {
                createdB = x.createTs();
                break;
            }
            if (c == x) {
                break;
            }
        }
        long joinedB = joinTime(a, b); // a's stores from here on happen after everything b did
        final long from = createdB, to = joinedB;
        return storesOfA.stream().filter(w -> w.ts() > from && w.ts() < to).toList();
    }

    /** When {@code joiner} returned from joining {@code joined}; Long.MAX_VALUE when it never did. */
    private static long joinTime(ExecThread joiner, ExecThread joined) {
        long handle = joined.handle();
        long best = Long.MAX_VALUE;
        if (handle == 0) {
            return best;
        }
        for (Instant i : joiner.process().releasesOf(handle)) {
            // (a handle is reused after a join: only a join after this thread began is its own)
            if (i.kind().equals(Kinds.JOIN) && i.thread() == joiner && i.ts() >= joined.firstTs()) {
                best = Math.min(best, i.ts());
            }
        }
        return best;
    }

    private static Set<Long> commonLocks(List<Access> writes) {
        Set<Long> common = null;
        for (Access w : writes) {
            if (common == null) {
                common = new HashSet<>(w.held());
            } else {
                common.retainAll(w.held());
            }
        }
        return common == null ? Set.of() : common;
    }

    private static String describe(Window w) {
        return "thread " + w.read().thread().tid() + " read " + w.read().value() + " and wrote " + w.write().value();
    }

    private static String list(List<Long> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size() && i < 8; i++) {
            sb.append(i == 0 ? "" : ", ").append(values.get(i));
        }
        if (values.size() > 8) {
            sb.append(", ...");
        }
        return sb.toString();
    }

    private static Access secondWriter(List<Access> writes) {
        ExecThread first = writes.stream().min(Comparator.comparingLong(Access::ts)).orElseThrow().thread();
        return writes.stream().filter(w -> w.thread() != first).min(Comparator.comparingLong(Access::ts))
                .orElseThrow();
    }

    /** Per thread, in the thread's order: a load immediately followed (for this variable) by a store. */
    static List<Window> windows(List<Access> accesses) {
        Map<ExecThread, List<Access>> byThread = new LinkedHashMap<>();
        accesses.forEach(a -> byThread.computeIfAbsent(a.thread(), t -> new ArrayList<>()).add(a));
        List<Window> out = new ArrayList<>();
        for (List<Access> l : byThread.values()) {
            l.sort(Comparator.comparingLong(Access::ts).thenComparingLong(Access::ref));
            for (int i = 0; i + 1 < l.size(); i++) {
                if (l.get(i).kind().equals(Kinds.WATCH_READ) && l.get(i + 1).kind().equals(Kinds.WATCH_WRITTEN)) {
                    out.add(new Window(l.get(i), l.get(i + 1)));
                }
            }
        }
        return out;
    }

    /** Pairs of windows of different threads that overlap in time, earliest first (a sweep over read times). */
    static List<Window[]> overlapping(List<Window> windows) {
        List<Window> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparingLong((Window w) -> w.read().ts()));
        List<Window[]> out = new ArrayList<>();
        List<Window> active = new ArrayList<>();
        for (Window w : sorted) {
            active.removeIf(a -> a.write().ts() <= w.read().ts());
            for (Window a : active) {
                if (a.read().thread() != w.read().thread() && a.overlaps(w)) {
                    out.add(new Window[] {a, w});
                    break; // count each window once
                }
            }
            active.add(w);
        }
        return out;
    }
}
