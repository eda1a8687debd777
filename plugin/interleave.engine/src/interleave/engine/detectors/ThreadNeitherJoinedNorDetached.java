package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

/** Threads that ended while still joinable: nobody joined them and nobody detached them. */
@RuleInfo(id = ThreadNeitherJoinedNorDetached.ID, title = "Thread neither joined nor detached",
        summary = "Threads ended without anyone calling pthread_join or pthread_detach for them, so each keeps its"
                + " stack and thread resources until the process exits (a thread-sized leak per client).",
        severity = Severity.WARNING, concept = "Joinable vs detached threads (thread-based servers)",
        references = {"pthread_detach(3)", "pthread_join(3)", "CERT POS44-C"})
public final class ThreadNeitherJoinedNorDetached implements DynamicDetector {
    public static final String ID = "observed-thread-not-joined-or-detached";

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage img : run.images()) {
            Map<Long, List<ThreadTrace>> leakedBySite = new LinkedHashMap<>();
            Map<Long, Integer> createdBySite = new LinkedHashMap<>();
            for (ThreadTrace t : img.threads()) {
                ThreadTrace c = t.creator().orElse(null);
                if (c == null || t.createEnterIndex() < 0) {
                    continue;
                }
                long site = c.ra(t.createEnterIndex());
                createdBySite.merge(site, 1, Integer::sum);
                if (t.find(THREAD_EXIT, -1) < 0) {
                    continue; // still running at the end: not (yet) a leak
                }
                if (t.createdDetached()) {
                    continue; // created with PTHREAD_CREATE_DETACHED in its attr: released from the start
                }
                if (!releasedByAnyone(img, t, c.ts(t.createEnterIndex()))) {
                    leakedBySite.computeIfAbsent(site, k -> new ArrayList<>()).add(t);
                }
            }
            for (Map.Entry<Long, List<ThreadTrace>> e : leakedBySite.entrySet()) {
                List<ThreadTrace> leaked = e.getValue();
                if (!growing(img, e.getKey(), leaked)) {
                    continue;
                }
                ThreadTrace first = leaked.get(0);
                Evidence.Place site = Evidence.place(model, img, e.getKey(), true);
                Evidence.Place routine = Evidence.place(model, img, first.arg(0, 0), false);
                List<RelatedLocation> evidence = List.of(Evidence.related(routine,
                        "thread " + first.tid() + " ran this start routine and returned, still joinable"));
                String msg = leaked.size() + " of " + createdBySite.get(e.getKey()) + " threads created here ended"
                        + " without being joined or detached: each keeps its stack until the process exits; call"
                        + " pthread_detach(pthread_self()) in the thread, or pthread_join it";
                int exit = first.find(THREAD_EXIT, -1);
                sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                        Evidence.moment(model, first, first.ts(exit)), img.command()));
            }
        }
    }

    /**
     * The leak grows: the site created another thread after one of the unreleased threads had ended. A program that
     * starts a few threads and exits right after they end loses nothing (and traces of format 1.0 do not show
     * joins through pthread_timedjoin_np/tryjoin/clockjoin).
     */
    private static boolean growing(ProcessImage img, long site, List<ThreadTrace> leaked) {
        long firstEnd = Long.MAX_VALUE;
        for (ThreadTrace t : leaked) {
            firstEnd = Math.min(firstEnd, t.ts(t.find(THREAD_EXIT, -1)));
        }
        for (ThreadTrace t : img.threads()) {
            ThreadTrace c = t.creator().orElse(null);
            if (c != null && t.createEnterIndex() >= 0 && c.ra(t.createEnterIndex()) == site
                    && c.ts(t.createEnterIndex()) > firstEnd) {
                return true;
            }
        }
        return false;
    }

    /**
     * A successful join or detach naming the thread's pthread_t after its creation began (a thread may detach itself
     * before pthread_create returns) and before that pthread_t was handed to a newer thread.
     */
    private static boolean releasedByAnyone(ProcessImage img, ThreadTrace thread, long createdTs) {
        long self = thread.header().pthreadSelf();
        long reusedTs = Long.MAX_VALUE;
        for (ThreadTrace other : img.threads()) {
            if (other != thread && other.header().pthreadSelf() == self && other.firstTs() > thread.firstTs()) {
                reusedTs = Math.min(reusedTs, other.firstTs());
            }
        }
        for (ThreadTrace t : img.threads()) {
            for (int i = 0; i < t.size(); i++) {
                int type = t.type(i);
                // any successful join counts: pthread_join, and (format 1.1, flags) timed, try and clock joins
                boolean release = type == PTHREAD_DETACH && t.err(i) == 0
                        || type == PTHREAD_JOIN && t.phase(i) == EXIT && t.err(i) == 0;
                if (release && t.arg(i, 0) == self && t.ts(i) >= createdTs && t.ts(i) < reusedTs) {
                    return true;
                }
            }
        }
        return false;
    }
}
