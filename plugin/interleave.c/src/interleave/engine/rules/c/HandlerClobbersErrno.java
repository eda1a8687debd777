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
import interleave.engine.c.Includes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.SignalHandlerFacts;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A signal handler calls, directly or through helpers, a function that may set errno, and does not save errno on
 * entry and restore it on every way out. The code the signal interrupted may be between a failing call and its look
 * at errno. Handlers that never return (they end the process on every path) are left alone, and so are calls after
 * which the process always ends, and helpers that save and restore errno themselves.
 */
@RuleInfo(id = HandlerClobbersErrno.ID, title = "Signal handler clobbers errno",
        summary = "A signal handler calls functions that set errno (waitpid, write, ...) without saving errno on"
                + " entry and restoring it before it returns; the interrupted code then reads the handler's errno"
                + " instead of its own.",
        severity = Severity.WARNING,
        concept = "Signals and concurrency: safe handlers save and restore errno (int saved_errno = errno; ..."
                + " errno = saved_errno;)",
        references = {
                "CERT ERR32-C|https://wiki.sei.cmu.edu/confluence/display/c/ERR32-C.+Do+not+rely+on+indeterminate+values+of+errno",
                "signal-safety(7)|https://man7.org/linux/man-pages/man7/signal-safety.7.html",
                "errno(3)|https://man7.org/linux/man-pages/man3/errno.3.html" })
public final class HandlerClobbersErrno implements CRule {
    public static final String ID = "handler-clobbers-errno";

    /** A call that may set errno, reached from the handler, with the helpers in between. */
    private record ErrnoCall(CFunction caller, CallSite call, List<RelatedLocation> chain, CallSite entry) {
    }

