package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.SignalHandler;
import interleave.engine.c.SyntaxNode;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A function installed as a signal handler calls, directly or through helpers of the analyzed code, a library
 * function that is not async-signal-safe. One finding per unsafe call, with the chain from the registration through
 * the helpers to the call.
 */
@RuleInfo(id = UnsafeCallInSignalHandler.ID, title = "Unsafe call in a signal handler",
        summary = "A signal handler calls a function that is not async-signal-safe (printf, malloc, exit, ...); if the"
                + " signal arrives while the program is inside the same function, output is corrupted or the"
                + " program deadlocks.",
        severity = Severity.ERROR,
        concept = "Signals and concurrency: the SIGCHLD handler that calls printf (deadlock), async-signal-safety",
        references = {
                "CERT SIG30-C|https://wiki.sei.cmu.edu/confluence/display/c/SIG30-C.+Call+only+asynchronous-safe+functions+within+signal+handlers",
                "signal-safety(7)|https://man7.org/linux/man-pages/man7/signal-safety.7.html" })
public final class UnsafeCallInSignalHandler implements CRule {
    public static final String ID = "unsafe-call-in-signal-handler";

    @Override
    public void check(CProgram program, RuleContext context) {
        Map<SyntaxNode, Finding> byCall = new LinkedHashMap<>();
        Set<String> seenHandlers = new HashSet<>();
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            for (CFunction handler : h.handler()) {
                // one walk per handler function; several registrations of it add nothing new
                if (!seenHandlers.add(handler.file().path() + "#" + handler.name())) {
                    continue;
                }
                List<RelatedLocation> chain = new ArrayList<>();
                chain.add(new RelatedLocation(h.site().range(), handler.name() + "() is installed here as the "
                        + h.signal() + " handler (" + h.via() + ")"));
                walk(program, h, handler, handler, chain, new HashSet<>(Set.of(handler)), byCall);
            }
        }
        byCall.values().forEach(context::report);
    }

    private void walk(CProgram program, SignalHandler h, CFunction handler, CFunction fn, List<RelatedLocation> chain,
            Set<CFunction> visited, Map<SyntaxNode, Finding> byCall) {
        for (CallSite call : fn.calls()) {
            String name = call.calleeName();
            if (name == null) {
                continue;
            }
            List<CFunction> targets = program.resolve(name, fn.file());
            if (!targets.isEmpty()) {
                for (CFunction t : targets) {
                    if (visited.add(t)) {
                        List<RelatedLocation> next = new ArrayList<>(chain);
                        next.add(new RelatedLocation(call.call().range(), t.name() + "() is called here from "
                                + fn.name() + "(), inside the handler"));
                        walk(program, h, handler, t, next, visited, byCall);
                    }
                }
                continue;
            }
            String library = call.function();
            if (AsyncSignalSafety.SAFE.contains(name) || AsyncSignalSafety.SAFE.contains(library)) {
                continue;
            }
            AsyncSignalSafety.Hazard hazard = AsyncSignalSafety.UNSAFE.get(library);
            if (hazard == null || byCall.containsKey(call.call())) {
                continue;
            }
            byCall.put(call.call(), finding(program, h, handler, fn, call, library, hazard, chain));
        }
    }

    private Finding finding(CProgram program, SignalHandler h, CFunction handler, CFunction fn, CallSite call,
            String library, AsyncSignalSafety.Hazard hazard, List<RelatedLocation> chain) {
        String name = call.calleeName();
        String via = fn == handler ? "" : " (through " + fn.name() + "())";
        String what = name.equals(library) ? name + "()" : name + "() (which calls " + library + "())";
        String message = what + " is not async-signal-safe but runs inside the " + h.signal() + " handler "
                + handler.name() + "()" + via + ": it " + hazard.why + ". If the signal arrives while the program is"
                + " inside the same function, output is corrupted or the program deadlocks.";
        String anchor = handler.name() + "|" + fn.name() + "|" + name;
        return Finding.of(ID, Severity.ERROR, message, call.calleeNode().range(), chain,
                SignalHandlerFixes.fixesFor(program, call, library, handler), anchor);
    }
}
