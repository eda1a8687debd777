package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/** At the end of the trace, threads wait in pthread_mutex_lock for mutexes held by each other: a cycle. */
@RuleInfo(id = LockOrderDeadlock.ID, title = "Threads deadlocked on mutexes",
        summary = "Threads were blocked in pthread_mutex_lock when the trace ended, each waiting for a mutex another"
                + " of them held: they lock the same mutexes in different orders.",
        severity = Severity.ERROR, concept = "Deadlock: lock ordering",
        references = {"CERT POS51-C|https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order"})
public final class LockOrderDeadlock implements RecordDetector {
    public static final String ID = "observed-lock-order-deadlock";

    /** A thread still waiting at the end, the mutex it wants, and the thread holding it (null if unknown). */
    record Wait(ThreadTrace thread, int enter, long mutex, ThreadTrace holder) {
    }

    /** The cycles of "waits for a mutex held by" among the threads of one image at the end of its trace. */
    static List<List<Wait>> deadlocks(ProcessImage img) {
        Map<Long, EventRef> owner = new HashMap<>(); // mutex -> the recorded acquisition still held at the end
        Map<Integer, ThreadTrace> byTid = new HashMap<>();
        List<ThreadTrace> blocked = new ArrayList<>();
        Map<ThreadTrace, Integer> enterOf = new HashMap<>();
        for (ThreadTrace t : img.threads()) {
            byTid.put(t.tid(), t);
            for (int i = 0; i < t.size(); i++) {
                int type = t.type(i), phase = t.phase(i);
                if (type == MUTEX_LOCK && (phase == CALL || phase == EXIT) && t.err(i) == 0
                        || type == MUTEX_TRYLOCK && t.err(i) == 0) {
                    owner.put(t.arg(i, 0), new EventRef(t, i));
                } else if (type == COND_WAIT && phase == EXIT) {
                    owner.put(t.arg(i, 1), new EventRef(t, i));
                } else if (type == LOCK_EDGE) { // v1.1: the thread held a0 when it asked for a1
                    owner.putIfAbsent(t.arg(i, 0), new EventRef(t, i));
                } else if (type == MUTEX_UNLOCK && t.err(i) == 0 || type == COND_WAIT && phase == ENTER) {
                    long m = type == MUTEX_UNLOCK ? t.arg(i, 0) : t.arg(i, 1);
                    EventRef o = owner.get(m);
                    if (o != null && o.thread() == t) {
                        owner.remove(m);
                    }
                }
            }
            List<Integer> open = OpenCalls.atEnd(t);
            if (!open.isEmpty() && t.type(open.get(open.size() - 1)) == MUTEX_LOCK) {
                blocked.add(t);
                enterOf.put(t, open.get(open.size() - 1));
            }
        }
        Map<ThreadTrace, Wait> waiting = new LinkedHashMap<>();
        for (ThreadTrace t : blocked) {
            int e = enterOf.get(t);
            long m = t.arg(e, 0);
            // v1.1 records the holder's tid (read from the mutex when the wait began); older traces: the last
            // recorded acquisition
            ThreadTrace holder = t.arg(e, 1) > 0 ? byTid.get((int) t.arg(e, 1)) : null;
            if (holder == null && owner.containsKey(m)) {
                holder = owner.get(m).thread();
            }
            waiting.put(t, new Wait(t, e, m, holder));
        }
        List<List<Wait>> out = new ArrayList<>();
        Set<ThreadTrace> reported = new HashSet<>();
        for (ThreadTrace start : waiting.keySet()) {
            if (reported.contains(start)) {
                continue;
            }
            List<ThreadTrace> path = new ArrayList<>();
            ThreadTrace t = start;
            while (t != null && !path.contains(t)) {
                path.add(t);
                Wait w = waiting.get(t);
                t = w == null ? null : w.holder();
            }
            if (t == null) {
                continue;
            }
            List<ThreadTrace> cycle = path.subList(path.indexOf(t), path.size());
            if (cycle.size() < 2 || reported.stream().anyMatch(cycle::contains)) {
                continue;
            }
            reported.addAll(cycle);
            out.add(cycle.stream().map(waiting::get).toList());
        }
        return out;
    }

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage img : run.images()) {
            for (List<Wait> cycle : deadlocks(img)) {
                report(model, img, cycle, sink);
            }
        }
    }

    /** The LOCK_EDGE the thread wrote just before it blocked: what it held, where it took that, where it waits. */
    private static int edgeBefore(ThreadTrace t, int enter, long held, long wanted) {
        for (int i = enter; i >= 0; i--) {
            if (t.type(i) == LOCK_EDGE && t.arg(i, 1) == wanted && t.arg(i, 0) == held) {
                return i;
            }
        }
        return -1;
    }

    private void report(TimelineModel model, ProcessImage img, List<Wait> cycle, Consumer<Finding> sink) {
        List<RelatedLocation> evidence = new ArrayList<>();
        StringBuilder story = new StringBuilder();
        Wait latest = null;
        for (int k = 0; k < cycle.size(); k++) {
            Wait w = cycle.get(k);
            ThreadTrace t = w.thread();
            Wait before = cycle.get((k + cycle.size() - 1) % cycle.size()); // waits for what t holds
            long held = before.mutex();
            String heldName = LockSites.name(model, img, held), wantedName = LockSites.name(model, img, w.mutex());
            int edge = edgeBefore(t, w.enter(), held, w.mutex());
            LockSites.Site heldAt = edge >= 0 ? LockSites.site(model, img, t.arg(edge, 2), t.arg(edge, 3))
                    : heldSiteFromEvents(model, img, t, held);
            if (heldAt != null) {
                evidence.add(new RelatedLocation(heldAt.place().range(), "thread " + t.tid() + " locked mutex "
                        + heldName + " here: " + heldAt.text()));
            }
            LockSites.Site waitAt = LockSites.site(model, img, t.ra(w.enter()), t.arg(w.enter(), 2));
            evidence.add(new RelatedLocation(waitAt.place().range(), "thread " + t.tid() + " then waits here for mutex "
                    + wantedName + ", held by thread " + w.holder().tid() + ": " + waitAt.text()));
            story.append(story.isEmpty() ? "" : "; ").append("thread ").append(t.tid()).append(" holds ")
                    .append(heldName).append(" and waits for ").append(wantedName).append(" held by thread ")
                    .append(w.holder().tid());
            if (latest == null || t.ts(w.enter()) > latest.thread().ts(latest.enter())) {
                latest = w;
            }
        }
        ThreadTrace lt = latest.thread();
        Evidence.Place where = LockSites.site(model, img, lt.ra(latest.enter()), lt.arg(latest.enter(), 2)).place();
        String msg = cycle.size() + " threads of pid " + img.pid() + " deadlocked on mutexes (" + story
                + "), still blocked " + Evidence.ms(model.run().endNs() - lt.ts(latest.enter()))
                + " later when the trace ended: they take the same mutexes in different orders; always lock them in"
                + " one global order";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, where, evidence,
                Evidence.moment(model, lt, lt.ts(latest.enter())), img.command(), String.valueOf(cycle.size())));
    }

    /** Older traces: the thread's last recorded acquisition of the mutex. */
    private static LockSites.Site heldSiteFromEvents(TimelineModel model, ProcessImage img, ThreadTrace t, long m) {
        for (int i = t.size() - 1; i >= 0; i--) {
            int type = t.type(i), phase = t.phase(i);
            if ((type == MUTEX_LOCK && (phase == CALL || phase == EXIT) || type == MUTEX_TRYLOCK) && t.err(i) == 0
                    && t.arg(i, 0) == m || type == COND_WAIT && phase == EXIT && t.arg(i, 1) == m) {
                return LockSites.site(model, img, t.ra(i), 0);
            }
        }
        return null;
    }
}
