package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.SignalHandler;
import interleave.engine.c.Includes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.DescriptorFacts;
import interleave.engine.c.facts.Flow;
import interleave.engine.c.facts.ForkFacts;
import interleave.engine.c.facts.ForkFacts.ForkSite;
import interleave.engine.c.facts.ForkFacts.Outcome;
import interleave.engine.c.facts.ReapFacts;
import interleave.engine.c.facts.ReapFacts.ChildHandler;
import interleave.engine.c.facts.ReapFacts.KernelReaps;
import interleave.engine.c.facts.ReapFacts.Reach;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A loop that keeps forking children while nothing reaps them: no {@code SIGCHLD} handler that waits, no
 * {@code SIG_IGN} or {@code SA_NOCLDWAIT} for {@code SIGCHLD}, no wait on the loop's way around, no callback that
 * waits. Every child that ends stays a zombie.
 */
@RuleInfo(id = ChildrenNeverReaped.ID, title = "Children never reaped",
        summary = "A server keeps forking children but nothing ever waits for them: each child that exits stays a"
                + " zombie until the server exits, and the process table fills up.",
        severity = Severity.ERROR,
        concept = "Process-based servers: the listening server must reap its zombie children (SIGCHLD handler with"
                + " waitpid)",
        references = {
                "CS:APP 8.4.3 Reaping child processes",
                "UNP 5.9 Handling SIGCHLD signals",
                "waitpid(2)|https://man7.org/linux/man-pages/man2/waitpid.2.html",
                "sigaction(2) SA_NOCLDWAIT|https://man7.org/linux/man-pages/man2/sigaction.2.html" })
public final class ChildrenNeverReaped implements CRule {
    public static final String ID = "children-never-reaped";

    private static final Set<String> SPAWNS = Set.of("system", "popen", "pclose", "posix_spawn", "posix_spawnp");

    @Override
    public void check(CProgram program, RuleContext context) {
        ReapFacts reap = ReapFacts.of(program);
        DescriptorFacts fds = DescriptorFacts.of(program);
        for (ForkSite site : ForkFacts.of(program).sites()) {
            SyntaxNode loop = site.loop();
            if (loop == null || !site.loopsBack().contains(Outcome.PARENT)) {
                continue; // not a parent that goes on forking
            }
            if (site.loopsBack().contains(Outcome.CHILD)) {
                continue; // the child stays in the loop itself: it does not end, a different bug than zombies
            }
            boolean accepting = fds.acceptedIn(loop, site.call().call()) != null;
            if (!accepting && isCountingLoop(loop)) {
                continue; // a fixed number of children: waiting for them after the loop is the usual shape
            }
            Set<CFunction> scope = reap.programOf(site.function());
            if (reaped(program, reap, site, scope)) {
                continue;
            }
            context.report(finding(program, reap, site, scope, accepting));
        }
    }

    /** for (i = 0; i < n; i++): a condition and an update. */
    private static boolean isCountingLoop(SyntaxNode loop) {
        return loop.is("for_statement") && loop.child("condition") != null && loop.child("update") != null;
    }

