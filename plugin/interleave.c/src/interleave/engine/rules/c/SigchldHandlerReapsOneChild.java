package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Includes;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.ForkFacts;
import interleave.engine.c.facts.ForkFacts.ForkSite;
import interleave.engine.c.facts.ReapFacts;
import interleave.engine.c.facts.ReapFacts.ChildHandler;
import interleave.engine.c.facts.ReapFacts.Reach;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A SIGCHLD handler that reaps at most one child per call ({@code if (waitpid(...) > 0)}, a single {@code wait}),
 * although one delivery of SIGCHLD can stand for several children that ended.
 */
@RuleInfo(id = SigchldHandlerReapsOneChild.ID, title = "SIGCHLD handler reaps one child",
        summary = "The SIGCHLD handler calls wait/waitpid once instead of in a loop; signals are not queued, so when"
                + " several children end together the handler runs once and the others stay zombies.",
        severity = Severity.ERROR,
        concept = "Signals are not queued: reap with while (waitpid(-1, NULL, WNOHANG) > 0) in the SIGCHLD handler",
        references = {
                "CS:APP 8.5.5 Writing signal handlers (signals are not queued)",
                "UNP 5.10 wait and waitpid functions",
                "waitpid(2)|https://man7.org/linux/man-pages/man2/waitpid.2.html",
                "signal(7) standard signals are not queued|https://man7.org/linux/man-pages/man7/signal.7.html" })
public final class SigchldHandlerReapsOneChild implements CRule {
    public static final String ID = "sigchld-handler-reaps-one-child";

    @Override
    public void check(CProgram program, RuleContext context) {
        ReapFacts reap = ReapFacts.of(program);
        Set<CFunction> seen = new HashSet<>();
        for (ChildHandler h : reap.childHandlers()) {
            if (h.waits().isEmpty() || !seen.add(h.handler())) {
                continue;
            }
            if (h.waits().stream().anyMatch(Reach::repeated)) {
                continue; // a loop reaps until none is left
            }
            Reach first = h.waits().stream().filter(r -> r.site().anyChild()).findFirst().orElse(null);
            if (first == null) {
                continue; // waits for one particular child it knows: one is all there is to reap
            }
            if (reapedElsewhereEachTurn(program, reap, h) || !severalChildren(program, h)) {
                continue;
            }
            context.report(finding(program, h, first));
        }
    }

