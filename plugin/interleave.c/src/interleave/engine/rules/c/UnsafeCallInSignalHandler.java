package interleave.engine.rules.c;

import interleave.engine.c.CProgram;
import interleave.engine.finding.Finding;
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
        // crash reporters are UnsafeCallInCrashHandler's: a different risk, said and rated differently
        for (UnsafeCalls.Reached r : UnsafeCalls.reached(program, h -> !h.isCrashHandler())) {
            String message = UnsafeCalls.what(r) + " is not async-signal-safe but runs inside the "
                    + r.registration().signal() + " handler " + r.handler().function().name() + "()"
                    + UnsafeCalls.via(r) + ": it " + r.hazard().why + ". If the signal arrives while the program is"
                    + " inside the same function, output is corrupted or the program deadlocks.";
            context.report(Finding.of(ID, Severity.ERROR, message, r.call().calleeNode().range(), r.chain(),
                    SignalHandlerFixes.fixesFor(program, r.call(), r.library(), r.handler().function()),
                    UnsafeCalls.anchor(r)));
        }
    }
}
