package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
     * One re-entry: the interrupted call ({@code outer}, null when it was not recorded and only the handler span's
     * flags say the thread was inside stdio or malloc), the handler run, the handler's own call of the family.
     */
    private record Occurrence(Span outer, Span handler, Span inner, String family) {
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            for (ExecThread t : img.threads()) {
                List<Occurrence> found = scan(t);
                if (!found.isEmpty()) {
                    report(model, img, t, found, sink);
                }
            }
        }
    }

    /** Calls of a family that returned (a re-entry counts once its inner call is over), in the order they ended. */
    private static List<Occurrence> scan(ExecThread t) {
        List<Occurrence> out = new ArrayList<>();
        for (Span s : t.spans()) {
            String fam = Kinds.family(s.kind());
            if (fam == null || s.endRef() < 0) {
                continue;
            }
            Occurrence o = reentry(s, fam);
            if (o != null) {
                out.add(o);
            }
        }
        out.sort(Comparator.comparingLong(o -> o.inner().end()));
        return out;
    }

    /**
     * The open handler nearest around the call, and around that handler a call of the same family; or, when the run
     * did not record stdio/heap calls outside handlers (no --stdio), the handler span's mark that the thread was
     * inside that family when the signal arrived.
     */
    private static Occurrence reentry(Span inner, String fam) {
        Span h = inner.parent() == null ? null : inner.parent().enclosing(Kinds.SIGNAL_HANDLER);
        if (h == null) {
            return null;
        }
        for (Span k = h.parent(); k != null; k = k.parent()) {
            if (fam.equals(Kinds.family(k.kind()))) {
                return new Occurrence(k, h, inner, fam);
            }
        }
        int mark = fam.equals("stdio") ? Span.IN_STDIO : Span.IN_HEAP;
        return (h.flags() & mark) != 0 ? new Occurrence(null, h, inner, fam) : null;
    }

    private void report(Locations model, ExecProcess img, ExecThread t, List<Occurrence> found,
            Consumer<Finding> sink) {
        Occurrence first = found.get(0);
        String signal = first.handler().name();
        String outer = first.family().equals("stdio") ? "printf/stdio" : "malloc/free";
        Evidence.Place inner = Evidence.place(model, img, first.inner().site(), true);
        // without a record of the interrupted call, the interrupted instruction itself (exact, not a return address)
        Evidence.Place outerCall = first.outer() != null ? Evidence.place(model, img, first.outer().site(), true)
                : Evidence.place(model, img, first.handler().site(), false);
        Evidence.Place handlerFn = Evidence.place(model, img, first.handler().code(), false);
        List<RelatedLocation> evidence = List.of(
                Evidence.related(outerCall, "the thread was inside " + outer + " here when " + signal + " arrived"),
                Evidence.related(handlerFn, "the " + signal + " handler ran nested inside it"),
                Evidence.related(inner, "and called " + outer + " again here"));
        String msg = "the " + signal + " handler of pid " + img.pid() + " re-entered " + outer + " "
                + found.size() + (found.size() == 1 ? " time" : " times") + " while the interrupted thread was"
                + " inside it: non-reentrant code ran twice at once (duplicated, garbled or lost output, or a"
                + " corrupted heap); call only async-signal-safe functions in a handler";
        sink.accept(Evidence.finding(ID, Severity.ERROR, msg, inner, evidence,
                Evidence.moment(model, t, first.inner().start()), img.command(), signal, outer));
    }
}
