package interleave.engine.rules.c;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import interleave.engine.c.CProgram;
import interleave.engine.c.SyntaxNode;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A crash handler (installed only for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS or SIGTRAP, and ending the
 * process) calls a function that is not async-signal-safe. The program is already lost; what is at stake is the crash
 * report, which may hang or be cut short. Kept apart from {@link UnsafeCallInSignalHandler} so that projects that
 * accept the risk on purpose can turn it off alone ({@code unsafe-call-in-crash-handler = off}).
 */
@RuleInfo(id = UnsafeCallInCrashHandler.ID, title = "Unsafe call in a crash handler",
        summary = "A handler of a fatal signal (SIGSEGV, SIGBUS, SIGABRT, ...) that ends the process calls a function"
                + " that is not async-signal-safe; if the crash happened inside that function, the crash report"
                + " hangs or is lost.",
        severity = Severity.WARNING,
        concept = "Signals and concurrency: async-signal-safety; what a handler of a fatal signal may still do",
        references = {
                "CERT SIG30-C|https://wiki.sei.cmu.edu/confluence/display/c/SIG30-C.+Call+only+asynchronous-safe+functions+within+signal+handlers",
                "signal-safety(7)|https://man7.org/linux/man-pages/man7/signal-safety.7.html" })
public final class UnsafeCallInCrashHandler implements CRule {
    public static final String ID = "unsafe-call-in-crash-handler";

    @Override
    public void check(CProgram program, RuleContext context) {
        // a call also reached from an ordinary handler is that rule's finding already (an error)
        Set<SyntaxNode> reported = new HashSet<>();
        UnsafeCalls.reached(program, h -> !h.isCrashHandler()).forEach(r -> reported.add(r.call().call()));
        for (UnsafeCalls.Reached r : UnsafeCalls.reached(program, h -> h.isCrashHandler())) {
            if (reported.contains(r.call().call())) {
                continue;
            }
            String signals = r.handler().signals().stream().sorted().collect(Collectors.joining(", "));
            String message = UnsafeCalls.what(r) + " is not async-signal-safe but runs inside the crash handler "
                    + r.handler().function().name() + "()" + UnsafeCalls.via(r) + " (" + signals + "): it "
                    + r.hazard().why + ". If the crash happened inside the same function (a heap corrupted inside"
                    + " malloc, a fault inside printf), the crash report hangs instead of ending the process, or is"
                    + " lost. Write the essentials with write(2) first; set '" + ID + " = off' in .interleave if"
                    + " the risk is accepted.";
            // no rewrite offered: a crash report is meant to say a lot, and write(2) alone would change what it says
            context.report(Finding.of(ID, Severity.WARNING, message, r.call().calleeNode().range(), r.chain(),
                    List.of(), UnsafeCalls.anchor(r)));
        }
    }
}
