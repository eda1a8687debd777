package interleave.java.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jdt.core.dom.MethodDeclaration;

import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.LockRef;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;
import interleave.java.JavaProgram;
import interleave.java.facts.JavaConcurrency;
import interleave.java.facts.JavaConcurrency.BlockingCall;

/**
 * A thread sleeps, waits for another thread or does blocking I/O while it holds a lock, so every thread that needs the
 * lock waits as long: the lecture's starvation, and with {@code wait()} under a second lock, a nested-monitor lockout.
 */
@RuleInfo(id = BlockingCallUnderLock.ID, title = "Sleeping, waiting or blocking I/O while holding a lock",
        summary = "A call that can block for a long time (sleep, join, blocking reads, accept, Future.get, wait on"
                + " another monitor) is made while a lock is held, so every thread that needs that lock stalls too.",
        severity = Severity.WARNING,
        concept = "Starvation and liveness: hold a lock only for the few instructions that touch the shared data",
        references = {
                "CERT LCK09-J|https://wiki.sei.cmu.edu/confluence/display/java/LCK09-J.+Do+not+perform+operations+that+can+block+while+holding+a+lock",
                "CERT THI00-J",
                "JLS 17.1 Synchronization|https://docs.oracle.com/javase/specs/jls/se21/html/jls-17.html#jls-17.1" },
        language = Language.JAVA)
public final class BlockingCallUnderLock implements JavaRule {
    public static final String ID = "blocking-call-under-lock";

    @Override
    public void check(JavaProgram program, RuleContext context) {
        Set<Object> reported = new HashSet<>();
        for (BlockingCall b : JavaConcurrency.of(program).blockingCalls()) {
            if (!reported.add(b.call())) {
                continue;
            }
            List<String> locks = new ArrayList<>();
            for (LockRef l : b.held().keySet()) {
                locks.add(l.display());
            }
            String held = String.join(" and ", locks);
            boolean waits = b.what().equals("waits") || b.what().startsWith("waits on a condition");
            String call = "'" + b.call() + "'";
            String lock = "'" + held + "'";
            String msg = waits
                    ? call + " " + b.what() + " while still holding " + lock + ": wait() gives up only its own"
                            + " monitor, so the thread that would notify it may need " + held + " and never get it"
                            + " (a nested-monitor lockout); release " + held + " before waiting"
                    : call + " " + b.what() + " while holding " + lock + ": every other thread that needs " + held
                            + " waits as long, however little work it has (starvation); do the blocking call"
                            + " before taking the lock or after releasing it, and keep only the shared update inside";
            List<RelatedLocation> notes = new ArrayList<>();
            for (Map.Entry<LockRef, SourceRange> e : b.held().entrySet()) {
                notes.add(new RelatedLocation(e.getValue(), e.getKey().display() + " is taken here"));
            }
            for (CallStep step : b.chain()) {
                notes.add(new RelatedLocation(step.site(), step.callee() + " is called here from " + step.caller()
));
            }
            if (b.entry() != null) {
                notes.add(new RelatedLocation(b.entry().start(), "runs on " + describe(b.entry())));
            }
            MethodDeclaration m = JavaConcurrency.enclosingMethod(b.call());
            context.report(Finding.of(ID, Severity.WARNING, msg, program.range(b.call()), notes, List.of(),
                    (m == null ? "" : JavaConcurrency.name(m)) + "|" + b.call()));
        }
    }

    private static String describe(interleave.engine.concurrency.EntryPoint e) {
        return switch (e.kind()) {
            case MAIN -> "the main thread";
            case THREAD -> "the thread started here (" + e.name() + ")";
            case TASK -> "the task submitted here (" + e.name() + ")";
            case SIGNAL_HANDLER -> "a signal handler";
        };
    }
}
