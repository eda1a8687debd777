package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Lock;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/** At the end of the trace, threads wait in pthread_mutex_lock for mutexes held by each other: a cycle. */
@RuleInfo(id = LockOrderDeadlock.ID, title = "Threads deadlocked on mutexes",
        summary = "Threads were blocked in pthread_mutex_lock when the trace ended, each waiting for a mutex another"
                + " of them held: they lock the same mutexes in different orders.",
        severity = Severity.ERROR, concept = "Deadlock: lock ordering",
        references = {"CERT POS51-C|https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order"})
public final class LockOrderDeadlock implements DynamicDetector {
    public static final String ID = "observed-lock-order-deadlock";

    /** A thread still waiting at the end, its wait, the mutex it wants, and the thread holding it (null if unknown). */
    record Wait(ExecThread thread, Span span, long mutex, ExecThread holder) {
    }

    /** The cycles of "waits for a mutex held by" among the threads of one process at the end of its trace. */
    static List<List<Wait>> deadlocks(ExecProcess img) {
        Map<Integer, ExecThread> byTid = new HashMap<>();
        for (ExecThread t : img.threads()) {
            byTid.put(t.tid(), t);
        }
        Map<ExecThread, Wait> waiting = new LinkedHashMap<>();
        for (ExecThread t : img.threads()) {
            List<Span> open = t.openSpans();
            if (open.isEmpty() || !open.get(open.size() - 1).kind().equals(Kinds.LOCK_WAIT)) {
                continue;
            }
            Span w = open.get(open.size() - 1);
            long m = w.subject();
            // the holder's tid read from the mutex when the wait began (format 1.1); else the model's lock state
            ExecThread holder = w.peer() > 0 ? byTid.get((int) w.peer()) : null;
            if (holder == null) {
                holder = img.lock(m).flatMap(Lock::holder).orElse(null);
            }
            waiting.put(t, new Wait(t, w, m, holder));
        }
        List<List<Wait>> out = new ArrayList<>();
        Set<ExecThread> reported = new HashSet<>();
        for (ExecThread start : waiting.keySet()) {
            if (reported.contains(start)) {
                continue;
            }
            List<ExecThread> path = new ArrayList<>();
            ExecThread t = start;
            while (t != null && !path.contains(t)) {
                path.add(t);
                Wait w = waiting.get(t);
                t = w == null ? null : w.holder();
            }
            if (t == null) {
                continue;
            }
            List<ExecThread> cycle = path.subList(path.indexOf(t), path.size());
            if (cycle.size() < 2 || reported.stream().anyMatch(cycle::contains)) {
                continue;
            }
            reported.addAll(cycle);
            out.add(cycle.stream().map(waiting::get).toList());
        }
        return out;
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            for (List<Wait> cycle : deadlocks(img)) {
                report(run, model, img, cycle, sink);
            }
        }
    }

    /** The order edge the thread gave just before it blocked: what it held, where it took that, where it waits. */
    private static Lock.Edge edgeBefore(ExecProcess img, Wait w, long held) {
        Lock.Edge found = null;
        for (Lock.Edge e : img.lock(w.mutex()).map(Lock::edgesIn).orElse(List.of())) {
            if (e.thread() == w.thread() && e.held() == held && e.ts() <= w.span().start()
                    && (found == null || e.ts() >= found.ts())) {
                found = e;
            }
        }
        return found;
    }

    private void report(ExecutionModel run, Locations model, ExecProcess img, List<Wait> cycle,
            Consumer<Finding> sink) {
        List<RelatedLocation> evidence = new ArrayList<>();
        StringBuilder story = new StringBuilder();
        Wait latest = null;
        for (int k = 0; k < cycle.size(); k++) {
            Wait w = cycle.get(k);
            ExecThread t = w.thread();
            Wait before = cycle.get((k + cycle.size() - 1) % cycle.size()); // waits for what t holds
            long held = before.mutex();
            String heldName = LockSites.name(model, img, held), wantedName = LockSites.name(model, img, w.mutex());
            Lock.Edge edge = edgeBefore(img, w, held);
            // older traces give no edges: the thread's last acquisition of the mutex
            LockSites.Site heldAt = edge != null ? LockSites.site(model, img, edge.heldSite(), edge.heldCaller())
                    : t.lastAcquiredAt(held) != 0 ? LockSites.site(model, img, t.lastAcquiredAt(held), 0) : null;
            if (heldAt != null) {
                evidence.add(new RelatedLocation(heldAt.place().range(), "thread " + t.tid() + " locked mutex "
                        + heldName + " here: " + heldAt.text()));
            }
            LockSites.Site waitAt = LockSites.site(model, img, w.span().site(), w.span().caller());
            evidence.add(new RelatedLocation(waitAt.place().range(), "thread " + t.tid() + " then waits here for mutex "
                    + wantedName + ", held by thread " + w.holder().tid() + ": " + waitAt.text()));
            story.append(story.isEmpty() ? "" : "; ").append("thread ").append(t.tid()).append(" holds ")
                    .append(heldName).append(" and waits for ").append(wantedName).append(" held by thread ")
                    .append(w.holder().tid());
            if (latest == null || w.span().start() > latest.span().start()) {
                latest = w;
            }
        }
        ExecThread lt = latest.thread();
        Evidence.Place where = LockSites.site(model, img, latest.span().site(), latest.span().caller()).place();
        String msg = cycle.size() + " threads of pid " + img.pid() + " deadlocked on mutexes (" + story
                + "), still blocked " + Evidence.ms(run.endNs() - latest.span().start())
                + " later when the trace ended: they take the same mutexes in different orders; always lock them in"
                + " one global order";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, where, evidence,
                Evidence.moment(model, lt, latest.span().start()), img.command(), String.valueOf(cycle.size())));
    }
}
