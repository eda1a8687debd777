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
public final class LockOrderDeadlock implements DynamicDetector {
    public static final String ID = "observed-lock-order-deadlock";

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage img : run.images()) {
            Map<Long, EventRef> owner = new HashMap<>(); // mutex -> the acquisition still held at the end
            Map<ThreadTrace, EventRef> waiting = new LinkedHashMap<>(); // thread -> its unreturned lock request
            for (ThreadTrace t : img.threads()) {
                for (int i = 0; i < t.size(); i++) {
                    int type = t.type(i), phase = t.phase(i);
                    if (type == MUTEX_LOCK && (phase == CALL || phase == EXIT) && t.err(i) == 0
                            || type == MUTEX_TRYLOCK && t.err(i) == 0) {
                        owner.put(t.arg(i, 0), new EventRef(t, i));
                    } else if (type == COND_WAIT && phase == EXIT) {
                        owner.put(t.arg(i, 1), new EventRef(t, i));
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
                    waiting.put(t, new EventRef(t, open.get(open.size() - 1)));
                }
            }
            Set<ThreadTrace> reported = new HashSet<>();
            for (ThreadTrace start : waiting.keySet()) {
                if (reported.contains(start)) {
                    continue;
                }
                List<ThreadTrace> cycle = cycleFrom(start, waiting, owner);
                if (cycle.isEmpty() || reported.stream().anyMatch(cycle::contains)) {
                    continue;
                }
                reported.addAll(cycle);
                report(model, img, cycle, waiting, owner, sink);
            }
        }
    }

    private static List<ThreadTrace> cycleFrom(ThreadTrace start, Map<ThreadTrace, EventRef> waiting,
            Map<Long, EventRef> owner) {
        List<ThreadTrace> path = new ArrayList<>();
        ThreadTrace t = start;
        while (t != null && !path.contains(t)) {
            path.add(t);
            EventRef w = waiting.get(t);
            EventRef o = w == null ? null : owner.get(w.thread().arg(w.index(), 0));
            t = o == null ? null : o.thread();
        }
        if (t == null) {
            return List.of();
        }
        return path.subList(path.indexOf(t), path.size());
    }

    private void report(TimelineModel model, ProcessImage img, List<ThreadTrace> cycle,
            Map<ThreadTrace, EventRef> waiting, Map<Long, EventRef> owner, Consumer<Finding> sink) {
        List<RelatedLocation> evidence = new ArrayList<>();
        StringBuilder story = new StringBuilder();
        EventRef latest = null;
        for (ThreadTrace t : cycle) {
            EventRef w = waiting.get(t);
            long wanted = w.thread().arg(w.index(), 0);
            EventRef held = owner.get(wanted);
            for (Map.Entry<Long, EventRef> e : owner.entrySet()) {
                if (e.getValue().thread() == t) {
                    evidence.add(Evidence.related(Evidence.place(model, img, t.ra(e.getValue().index()), true),
                            "thread " + t.tid() + " locked mutex 0x" + Long.toHexString(e.getKey()) + " here"));
                }
            }
            evidence.add(Evidence.related(Evidence.place(model, img, t.ra(w.index()), true), "thread " + t.tid()
                    + " then waits here for mutex 0x" + Long.toHexString(wanted) + ", held by thread "
                    + held.thread().tid()));
            story.append(story.isEmpty() ? "" : "; ").append("thread ").append(t.tid()).append(" waits for 0x")
                    .append(Long.toHexString(wanted)).append(" held by thread ").append(held.thread().tid());
            if (latest == null || w.ts() > latest.ts()) {
                latest = w;
            }
        }
        Evidence.Place where = Evidence.place(model, img, latest.thread().ra(latest.index()), true);
        String msg = cycle.size() + " threads of pid " + img.pid() + " deadlocked on mutexes (" + story
                + "), still blocked " + Evidence.ms(model.run().endNs() - latest.ts()) + " later when the trace"
                + " ended: they take the same mutexes in different orders; always lock them in one global order";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, where, evidence,
                Evidence.moment(model, latest.thread(), latest.ts()), img.command(), String.valueOf(cycle.size())));
    }
}
