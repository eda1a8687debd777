package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.RecordType;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

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
    private static final Set<Integer> INTERRUPTIBLE_UNSAFE = Set.of(STDIO, MALLOC, FREE, FORK);
    private static final Set<Integer> BLOCKING_UNSAFE = Set.of(STDIO, MALLOC, FREE);
    private final long stallNs;

    public SignalHandlerDeadlock() {
        this(Duration.ofMillis(500));
    }

    /** @param stall how long the call inside the handler must stay unreturned before the trace ends */
    public SignalHandlerDeadlock(Duration stall) {
        this.stallNs = stall.toNanos();
    }

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage img : run.images()) {
            for (ThreadTrace t : img.threads()) {
                List<Integer> open = OpenCalls.atEnd(t);
                for (int h = 0; h < open.size(); h++) { // from 0: the interrupted call may be only a mark (1.1)
                    int handler = open.get(h);
                    if (t.type(handler) != SIGNAL_HANDLER) {
                        continue;
                    }
                    int interrupted = -1, stuck = -1;
                    for (int k = h - 1; k >= 0 && interrupted < 0; k--) {
                        if (INTERRUPTIBLE_UNSAFE.contains(t.type(open.get(k)))) {
                            interrupted = open.get(k);
                        }
                    }
                    for (int k = h + 1; k < open.size() && stuck < 0; k++) {
                        if (t.type(open.get(k)) == SIGNAL_HANDLER) {
                            break; // a further handler: judged on its own
                        }
                        if (BLOCKING_UNSAFE.contains(t.type(open.get(k)))) {
                            stuck = open.get(k);
                        }
                    }
                    // no record of the interrupted call (run without --stdio): the handler-entry mark (format 1.1)
                    boolean marked = interrupted < 0
                            && (t.flags(handler) & (SIG_IN_STDIO | SIG_IN_HEAP)) != 0;
                    if (interrupted < 0 && !marked || stuck < 0 || run.endNs() - t.ts(stuck) < stallNs) {
                        continue;
                    }
                    report(model, img, t, handler, interrupted, stuck, run.endNs() - t.ts(stuck), sink);
                    break;
                }
            }
        }
    }

    private void report(TimelineModel model, ProcessImage img, ThreadTrace t, int handler, int interrupted,
            int stuck, long stalledNs, Consumer<Finding> sink) {
        String signal = RecordType.signalName((int) t.arg(handler, 0));
        String inner = callName(t, stuck);
        String outer = interrupted >= 0 ? callName(t, interrupted)
                : (t.flags(handler) & SIG_IN_HEAP) != 0 ? "malloc" : "printf";
        Evidence.Place where = Evidence.place(model, img, t.ra(stuck), true);
        Evidence.Place handlerFn = Evidence.place(model, img, t.arg(handler, 1), false);
        // without a record of the interrupted call: the interrupted instruction (exact address)
        Evidence.Place outerCall = interrupted >= 0 ? Evidence.place(model, img, t.ra(interrupted), true)
                : Evidence.place(model, img, t.ra(handler), false);
        List<RelatedLocation> evidence = List.of(
                Evidence.related(outerCall, outer + " was called here and was interrupted by " + signal),
                Evidence.related(handlerFn, "the " + signal + " handler ran nested inside " + outer),
                Evidence.related(where, "the handler called " + inner + ", which never returned"));
        String msg = "pid " + img.pid() + " deadlocked: the " + signal + " handler interrupted " + outer
                + " and called " + inner + ", which waited " + Evidence.ms(stalledNs) + " until the trace ended for a"
                + " lock the interrupted " + outer + " holds; only async-signal-safe functions may be called in a"
                + " handler (set a flag or use write())";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, where, evidence,
                Evidence.moment(model, t, t.ts(stuck)), img.command(), signal, inner, outer));
    }

    private static String callName(ThreadTrace t, int i) {
        return switch (t.type(i)) {
            case STDIO -> switch (t.flags(i)) {
                case 0 -> "printf";
                case 1 -> "fprintf";
                case 4 -> "puts";
                case 5 -> "fputs";
                case 9 -> "fflush";
                default -> "stdio";
            };
            case MALLOC -> t.flags(i) == 1 ? "calloc" : t.flags(i) == 2 ? "realloc" : "malloc";
            case FREE -> "free";
            case FORK -> "fork";
            default -> RecordType.name(t.type(i)).toLowerCase();
        };
    }
}
