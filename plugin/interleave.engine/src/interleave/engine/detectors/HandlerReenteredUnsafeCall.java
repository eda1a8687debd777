package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.List;
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
 * A signal handler interrupted printf (or malloc/free) and called the same family of functions itself, and that
 * inner call returned: the non-reentrant code ran twice at once on the same stream or heap. On glibc's recursive
 * stdio lock this is what prints duplicated, garbled and lost lines instead of deadlocking; it is the same bug as the
 * deadlock, observed before it hangs. (A handler call that never returns is {@link SignalHandlerDeadlock}'s.)
 */
@RuleInfo(id = HandlerReenteredUnsafeCall.ID, title = "Signal handler re-entered printf or malloc",
        summary = "A signal handler ran nested inside printf/malloc and called printf/malloc itself: the same"
                + " non-reentrant code ran twice at once, which corrupts output or the heap.",
        severity = Severity.ERROR, concept = "Async-signal-safety: printf in a SIGCHLD handler",
        references = {"signal-safety(7)|https://man7.org/linux/man-pages/man7/signal-safety.7.html",
                "CERT SIG30-C|https://wiki.sei.cmu.edu/confluence/display/c/SIG30-C.+Call+only+asynchronous-safe+functions+within+signal+handlers"})
public final class HandlerReenteredUnsafeCall implements DynamicDetector {
    public static final String ID = "observed-handler-reentered-unsafe-call";

    /**
     * One re-entry: the interrupted call ({@code outer}, -1 when it was not recorded and only the handler-entry record
     * says the thread was inside stdio or malloc, format 1.1), the handler run, the handler's own call of the family.
     */
    private record Occurrence(int outer, int handler, int inner, int family) {
    }

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage img : run.images()) {
            for (ThreadTrace t : img.threads()) {
                List<Occurrence> found = scan(t);
                if (!found.isEmpty()) {
                    report(model, img, t, found, sink);
                }
            }
        }
    }

    /** Calls that share state with an unsafe call of the same family (the stdio stream, the heap). */
    private static int family(int type) {
        return switch (type) {
        case STDIO -> STDIO;
        case MALLOC, FREE -> MALLOC;
        default -> -1;
        };
    }

    /** One pass with a stack of open calls; a re-entry counts once its inner call has returned (paired EXIT). */
    private static List<Occurrence> scan(ThreadTrace t) {
        List<Occurrence> out = new ArrayList<>();
        List<Integer> stack = new ArrayList<>();
        java.util.Map<Integer, Occurrence> pending = new java.util.HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            int phase = t.phase(i);
            if (phase == ENTER) {
                int fam = family(t.type(i));
                if (fam >= 0) {
                    Occurrence o = reentry(t, stack, i, fam);
                    if (o != null) {
                        pending.put(i, o);
                    }
                }
                stack.add(i);
            } else if (phase == EXIT) {
                for (int k = stack.size() - 1; k >= 0; k--) {
                    if (t.type(stack.get(k)) == t.type(i)) {
                        Occurrence done = pending.remove(stack.get(k));
                        if (done != null) {
                            out.add(done);
                        }
                        stack.subList(k, stack.size()).clear();
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The open handler nearest the top of the stack, and below it an open call of the same family; or, when the run
     * did not record stdio/heap calls outside handlers (no --stdio), the handler-entry record's mark that the thread
     * was inside that family when the signal arrived.
     */
    private static Occurrence reentry(ThreadTrace t, List<Integer> stack, int inner, int fam) {
        for (int h = stack.size() - 1; h >= 0; h--) {
            if (t.type(stack.get(h)) != SIGNAL_HANDLER) {
                continue;
            }
            for (int k = h - 1; k >= 0; k--) {
                if (family(t.type(stack.get(k))) == fam) {
                    return new Occurrence(stack.get(k), stack.get(h), inner, fam);
                }
            }
            int mark = fam == STDIO ? SIG_IN_STDIO : SIG_IN_HEAP;
            if ((t.flags(stack.get(h)) & mark) != 0) {
                return new Occurrence(-1, stack.get(h), inner, fam);
            }
            return null;
        }
        return null;
    }

    private void report(TimelineModel model, ProcessImage img, ThreadTrace t, List<Occurrence> found,
            Consumer<Finding> sink) {
        Occurrence first = found.get(0);
        String signal = RecordType.signalName((int) t.arg(first.handler(), 0));
        String outer = first.family() == STDIO ? "printf/stdio" : "malloc/free";
        Evidence.Place inner = Evidence.place(model, img, t.ra(first.inner()), true);
        // without a record of the interrupted call, the interrupted instruction itself (exact, not a return address)
        Evidence.Place outerCall = first.outer() >= 0 ? Evidence.place(model, img, t.ra(first.outer()), true)
                : Evidence.place(model, img, t.ra(first.handler()), false);
        Evidence.Place handlerFn = Evidence.place(model, img, t.arg(first.handler(), 1), false);
        List<RelatedLocation> evidence = List.of(
                Evidence.related(outerCall, "the thread was inside " + outer + " here when " + signal + " arrived"),
                Evidence.related(handlerFn, "the " + signal + " handler ran nested inside it"),
                Evidence.related(inner, "and called " + outer + " again here"));
        String msg = "the " + signal + " handler of pid " + img.pid() + " re-entered " + outer + " "
                + found.size() + (found.size() == 1 ? " time" : " times") + " while the interrupted thread was"
                + " inside it: non-reentrant code ran twice at once (duplicated, garbled or lost output, or a"
                + " corrupted heap); call only async-signal-safe functions in a handler";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, inner, evidence,
                Evidence.moment(model, t, t.ts(first.inner())), img.command(), signal, outer));
    }
}