    @Override
    public void check(CProgram program, RuleContext context) {
        SignalHandlerFacts facts = SignalHandlerFacts.of(program);
        Set<CFunction> seen = new HashSet<>();
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            for (CFunction handler : h.handler()) {
                SignalHandlerFacts.Handler hf = facts.handler(handler);
                // a handler that never returns, or a crash reporter that ends the process, leaves no one to read errno
                if (hf == null || hf.endsEveryPath() || hf.isCrashHandler() || !seen.add(handler)) {
                    continue;
                }
                Save save = saved(handler);
                List<SyntaxNode> unrestored = save == null ? List.of() : unrestored(program, handler, save.var());
                if (save != null && unrestored.isEmpty()) {
                    continue;
                }
                List<ErrnoCall> calls = new ArrayList<>();
                List<RelatedLocation> chain = new ArrayList<>();
                chain.add(new RelatedLocation(h.site().range(), handler.name() + "() is installed here as the "
                        + h.signal() + " handler (" + h.via() + ")"));
                walk(program, handler, chain, new HashSet<>(Set.of(handler)), null, calls);
                if (calls.isEmpty()) {
                    continue;
                }
                context.report(finding(program, h, handler, save, unrestored, calls));
            }
        }
    }

    private static void walk(CProgram program, CFunction fn, List<RelatedLocation> chain, Set<CFunction> visited,
            CallSite entry, List<ErrnoCall> out) {
        for (CallSite call : fn.calls()) {
            String name = call.calleeName();
            if (name == null || followedByEnd(program, call.call(), fn.body())) {
                continue; // the process ends right after: nobody is left to read errno
            }
            List<CFunction> targets = UnsafeCalls.targets(program, call);
            if (SignalHandlerFacts.NOT_A_FUNCTION.contains(name)) {
                continue;
            }
            if (!targets.isEmpty()) {
                for (CFunction t : targets) {
                    Save own = saved(t);
                    if (own != null && unrestored(program, t, own.var()).isEmpty()) {
                        continue; // the helper keeps errno itself
                    }
                    if (visited.add(t)) {
                        List<RelatedLocation> next = new ArrayList<>(chain);
                        next.add(new RelatedLocation(call.call().range(), t.name() + "() is called here from "
                                + fn.name() + "(), inside the handler"));
                        walk(program, t, next, visited, entry != null ? entry : call, out);
                    }
                }
                continue;
            }
            String library = call.function();
            if (ErrnoSetting.FUNCTIONS.contains(name) || ErrnoSetting.FUNCTIONS.contains(library)) {
                out.add(new ErrnoCall(fn, call, chain, entry != null ? entry : call));
            }
        }
    }

    private static Finding finding(CProgram program, SignalHandler h, CFunction handler, Save save,
            List<SyntaxNode> unrestored, List<ErrnoCall> calls) {
        ErrnoCall first = calls.get(0);
        String via = first.caller() == handler ? "" : " (through " + first.caller().name() + "())";
        List<String> others = new ArrayList<>();
        for (ErrnoCall c : calls) {
            String n = c.call().calleeName() + "()";
            if (!n.equals(first.call().calleeName() + "()") && !others.contains(n)) {
                others.add(n);
            }
        }
        String also = others.isEmpty() ? "" : others.size() <= 3 ? " (and " + String.join(", ", others) + ")"
                : " (and " + String.join(", ", others.subList(0, 3)) + " and " + (others.size() - 3) + " more)";
        String problem;
        if (save == null) {
            problem = "does not save errno on entry and restore it before returning";
        } else {
            SyntaxNode u = unrestored.get(0);
            problem = "saves errno in '" + save.var() + "' but does not restore it "
                    + (u.is("return_statement") ? "before the return on line " + u.line() : "at the end of its body");
        }
        String message = "The " + h.signal() + " handler " + handler.name() + "() calls "
                + first.call().calleeName() + "()" + via + also + ", which may set errno, and " + problem + ". The code the signal interrupted may be between a"
                + " failing call and its look at errno (read() failed with EINTR, say): it then sees the handler's"
                + " value instead (ECHILD from the last waitpid()) and takes the wrong branch.";
        List<RelatedLocation> related = new ArrayList<>(first.chain());
        for (ErrnoCall c : calls.subList(1, Math.min(calls.size(), 6))) {
            related.add(new RelatedLocation(c.call().calleeNode().range(), c.call().calleeName()
                    + "() may set errno here too"));
        }
        if (save != null) {
            for (SyntaxNode u : unrestored) {
                related.add(new RelatedLocation(u.is("return_statement") ? u.range() : closingBrace(u),
                        "errno is not restored before leaving the handler here"));
            }
        }
        Fix fix = fix(program, handler, save, save == null ? unrestored(program, handler, null) : unrestored);
        if (first.entry() != first.call()) {
            related.add(new RelatedLocation(first.call().calleeNode().range(), first.call().calleeName()
                    + "() may set errno here, inside " + first.caller().name() + "()"));
        }
        // reported in the handler (at its call that leads there): the handler is what the fix changes
        return Finding.of(ID, Severity.WARNING, message, first.entry().calleeNode().range(), related,
                fix == null ? List.of() : List.of(fix), handler.name() + "|errno");
    }

    private static interleave.engine.finding.SourceRange closingBrace(SyntaxNode body) {
        return body.file().range(body.endChar() - 1, body.endChar());
    }

    /** {@code int saved = errno;} (or {@code saved = errno;}) as a statement of the body's top level. */
    private record Save(String var, SyntaxNode statement) {
    }

    private static Save saved(CFunction f) {
        for (SyntaxNode s : f.body().children()) {
            if (s.is("declaration")) {
                for (SyntaxNode d : s.childrenOf("declarator")) {
                    if (d.is("init_declarator") && isErrno(d.child("value")) && d.child("declarator") != null
                            && d.child("declarator").is("identifier")) {
                        return new Save(d.child("declarator").text(), s);
                    }
                }
            } else if (s.is("expression_statement") && !s.children().isEmpty()) {
                SyntaxNode e = s.children().get(0);
                if (e.is("assignment_expression") && e.child("left") != null && e.child("left").is("identifier")
                        && isErrno(e.child("right")) && "=".equals(operator(e))) {
                    return new Save(e.child("left").text(), s);
                }
            }
        }
        return null;
    }

    private static boolean isErrno(SyntaxNode n) {
        return n != null && n.stripParensAndCasts().is("identifier") && n.stripParensAndCasts().text().equals("errno");
    }

    private static String operator(SyntaxNode assignment) {
        SyntaxNode op = assignment.child("operator");
        return op == null ? "=" : op.text();
    }

    /** {@code errno = var;} ({@code var} null: any restore does not count, used when nothing is saved yet). */
    private static boolean isRestore(SyntaxNode stmt, String var) {
        if (var == null || stmt == null) {
            return false;
        }
        if (stmt.is("labeled_statement") && !stmt.children().isEmpty()) {
            return isRestore(stmt.children().get(stmt.children().size() - 1), var);
        }
        if (!stmt.is("expression_statement") || stmt.children().isEmpty()) {
            return false;
        }
        SyntaxNode e = stmt.children().get(0);
        return e.is("assignment_expression") && isErrno(e.child("left")) && e.child("right") != null
                && e.child("right").stripParensAndCasts().text().equals(var);
    }

    /**
     * The ways out of {@code f} that leave errno as the handler made it: each {@code return} not right after
     * {@code errno = var;}, and the body itself when its end is reached without that statement last.
     */
    private static List<SyntaxNode> unrestored(CProgram program, CFunction f, String var) {
        List<SyntaxNode> out = new ArrayList<>();
        for (SyntaxNode ret : f.body().descendants("return_statement")) {
            if (!isRestore(previousStatement(ret), var)) {
                out.add(ret);
            }
        }
        SyntaxNode last = lastStatement(f.body());
        if (last == null || !last.is("return_statement") && !isRestore(last, var)
                && !SignalHandlerFacts.ends(program, last, new HashSet<>(Set.of(f)))) {
            out.add(f.body());
        }
        return out;
    }

    private static SyntaxNode lastStatement(SyntaxNode compound) {
        List<SyntaxNode> kids = compound.children();
        for (int i = kids.size() - 1; i >= 0; i--) {
            if (!kids.get(i).is("comment")) {
                return kids.get(i);
            }
        }
        return null;
    }

    private static SyntaxNode previousStatement(SyntaxNode stmt) {
        SyntaxNode parent = stmt.parent();
        if (parent == null || !parent.is("compound_statement")) {
            return null;
        }
        List<SyntaxNode> kids = parent.children();
        for (int i = kids.indexOf(stmt) - 1; i >= 0; i--) {
            if (!kids.get(i).is("comment")) {
                return kids.get(i);
            }
        }
        return null;
    }

    /**
     * True when every path from {@code node} on ends the process before the function can return: a later statement
     * of an enclosing block always ends it, and nothing in between can jump past it.
     */
    static boolean followedByEnd(CProgram program, SyntaxNode node, SyntaxNode body) {
        CFunction f = program.enclosingFunction(node);
        Set<CFunction> visiting = new HashSet<>();
        if (f != null) {
            visiting.add(f);
        }
        for (SyntaxNode n = node; n != body && n.parent() != null; n = n.parent()) {
            SyntaxNode parent = n.parent();
            if (!parent.is("compound_statement")) {
                continue;
            }
            if (SignalHandlerFacts.escapes(n)) {
                return false;
            }
            if (jumps(n)) {
                continue; // a break or continue may skip the rest of this block; look further out
            }
            List<SyntaxNode> kids = parent.children();
            for (int i = kids.indexOf(n) + 1; i < kids.size(); i++) {
                SyntaxNode s = kids.get(i);
                if (SignalHandlerFacts.escapes(s)) {
                    return false;
                }
                if (SignalHandlerFacts.ends(program, s, visiting)) {
                    return true;
                }
                if (jumps(s)) {
                    break;
                }
            }
        }
        return false;
    }

    private static boolean jumps(SyntaxNode stmt) {
        return !stmt.descendants("break_statement").isEmpty() || !stmt.descendants("continue_statement").isEmpty();
    }

    /**
     * Save on entry, restore before every return and at the end: {@code int saved_errno = errno;} first,
     * {@code errno = saved_errno;} at each way out (a lone {@code return;} under an {@code if} gets braces).
     */
    private static Fix fix(CProgram program, CFunction handler, Save save, List<SyntaxNode> exits) {
        SyntaxTree tree = Includes.treeOf(program, handler.file());
        String file = tree.file().path();
        SyntaxNode body = handler.body();
        String indent = "    ";
        for (SyntaxNode s : body.children()) {
            if (!s.is("comment")) {
                indent = Includes.indentOf(s);
                break;
            }
        }
        String var = save != null ? save.var() : Includes.freshName(handler, "saved_errno");
        Map<String, TextEdit> edits = new LinkedHashMap<>();
        Includes.ensure(tree, "<errno.h>").ifPresent(e -> edits.put("include", e));
        if (save == null) {
            edits.put("save", TextEdit.insert(file, body.startChar() + 1, "\n" + indent + "int " + var + " = errno;"));
        }
        String restore = "errno = " + var + ";";
        for (SyntaxNode exit : exits) {
            if (exit == body) {
                edits.put("end", TextEdit.insert(file, body.endChar() - 1, indent + restore + "\n"));
            } else if (exit.parent() != null && exit.parent().is("compound_statement")) {
                edits.put("r" + exit.startChar(), TextEdit.insert(file, exit.startChar(), restore + "\n"
                        + Includes.indentOf(exit)));
            } else {
                edits.put("r" + exit.startChar(), new TextEdit(file, exit.startChar(), exit.endChar(), "{ " + restore
                        + " " + exit.text() + " }"));
            }
        }
        return new Fix(save == null ? "Save errno on entry to " + handler.name() + "() and restore it before every"
                + " return" : "Restore errno from " + var + " before every return of " + handler.name() + "()",
                List.copyOf(edits.values()));
    }

}
