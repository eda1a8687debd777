package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;

/**
 * More children exited than the SIGCHLD handler reaped: signals that arrive while one is pending are merged, so a
 * handler that reaps one child per run leaves the rest as zombies.
 */
@RuleInfo(id = LostSigchld.ID, title = "Lost SIGCHLDs: the handler reaped fewer children than exited",
        summary = "The SIGCHLD handler ran fewer times than children exited and reaped only some of them: pending"
                + " signals are not queued, so one run of the handler must reap every child that has exited.",
        severity = Severity.WARNING, concept = "Signals are not queued (reaping with while, not if)",
        references = {"signal(7)", "waitpid(2)"})
public final class LostSigchld implements DynamicDetector {
    public static final String ID = "observed-lost-sigchld";
    private static final int SIGCHLD = 17; // Linux

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess parent : run.processes()) {
            int handlerRuns = 0;
            Set<Integer> reapedInHandler = new HashSet<>();
            Span firstHandler = null, handlerWait = null;
            for (ExecThread t : parent.threads()) {
                for (Span s : t.spans()) {
                    if (isSigchldHandler(s)) {
                        handlerRuns++;
                        if (firstHandler == null) {
                            firstHandler = s;
                        }
                    } else if (s.kind().equals(Kinds.PROCESS_WAIT) && s.endRef() >= 0 && inSigchldHandler(s)) {
                        if (handlerWait == null) {
                            handlerWait = s;
                        }
                        if (s.result() > 0) {
                            reapedInHandler.add((int) s.result());
                        }
                    }
                }
            }
            if (handlerRuns == 0) {
                continue; // no handler: that is the zombie detector's case
            }
            // a handler run that never returned (deadlocked in the handler): children that exited after the last
            // run that did return could only have been reaped by that stuck run; they are its consequence, not
            // merged signals
            Span stuck = parent.stuckHandler();
            long lastDone = Long.MIN_VALUE;
            if (stuck != null) {
                for (ExecThread t : parent.threads()) {
                    for (Span s : t.spans()) {
                        if (isSigchldHandler(s) && s.endRef() >= 0 && s.end() < stuck.start()) {
                            lastDone = Math.max(lastDone, s.end());
                        }
                    }
                }
            }
            List<ExecProcess> exited = new ArrayList<>();
            for (ExecProcess c : parent.children()) {
                boolean explained = stuck != null && c.endTs() > lastDone && !reapedInHandler.contains(c.pid());
                if (c.origin() == ExecProcess.Origin.FORK && c.endTs() <= parent.endTs() && !explained) {
                    exited.add(c);
                }
            }
            List<ExecProcess> missed = exited.stream().filter(c -> !reapedInHandler.contains(c.pid())).toList();
            if (missed.isEmpty() || handlerRuns >= exited.size()) {
                continue;
            }
            ExecProcess first = missed.get(0);
            Evidence.Place where = handlerWait != null ? Evidence.place(model, parent, handlerWait.endSite(), true)
                    : Evidence.place(model, parent, firstHandler.site(), true);
            Evidence.Place handler = Evidence.place(model, parent, firstHandler.code(), false);
            List<RelatedLocation> evidence = List.of(Evidence.related(handler, "the SIGCHLD handler ran "
                    + handlerRuns + " times"), Evidence.related(where, "it reaps here, one child per run"));
            String msg = exited.size() + " children exited but the SIGCHLD handler ran only " + handlerRuns
                    + " times and reaped " + reapedInHandler.size() + " of them; " + missed.size() + " were left as"
                    + " zombies for later: signals are not queued, so reap in a loop, while (waitpid(-1, NULL,"
                    + " WNOHANG) > 0)";
            ExecThread anchorThread = handlerWait != null ? handlerWait.thread() : firstHandler.thread();
            ExecThread exitThread = first.mainThread().orElse(anchorThread);
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, where, evidence,
                    Evidence.moment(model, exitThread, first.endTs()), parent.command()));
        }
    }

    private static boolean isSigchldHandler(Span s) {
        return s.kind().equals(Kinds.SIGNAL_HANDLER) && s.subject() == SIGCHLD;
    }

    /** Called while a SIGCHLD handler ran on its thread (maybe nested in another handler inside it). */
    private static boolean inSigchldHandler(Span s) {
        for (Span p = s.parent(); p != null; p = p.parent()) {
            if (isSigchldHandler(p)) {
                return true;
            }
        }
        return false;
    }
}
