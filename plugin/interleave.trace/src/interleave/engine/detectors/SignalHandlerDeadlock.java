package interleave.engine.detectors;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/**
 * A signal handler interrupted printf, malloc or fork, then called printf or malloc itself, and that call never
 * returned: the handler waits for a lock the interrupted code holds (the printf-in-handler deadlock, observed).
 */
@RuleInfo(id = SignalHandlerDeadlock.ID, title = "Signal handler deadlocked inside the code it interrupted",
        summary = "A signal handler ran nested inside printf/malloc/fork and called a non-async-signal-safe function"
                + " that never returned: the thread deadlocked on a lock held by the call it interrupted.",
        severity = Severity.ERROR, concept = "Async-signal-safety: deadlock in a signal handler",
        references = {"signal-safety(7)|https://man7.org/linux/man-pages/man7/signal-safety.7.html",
                "CERT SIG30-C|https://wiki.sei.cmu.edu/confluence/display/c/SIG30-C.+Call+only+asynchronous-safe+functions+within+signal+handlers"})
public final class SignalHandlerDeadlock implements DynamicDetector {
    public static final String ID = "observed-signal-handler-deadlock";
    private static final Set<String> INTERRUPTIBLE_UNSAFE = Set.of(Kinds.STDIO, Kinds.MALLOC, Kinds.FREE, Kinds.FORK);
    private static final Set<String> BLOCKING_UNSAFE = Set.of(Kinds.STDIO, Kinds.MALLOC, Kinds.FREE);
    private final long stallNs;

    public SignalHandlerDeadlock() {
        this(Duration.ofMillis(500));
    }

    /** @param stall how long the call inside the handler must stay unreturned before the trace ends */
    public SignalHandlerDeadlock(Duration stall) {
        this.stallNs = stall.toNanos();
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            for (ExecThread t : img.threads()) {
                List<Span> open = t.openSpans();
                for (int h = 0; h < open.size(); h++) { // from 0: the interrupted call may be only a mark (1.1)
                    Span handler = open.get(h);
                    if (!handler.kind().equals(Kinds.SIGNAL_HANDLER)) {
                        continue;
                    }
                    Span interrupted = null, stuck = null;
                    for (int k = h - 1; k >= 0 && interrupted == null; k--) {
                        if (INTERRUPTIBLE_UNSAFE.contains(open.get(k).kind())) {
                            interrupted = open.get(k);
                        }
                    }
                    for (int k = h + 1; k < open.size() && stuck == null; k++) {
                        if (open.get(k).kind().equals(Kinds.SIGNAL_HANDLER)) {
                            break; // a further handler: judged on its own
                        }
                        if (BLOCKING_UNSAFE.contains(open.get(k).kind())) {
                            stuck = open.get(k);
                        }
                    }
                    // no record of the interrupted call (run without --stdio): the handler-entry mark (format 1.1)
                    boolean marked = interrupted == null && (handler.flags() & (Span.IN_STDIO | Span.IN_HEAP)) != 0;
                    if (interrupted == null && !marked || stuck == null || run.endNs() - stuck.start() < stallNs) {
                        continue;
                    }
                    report(model, img, t, handler, interrupted, stuck, run.endNs() - stuck.start(), sink);
                    break;
                }
            }
        }
    }

    private void report(Locations model, ExecProcess img, ExecThread t, Span handler, Span interrupted,
            Span stuck, long stalledNs, Consumer<Finding> sink) {
        String signal = handler.name();
        String inner = stuck.name();
        String outer = interrupted != null ? interrupted.name()
                : (handler.flags() & Span.IN_HEAP) != 0 ? "malloc" : "printf";
        Evidence.Place where = Evidence.place(model, img, stuck.site(), true);
        Evidence.Place handlerFn = Evidence.place(model, img, handler.code(), false);
        // without a record of the interrupted call: the interrupted instruction (exact address)
        Evidence.Place outerCall = interrupted != null ? Evidence.place(model, img, interrupted.site(), true)
                : Evidence.place(model, img, handler.site(), false);
        List<RelatedLocation> evidence = List.of(
                Evidence.related(outerCall, outer + " was called here and was interrupted by " + signal),
                Evidence.related(handlerFn, "the " + signal + " handler ran nested inside " + outer),
                Evidence.related(where, "the handler called " + inner + ", which never returned"));
        String msg = "pid " + img.pid() + " deadlocked: the " + signal + " handler interrupted " + outer
                + " and called " + inner + ", which waited " + Evidence.ms(stalledNs) + " until the trace ended for a"
                + " lock the interrupted " + outer + " holds; only async-signal-safe functions may be called in a"
                + " handler (set a flag or use write())";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, where, evidence,
                Evidence.moment(model, t, stuck.start()), img.command(), signal, inner, outer));
    }
}
