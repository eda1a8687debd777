package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.SignalHandler;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.facts.SignalHandlerFacts;
import interleave.engine.finding.RelatedLocation;

/**
 * The walk both unsafe-call rules share: from each handler function (once, however often it is installed) through
 * the helpers of the analyzed code to every call of a library function, with the chain from the registration to the
 * call. Which handlers a rule looks at, and what it says, is the rule's.
 */
final class UnsafeCalls {
    private UnsafeCalls() {
    }

    /** One unsafe library call reached from a handler. */
    record Reached(SignalHandler registration, SignalHandlerFacts.Handler handler, CFunction caller, CallSite call,
            String library, AsyncSignalSafety.Hazard hazard, List<RelatedLocation> chain) {
    }

    static List<Reached> reached(CProgram program, Predicate<SignalHandlerFacts.Handler> which) {
        SignalHandlerFacts facts = SignalHandlerFacts.of(program);
        Map<SyntaxNode, Reached> byCall = new LinkedHashMap<>();
        Set<CFunction> seenHandlers = new HashSet<>();
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            for (CFunction handler : h.handler()) {
                // one walk per handler function; several registrations of it add nothing new
                SignalHandlerFacts.Handler facts0 = facts.handler(handler);
                if (facts0 == null || !which.test(facts0) || !seenHandlers.add(handler)) {
                    continue;
                }
                List<RelatedLocation> chain = new ArrayList<>();
                chain.add(new RelatedLocation(h.site().range(), handler.name() + "() is installed here as the "
                        + h.signal() + " handler (" + h.via() + ")"));
                walk(program, h, facts0, handler, chain, new HashSet<>(Set.of(handler)), byCall);
            }
        }
        return List.copyOf(byCall.values());
    }

    private static void walk(CProgram program, SignalHandler h, SignalHandlerFacts.Handler handler, CFunction fn,
            List<RelatedLocation> chain, Set<CFunction> visited, Map<SyntaxNode, Reached> byCall) {
        for (CallSite call : fn.calls()) {
            String name = call.calleeName();
            if (name == null) {
                continue;
            }
            if (SignalHandlerFacts.NOT_A_FUNCTION.contains(name)) {
                continue;
            }
            List<CFunction> targets = targets(program, call);
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
            byCall.put(call.call(), new Reached(h, handler, fn, call, library, hazard, chain));
        }
    }

    /** The analyzed definitions a call can reach (see {@link SignalHandlerFacts#targets}). */
    static List<CFunction> targets(CProgram program, CallSite call) {
        return SignalHandlerFacts.targets(program, call);
    }

    /** "printf()" or "log_line() (which calls fprintf())" and " (through helper())". */
    static String what(Reached r) {
        String name = r.call().calleeName();
        return name.equals(r.library()) ? name + "()" : name + "() (which calls " + r.library() + "())";
    }

    static String via(Reached r) {
        return r.caller() == r.handler().function() ? "" : " (through " + r.caller().name() + "())";
    }

    static String anchor(Reached r) {
        return r.handler().function().name() + "|" + r.caller().name() + "|" + r.call().calleeName();
    }
}
