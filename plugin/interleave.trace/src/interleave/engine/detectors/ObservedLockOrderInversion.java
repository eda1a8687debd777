package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Lock;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/**
 * Lock-order graph of a process image: an edge A → B for every LOCK_EDGE record (a thread asked for B while holding
 * A). A cycle whose edges come from at least two threads is a deadlock waiting for the wrong timing, whether or not
 * this run hung (cycles that did hang are the observed deadlock's finding).
 */
@RuleInfo(id = ObservedLockOrderInversion.ID, title = "Mutexes locked in opposite orders",
        summary = "Threads took the same mutexes in different orders (one held A and took B, another held B and took"
                + " A): when their timing overlaps they deadlock, even if this run did not.",
        severity = Severity.WARNING, concept = "Deadlock: lock ordering",
        references = {"CERT POS51-C|https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order"})
public final class ObservedLockOrderInversion implements DynamicDetector {
    public static final String ID = "observed-lock-order-inversion";
    private static final int MAX_CYCLE = 4;
    private static final int EXAMPLES_PER_EDGE = 8;

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            // A -> B -> a few examples (different threads first), taken thread by thread in time order
            List<Lock.Edge> all = new ArrayList<>();
            img.locks().forEach(l -> all.addAll(l.edgesIn()));
            if (all.isEmpty()) {
                continue;
            }
            Map<ExecThread, Integer> order = new HashMap<>();
            img.threads().forEach(t -> order.put(t, order.size()));
            all.sort(Comparator.comparingInt((Lock.Edge e) -> order.getOrDefault(e.thread(), -1))
                    .thenComparingLong(Lock.Edge::ts));
            TreeMap<Long, TreeMap<Long, List<Lock.Edge>>> graph = new TreeMap<>(Long::compareUnsigned);
            for (Lock.Edge e : all) {
                if (e.held() == e.taken()) {
                    continue;
                }
                List<Lock.Edge> ex = graph.computeIfAbsent(e.held(), k -> new TreeMap<>(Long::compareUnsigned))
                        .computeIfAbsent(e.taken(), k -> new ArrayList<>());
                if (ex.size() < EXAMPLES_PER_EDGE && ex.stream().noneMatch(x -> x.thread() == e.thread())) {
                    ex.add(e);
                }
            }
            if (graph.isEmpty()) {
                continue;
            }
            Set<Set<Long>> hung = new HashSet<>();
            for (List<LockOrderDeadlock.Wait> d : LockOrderDeadlock.deadlocks(img)) {
                Set<Long> ms = new HashSet<>();
                d.forEach(w -> ms.add(w.mutex()));
                hung.add(ms);
            }
            Set<Set<Long>> seen = new HashSet<>();
            for (long start : graph.keySet()) {
                List<Long> path = new ArrayList<>(List.of(start));
                cycles(graph, start, path, cycle -> {
                    Set<Long> key = new TreeSet<>(cycle);
                    if (seen.add(key) && !hung.contains(key)) {
                        List<Lock.Edge> edges = pickEdges(graph, cycle);
                        if (edges != null) {
                            report(model, img, edges, sink);
                        }
                    }
                });
            }
        }
    }

    /** Simple cycles through start whose other nodes are all greater than start (each cycle found once). */
    private static void cycles(TreeMap<Long, TreeMap<Long, List<Lock.Edge>>> g, long start, List<Long> path,
            Consumer<List<Long>> found) {
        long last = path.get(path.size() - 1);
        for (long next : g.getOrDefault(last, new TreeMap<>()).keySet()) {
            if (next == start && path.size() >= 2) {
                found.accept(List.copyOf(path));
            } else if (Long.compareUnsigned(next, start) > 0 && !path.contains(next) && path.size() < MAX_CYCLE) {
                path.add(next);
                cycles(g, start, path, found);
                path.remove(path.size() - 1);
            }
        }
    }

    /** One example per edge of the cycle, from at least two threads (one thread alone cannot deadlock itself). */
    private static List<Lock.Edge> pickEdges(TreeMap<Long, TreeMap<Long, List<Lock.Edge>>> g, List<Long> cycle) {
        List<List<Lock.Edge>> options = new ArrayList<>();
        for (int k = 0; k < cycle.size(); k++) {
            options.add(g.get(cycle.get(k)).get(cycle.get((k + 1) % cycle.size())));
        }
        List<Lock.Edge> pick = new ArrayList<>();
        options.forEach(o -> pick.add(o.get(0)));
        if (pick.stream().map(Lock.Edge::thread).distinct().count() >= 2) {
            return pick;
        }
        for (int k = 0; k < options.size(); k++) { // all in one thread: swap in another thread's example
            for (Lock.Edge e : options.get(k)) {
                if (e.thread() != pick.get(0).thread()) {
                    pick.set(k, e);
                    return pick;
                }
            }
        }
        return null;
    }

    private void report(Locations model, ExecProcess img, List<Lock.Edge> edges, Consumer<Finding> sink) {
        List<RelatedLocation> evidence = new ArrayList<>();
        StringBuilder story = new StringBuilder();
        List<String> names = new ArrayList<>();
        Lock.Edge latest = null;
        LockSites.Site first = null;
        for (Lock.Edge e : edges) {
            ExecThread t = e.thread();
            String held = LockSites.name(model, img, e.held()), taken = LockSites.name(model, img, e.taken());
            names.add(held);
            LockSites.Site heldAt = LockSites.site(model, img, e.heldSite(), e.heldCaller());
            LockSites.Site takeAt = LockSites.site(model, img, e.takenSite(), e.takenCaller());
            if (first == null) {
                first = takeAt;
            }
            evidence.add(new RelatedLocation(heldAt.place().range(),
                    "thread " + t.tid() + " locked " + held + " here: " + heldAt.text()));
            evidence.add(new RelatedLocation(takeAt.place().range(),
                    "thread " + t.tid() + " then locked " + taken + " here while holding " + held + ": "
                            + takeAt.text()));
            story.append(story.isEmpty() ? "" : "; ").append("thread ").append(t.tid()).append(" holds ")
                    .append(held).append(" (").append(heldAt.text()).append(") and takes ").append(taken)
                    .append(" (").append(takeAt.text()).append(")");
            if (latest == null || e.ts() > latest.ts()) {
                latest = e;
            }
        }
        String list = names.size() == 2 ? names.get(0) + " and " + names.get(1) : String.join(", ", names);
        String msg = "mutexes " + list + " of pid " + img.pid() + " are locked in opposite orders: " + story
                + ". This run did not hang, but when these threads overlap each waits for a mutex the other holds,"
                + " forever; lock them in one global order";
        List<String> anchor = new ArrayList<>(List.of(img.command()));
        names.stream().sorted().forEach(anchor::add);
        sink.accept(Evidence.finding(ID, Severity.WARNING, msg, first.place(), evidence,
                Evidence.moment(model, latest.thread(), latest.ts()), anchor.toArray(new String[0])));
    }
}