    /** The forking loop of the same program waits for any child on every turn: the handler is not the only reaper. */
    private static boolean reapedElsewhereEachTurn(CProgram program, ReapFacts reap, ChildHandler h) {
        CFunction installer = program.enclosingFunction(h.installation().site());
        Set<CFunction> scope = installer == null ? Set.copyOf(program.functions()) : reap.programOf(installer);
        for (ForkSite site : ForkFacts.of(program).sites()) {
            if (site.loop() != null && scope.contains(site.function())) {
                for (Reach r : reap.waitsEachIteration(site)) {
                    if (r.site().anyChild() && r.site().noHang()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static final Set<String> WAITS_FOR_SIGNAL = Set.of("sigsuspend", "pause", "sigwait", "sigwaitinfo",
            "sigtimedwait", "wait", "waitpid", "wait3", "wait4", "waitid");

    /**
     * Whether several children can have ended by the time the handler runs: more than one fork, a fork in a loop
     * that does not wait for each child's signal before the next fork (CS:APP's waitforsignal forks one child per
     * turn and sigsuspends until the handler has reaped it), a fork in a function called from a loop, or forks not
     * among the analyzed files.
     */
    private static boolean severalChildren(CProgram program, ChildHandler h) {
        CFunction installer = program.enclosingFunction(h.installation().site());
        Set<CFunction> scope = installer == null ? Set.copyOf(program.functions())
                : ReapFacts.of(program).programOf(installer);
        List<ForkSite> forks = new ArrayList<>();
        for (ForkSite site : ForkFacts.of(program).sites()) {
            if (scope.contains(site.function())) {
                forks.add(site);
            }
        }
        if (forks.size() != 1) {
            return true;
        }
        ForkSite only = forks.get(0);
        if (only.loop() != null) {
            for (SyntaxNode call : only.loop().descendants("call_expression")) {
                SyntaxNode fn = call.child("function");
                String name = fn == null ? null : interleave.engine.c.Wrappers.unwrap(fn.text());
                java.util.EnumSet<ForkFacts.Outcome> by = only.runBy(Scopes.enclosingStatement(call));
                if (name != null && WAITS_FOR_SIGNAL.contains(name)
                        && (by == null || by.contains(ForkFacts.Outcome.PARENT))) {
                    return false; // one child at a time: the parent waits for it before forking again
                }
            }
            return true;
        }
        for (CFunction f : scope) {
            for (CallSite c : f.calls()) {
                if (only.function().name().equals(c.calleeName())
                        && !Scopes.enclosingLoops(c.call(), f.body()).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private Finding finding(CProgram program, ChildHandler h, Reach first) {
        CallSite wait = first.site().call();
        String handler = h.handler().name();
        String signal = h.forSigchld() ? h.installation().signal() : "SIGCHLD";
        String message = "The " + signal + " handler " + handler + "() reaps at most one child each time it runs ("
                + wait.calleeName() + "() is called once, not in a loop), but signals are not queued: children that"
                + " end while a SIGCHLD is pending or being handled add no second signal, so the handler runs once"
                + " for all of them and the others stay zombies. Reap in a loop: while (waitpid(-1, NULL, WNOHANG)"
                + " > 0).";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(h.installation().site().range(), handler + "() is installed here as the "
                + h.installation().signal() + " handler (" + h.installation().via() + ")"));
        for (CallSite c : first.chain()) {
            notes.add(new RelatedLocation(c.call().range(), c.calleeName() + "() is called here from "
                    + c.caller().name() + "(), inside the handler"));
        }
        List<Fix> fixes = new ArrayList<>();
        Fix fix = loopFix(program, first);
        if (fix != null) {
            fixes.add(fix);
        }
        String anchor = handler + "|" + wait.caller().name() + "|" + wait.calleeName();
        return Finding.of(ID, Severity.ERROR, message, wait.call().range(), notes, fixes, anchor);
    }

    /**
     * {@code if (waitpid(...) > 0)} becomes {@code while (waitpid(..., WNOHANG) > 0)}; a lone {@code wait(NULL);} or
     * {@code waitpid(-1, NULL, 0);} statement becomes {@code while (waitpid(-1, NULL, WNOHANG) > 0) ;}. The loop must
     * not block on children still running, hence WNOHANG, and uses waitpid itself, not an exiting wrapper (the last
     * turn ends with ECHILD or 0, which is not an error here).
     */
    private static Fix loopFix(CProgram program, Reach r) {
        CallSite c = r.site().call();
        String fn = c.function();
        if (!fn.equals("wait") && !fn.equals("waitpid")) {
            return null;
        }
        String pid = fn.equals("wait") ? "-1" : text(c.argument(0));
        String status = fn.equals("wait") ? text(c.argument(0)) : text(c.argument(1));
        String options = fn.equals("wait") ? "0" : text(c.argument(2));
        if (pid == null || status == null || options == null) {
            return null;
        }
        String newOptions = options.equals("0") ? "WNOHANG"
                : options.contains("WNOHANG") ? options : options + " | WNOHANG";
        String call = "waitpid(" + pid + ", " + status + ", " + newOptions + ")";
        String file = c.caller().file().path();
        SyntaxNode stmt = Scopes.enclosingStatement(c.call());
        List<TextEdit> edits = new ArrayList<>();
        SyntaxNode cond = stmt.is("if_statement") ? stmt.child("condition") : null;
        if (cond != null && cond.contains(c.call()) && stmt.child("alternative") == null
                && stmt.text().startsWith("if") && greaterThanZero(cond, c.call())) {
            edits.add(new TextEdit(file, stmt.startChar(), stmt.startChar() + 2, "while"));
            edits.add(new TextEdit(file, c.call().startChar(), c.call().endChar(), call));
        } else if (stmt.is("expression_statement") && !stmt.children().isEmpty()
                && stmt.children().get(0).stripParensAndCasts() == c.call() && statusUnread(c, status)) {
            String indent = Includes.indentOf(stmt);
            edits.add(new TextEdit(file, stmt.startChar(), stmt.endChar(), "while (" + call + " > 0)\n" + indent
                    + "    ;"));
        } else {
            return null;
        }
        SyntaxTree tree = Includes.treeOf(program, c.caller().file());
        Includes.ensure(tree, "<sys/wait.h>").ifPresent(edits::add);
        return new Fix("Reap every ended child: loop while (" + call + " > 0)", edits);
    }

    /** The condition is {@code call > 0} or {@code (x = call) > 0}. */
    private static boolean greaterThanZero(SyntaxNode cond, SyntaxNode call) {
        SyntaxNode c = cond.stripParensAndCasts();
        if (!c.is("binary_expression") || c.child("operator") == null || !c.child("operator").text().equals(">")) {
            return false;
        }
        SyntaxNode right = c.child("right").stripParensAndCasts();
        if (!right.is("number_literal") || !right.text().equals("0")) {
            return false;
        }
        SyntaxNode left = c.child("left").stripParensAndCasts();
        return left == call || left.is("assignment_expression") && left.child("right") != null
                && left.child("right").stripParensAndCasts() == call;
    }

    /** NULL or 0, or {@code &v} where v is not read after the call in the function. */
    private static boolean statusUnread(CallSite c, String status) {
        if (status.equals("NULL") || status.equals("0")) {
            return true;
        }
        if (!status.startsWith("&")) {
            return false;
        }
        String v = status.substring(1).trim();
        for (SyntaxNode id : c.caller().body().descendants("identifier")) {
            if (id.text().equals(v) && id.startByte() > c.call().endByte()) {
                return false;
            }
        }
        return true;
    }

    private static String text(SyntaxNode n) {
        return n == null ? null : n.text().trim();
    }
}