    private static boolean reaped(CProgram program, ReapFacts reap, ForkSite site, Set<CFunction> scope) {
        for (KernelReaps k : reap.kernelReaps()) {
            if (k.function() == null || scope.contains(k.function())) {
                return true;
            }
        }
        for (ChildHandler h : reap.childHandlers()) {
            CFunction installer = program.enclosingFunction(h.installation().site());
            if ((installer == null || scope.contains(installer)) && !h.waits().isEmpty()) {
                return true;
            }
        }
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            CFunction installer = program.enclosingFunction(h.site());
            if (h.handler().isEmpty() && (h.signal().equals("SIGCHLD") || h.signal().equals("SIGCLD"))
                    && (installer == null || scope.contains(installer))) {
                return true; // a SIGCHLD handler defined outside the analyzed files: it presumably reaps
            }
        }
        if (!reap.waitsEachIteration(site).isEmpty()) {
            return true;
        }
        // a callback (timer, event handler) that waits: it runs now and then while the server loops
        Set<String> otherHandlers = new HashSet<>();
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            otherHandlers.add(h.handlerName());
        }
        for (CFunction f : scope) {
            for (CFunction t : reap.referencedAsValues(f)) {
                if (scope.contains(t) && !otherHandlers.contains(t.name())
                        && !reap.waitsFrom(List.of(t.body()), t, false).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private Finding finding(CProgram program, ReapFacts reap, ForkSite site, Set<CFunction> scope,
            boolean accepting) {
        boolean forever = accepting || Flow.isInfinite(site.loop());
        String loopKind = accepting ? "accept loop" : "loop";
        String message = "The " + loopKind + " of " + site.call().caller().name()
                + "() forks a child on every turn but nothing reaps the children: no"
                + " SIGCHLD handler calls waitpid(), SIGCHLD is not ignored, and the loop itself never waits."
                + " Every child that exits stays a zombie (its process-table entry and exit status kept for the"
                + " parent) until the server exits; under load fork() starts failing with EAGAIN.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(site.loop().range(), "the parent goes around this " + loopKind
                + " and forks again"));
        for (Reach r : reap.waitsFrom(List.of(site.function().body()), site.function(), false)) {
            SyntaxNode at = r.chain().isEmpty() ? r.site().call().call() : r.chain().get(0).call();
            java.util.EnumSet<Outcome> by = site.runBy(interleave.engine.c.Scopes.enclosingStatement(at));
            if (by != null && !by.contains(Outcome.PARENT)) {
                continue; // the child waiting for its own children
            }
            String name = r.chain().isEmpty() ? r.site().call().calleeName() : r.chain().get(0).calleeName();
            notes.add(new RelatedLocation(at.range(), name + "() waits here, but not on the loop's way around:"
                    + " only before the first fork or on the way out"));
            break;
        }
        List<Fix> fixes = new ArrayList<>();
        Fix fix = handlerFix(program, reap, site, scope);
        if (fix != null) {
            fixes.add(fix);
        }
        String anchor = site.function().name() + "|never-reaped";
        return Finding.of(ID, forever ? Severity.ERROR : Severity.WARNING, message, site.call().call().range(),
                notes, fixes, anchor);
    }

    /**
     * Adds a SIGCHLD handler that reaps every ended child without blocking and installs it before the loop. Offered
     * only where it cannot take a child from code that waits for it: no other wait in the program except loops that
     * wait for any child until none is left, and no system()/popen().
     */
    private static Fix handlerFix(CProgram program, ReapFacts reap, ForkSite site, Set<CFunction> scope) {
        SyntaxNode loop = site.loop();
        if (loop.parent() == null || !loop.parent().is("compound_statement")) {
            return null;
        }
        for (ReapFacts.WaitSite w : reap.waits()) {
            if (scope.contains(w.function()) && (!w.anyChild()
                    || interleave.engine.c.Scopes.enclosingLoops(w.call().call(), w.function().body()).isEmpty())) {
                return null;
            }
        }
        for (CFunction f : scope) {
            for (CallSite c : f.calls()) {
                if (c.calls(SPAWNS)) {
                    return null;
                }
            }
        }
        CFunction fn = site.function();
        SyntaxTree tree = Includes.treeOf(program, fn.file());
        String handler = fresh(program, tree, "reap_children");
        String installer = fresh(program, tree, "install_child_reaper");
        String file = fn.file().path();
        String code = "/* Reaps every child that has ended: one SIGCHLD can stand for several children, because\n"
                + " * signals are not queued; WNOHANG so the handler never waits for a child still running. */\n"
                + "static void " + handler + "(int sig)\n"
                + "{\n"
                + "    int saved_errno = errno;\n"
                + "\n"
                + "    (void)sig;\n"
                + "    while (waitpid(-1, NULL, WNOHANG) > 0)\n"
                + "        ;\n"
                + "    errno = saved_errno;\n"
                + "}\n"
                + "\n"
                + "static void " + installer + "(void)\n"
                + "{\n"
                + "    struct sigaction sa;\n"
                + "\n"
                + "    memset(&sa, 0, sizeof sa);\n"
                + "    sa.sa_handler = " + handler + ";\n"
                + "    sigemptyset(&sa.sa_mask);\n"
                + "    sa.sa_flags = SA_RESTART;   /* accept() and read() resume after the handler */\n"
                + "    sigaction(SIGCHLD, &sa, NULL);\n"
                + "}\n"
                + "\n";
        List<TextEdit> edits = new ArrayList<>();
        for (String h : new String[] {"<errno.h>", "<signal.h>", "<string.h>", "<sys/wait.h>"}) {
            Includes.ensure(tree, h).ifPresent(edits::add);
        }
        int top = topLevelStart(fn.definition());
        edits.add(TextEdit.insert(file, top, code));
        edits.add(TextEdit.insert(file, loop.startChar(), installer + "();   /* reap children as they end */\n"
                + Includes.indentOf(loop)));
        return new Fix("Install a SIGCHLD handler that reaps every ended child (while waitpid(-1, NULL, WNOHANG)"
                + " > 0) before the loop", merge(edits));
    }

    /** Insertions at the same offset (two includes after the same line) become one edit, in order. */
    private static List<TextEdit> merge(List<TextEdit> edits) {
        List<TextEdit> out = new ArrayList<>();
        outer:
        for (TextEdit e : edits) {
            for (int i = 0; i < out.size(); i++) {
                TextEdit o = out.get(i);
                if (o.file().equals(e.file()) && o.startOffset() == e.startOffset() && o.endOffset() == o.startOffset()
                        && e.endOffset() == e.startOffset()) {
                    out.set(i, TextEdit.insert(o.file(), o.startOffset(), o.replacement() + e.replacement()));
                    continue outer;
                }
            }
            out.add(e);
        }
        return out;
    }

    /** Where a new top-level definition goes: before the function and the comment right above it. */
    private static int topLevelStart(SyntaxNode definition) {
        SyntaxNode parent = definition.parent();
        int start = definition.startChar();
        if (parent == null) {
            return start;
        }
        List<SyntaxNode> siblings = parent.children();
        int i = siblings.indexOf(definition);
        String text = definition.file().text();
        while (i > 0 && siblings.get(i - 1).is("comment")) {
            SyntaxNode c = siblings.get(i - 1);
            String between = text.substring(c.endChar(), start);
            if (!between.isBlank() || between.chars().filter(ch -> ch == '\n').count() > 1) {
                break;
            }
            start = c.startChar();
            i--;
        }
        return start;
    }

    private static String fresh(CProgram program, SyntaxTree tree, String wanted) {
        String name = wanted;
        for (int i = 2; program.isDefined(name) || tree.file().text().contains(name); i++) {
            name = wanted + i;
        }
        return name;
    }
}
