package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.RecordType;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

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

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage parent : run.images()) {
            int handlerRuns = 0;
            Set<Integer> reapedInHandler = new HashSet<>();
            EventRef firstHandler = null, handlerWait = null;
            for (ThreadTrace t : parent.threads()) {
                int depth = 0; // open SIGCHLD handler runs of this thread
                for (int i = 0; i < t.size(); i++) {
                    if (t.type(i) == SIGNAL_HANDLER && t.arg(i, 0) == RecordType.SIGCHLD) {
                        if (t.phase(i) == ENTER) {
                            depth++;
                            handlerRuns++;
                            if (firstHandler == null) {
                                firstHandler = new EventRef(t, i);
                            }
                        } else if (t.phase(i) == EXIT && depth > 0) {
                            depth--;
                        }
                    } else if (depth > 0 && t.type(i) == WAIT && t.phase(i) == EXIT) {
                        if (handlerWait == null) {
                            handlerWait = new EventRef(t, i);
                        }
                        if (t.arg(i, 2) > 0) {
                            reapedInHandler.add((int) t.arg(i, 2));
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
            EventRef stuck = OpenCalls.stuckHandler(parent);
            long lastDone = Long.MIN_VALUE;
            if (stuck != null) {
                for (ThreadTrace t : parent.threads()) {
                    for (int i = 0; i < t.size(); i++) {
                        if (t.type(i) == SIGNAL_HANDLER && t.phase(i) == EXIT && t.arg(i, 0) == RecordType.SIGCHLD
                                && t.ts(i) < stuck.ts()) {
                            lastDone = Math.max(lastDone, t.ts(i));
                        }
                    }
                }
            }
            List<ProcessImage> exited = new ArrayList<>();
            for (ProcessImage c : parent.children()) {
                boolean explained = stuck != null && c.endTs() > lastDone && !reapedInHandler.contains(c.pid());
                if (c.origin() == ProcessImage.Origin.FORK && c.endTs() <= parent.endTs() && !explained) {
                    exited.add(c);
                }
            }
            List<ProcessImage> missed = exited.stream().filter(c -> !reapedInHandler.contains(c.pid())).toList();
            if (missed.isEmpty() || handlerRuns >= exited.size()) {
                continue;
            }
            ProcessImage first = missed.get(0);
            EventRef anchor = handlerWait != null ? handlerWait : firstHandler;
            Evidence.Place where = Evidence.place(model, parent, anchor.thread().ra(anchor.index()), true);
            Evidence.Place handler = Evidence.place(model, parent, firstHandler.thread().arg(firstHandler.index(), 1),
                    false);
            List<RelatedLocation> evidence = List.of(Evidence.related(handler, "the SIGCHLD handler ran "
                    + handlerRuns + " times"), Evidence.related(where, "it reaps here, one child per run"));
            String msg = exited.size() + " children exited but the SIGCHLD handler ran only " + handlerRuns
                    + " times and reaped " + reapedInHandler.size() + " of them; " + missed.size() + " were left as"
                    + " zombies for later: signals are not queued, so reap in a loop, while (waitpid(-1, NULL,"
                    + " WNOHANG) > 0)";
            ThreadTrace exitThread = first.mainThread().orElse(anchor.thread());
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, where, evidence,
                    Evidence.moment(model, exitThread, first.endTs()), parent.command()));
        }
    }
}
