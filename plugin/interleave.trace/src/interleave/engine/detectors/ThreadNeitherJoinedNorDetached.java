package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;

/** Threads that ended while still joinable: nobody joined them and nobody detached them. */
@RuleInfo(id = ThreadNeitherJoinedNorDetached.ID, title = "Thread neither joined nor detached",
        summary = "Threads ended without anyone calling pthread_join or pthread_detach for them, so each keeps its"
                + " stack and thread resources until the process exits (a thread-sized leak per client).",
        severity = Severity.WARNING, concept = "Joinable vs detached threads (thread-based servers)",
        references = {"pthread_detach(3)", "pthread_join(3)", "CERT POS44-C"})
public final class ThreadNeitherJoinedNorDetached implements DynamicDetector {
    public static final String ID = "observed-thread-not-joined-or-detached";

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            Map<Long, List<ExecThread>> leakedBySite = new LinkedHashMap<>();
            Map<Long, Integer> createdBySite = new LinkedHashMap<>();
            for (ExecThread t : img.threads()) {
                if (t.creator().isEmpty() || t.createTs() < 0) {
                    continue;
                }
                long site = t.createSite();
                createdBySite.merge(site, 1, Integer::sum);
                if (t.end().isEmpty()) {
                    continue; // still running at the end: not (yet) a leak
                }
                if (t.createdDetached()) {
                    continue; // created with PTHREAD_CREATE_DETACHED in its attr: released from the start
                }
                if (!releasedByAnyone(img, t)) {
                    leakedBySite.computeIfAbsent(site, k -> new ArrayList<>()).add(t);
                }
            }
            for (Map.Entry<Long, List<ExecThread>> e : leakedBySite.entrySet()) {
                List<ExecThread> leaked = e.getValue();
                if (!growing(img, e.getKey(), leaked)) {
                    continue;
                }
                ExecThread first = leaked.get(0);
                Evidence.Place site = Evidence.place(model, img, e.getKey(), true);
                Evidence.Place routine = Evidence.place(model, img, first.startRoutine(), false);
                List<RelatedLocation> evidence = List.of(Evidence.related(routine,
                        "thread " + first.tid() + " ran this start routine and returned, still joinable"));
                String msg = leaked.size() + " of " + createdBySite.get(e.getKey()) + " threads created here ended"
                        + " without being joined or detached: each keeps its stack until the process exits; call"
                        + " pthread_detach(pthread_self()) in the thread, or pthread_join it";
                sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                        Evidence.moment(model, first, first.end().get().ts()), img.command()));
            }
        }
    }

    /**
     * The leak grows: the site created another thread after one of the unreleased threads had ended. A program that
     * starts a few threads and exits right after they end loses nothing (and traces of format 1.0 do not show
     * joins through pthread_timedjoin_np/tryjoin/clockjoin).
     */
    private static boolean growing(ExecProcess img, long site, List<ExecThread> leaked) {
        long firstEnd = Long.MAX_VALUE;
        for (ExecThread t : leaked) {
            firstEnd = Math.min(firstEnd, t.end().get().ts());
        }
        for (ExecThread t : img.threads()) {
            if (t.creator().isPresent() && t.createTs() >= 0 && t.createSite() == site && t.createTs() > firstEnd) {
                return true;
            }
        }
        return false;
    }

    /**
     * A successful join or detach naming the thread's handle after its creation began (a thread may detach itself
     * before pthread_create returns) and before that handle was given to a newer thread. Any successful join counts:
     * pthread_join, and the timed, try and clock joins.
     */
    private static boolean releasedByAnyone(ExecProcess img, ExecThread thread) {
        long self = thread.handle();
        long reusedTs = Long.MAX_VALUE;
        for (ExecThread other : img.threads()) {
            if (other != thread && other.handle() == self && other.firstTs() > thread.firstTs()) {
                reusedTs = Math.min(reusedTs, other.firstTs());
            }
        }
        for (Instant release : img.releasesOf(self)) {
            if (release.ts() >= thread.createTs() && release.ts() < reusedTs) {
                return true;
            }
        }
        return false;
    }
}
