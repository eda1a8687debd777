package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.Includes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.ThreadFacts;
import interleave.engine.c.facts.ThreadFacts.Creation;
import interleave.engine.c.facts.ThreadFacts.Fate;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A long-running creator (an accept loop, an endless loop) starts joinable threads and nobody ever joins or detaches
 * them. Each one keeps its stack and descriptor after it returns, like a zombie process, until the process runs out
 * of address space or threads. Threads created once, outside any such loop, are not reported: they leak nothing that
 * grows.
 */
@RuleInfo(id = ThreadNeverDetachedOrJoined.ID, title = "Thread never detached nor joined",
        summary = "A server loop creates joinable threads that are never joined or detached; each finished thread"
                + " keeps its stack like a zombie process until pthread_create fails.",
        severity = Severity.WARNING,
        concept = "Thread-based servers: threads must run detached to avoid a memory leak (joinable vs detached"
                + " threads, pthread_join reaps a thread as waitpid reaps a child)",
        references = {
                "CWE-404|https://cwe.mitre.org/data/definitions/404.html",
                "pthread_detach(3)|https://man7.org/linux/man-pages/man3/pthread_detach.3.html",
                "pthread_join(3)|https://man7.org/linux/man-pages/man3/pthread_join.3.html" })
public final class ThreadNeverDetachedOrJoined implements CRule {
    public static final String ID = "thread-never-detached-or-joined";

    @Override
    public void check(CProgram program, RuleContext context) {
        ThreadFacts facts = ThreadFacts.of(program);
        for (Creation c : facts.creations()) {
            if (c.fate() != Fate.NEITHER || c.longRunning() == null) {
                continue;
            }
            context.report(finding(program, facts, c));
        }
    }

    private Finding finding(CProgram program, ThreadFacts facts, Creation c) {
        String routine = c.start().routineName();
        CFunction creator = c.creator();
        String where = c.loopCaller() == null
                ? creator.name() + "() creates one in every iteration of a loop that runs for the life of the program"
                : creator.name() + "() is called in every iteration of a loop of " + c.loopCaller().caller().name()
                        + "() that runs for the life of the program";
        String message = "The thread started on " + routine + "() is never detached and never joined, and " + where
                + ". A joinable thread that returns keeps its stack and thread descriptor until someone joins it,"
                + " like a zombie process that nobody reaps: every thread leaks its stack (8 MiB of address space by"
                + " default) until pthread_create fails. Detach it, or keep " + c.handle().text().replace("&", "")
                + " and join it.";
        List<RelatedLocation> notes = new ArrayList<>();
        if (c.loopCaller() != null) {
            notes.add(new RelatedLocation(c.loopCaller().call().range(), creator.name() + "() is called here, inside"
                    + " a loop of " + c.loopCaller().caller().name() + "()"));
        }
        notes.add(new RelatedLocation(loopHead(c.longRunning()).range(), loopReason(program, c.longRunning())));
        for (CFunction r : c.start().routine()) {
            notes.add(new RelatedLocation(r.nameNode().range(), r.name() + "() never calls pthread_detach(); the"
                    + " thread stays joinable after it returns"));
        }
        String anchor = creator.name() + "|" + routine + "|" + c.handle().text();
        return Finding.of(ID, Severity.WARNING, message, c.handle().range(), notes, fixes(program, facts, c), anchor);
    }

    private static SyntaxNode loopHead(SyntaxNode loop) {
        SyntaxNode cond = loop.child("condition");
        return cond != null ? cond : loop;
    }

    private static String loopReason(CProgram program, SyntaxNode loop) {
        SyntaxNode cond = loop.child("condition");
        boolean endless = loop.is("for_statement") && cond == null
                || cond != null && cond.text().replaceAll("[\\s()]", "").matches("1|true|TRUE|!0");
        return endless ? "this loop never ends by its condition: the server keeps creating threads"
                : "this loop accepts connections: one thread per client, for as long as the server runs";
    }

    /**
     * {@code pthread_detach(pthread_self());} as the first statement of the start routine. Only when every creation
     * of that routine is neither joined nor detached: a thread that detaches itself can no longer be joined.
     */
    private static List<Fix> fixes(CProgram program, ThreadFacts facts, Creation c) {
        if (c.start().routine().size() != 1) {
            return List.of();
        }
        CFunction routine = c.start().routine().get(0);
        for (Creation other : facts.creationsOf(routine)) {
            if (other.fate() != Fate.NEITHER) {
                return List.of();
            }
        }
        SyntaxNode body = routine.body();
        List<SyntaxNode> stmts = body.children().stream().filter(n -> !n.is("comment")).toList();
        String indent = stmts.isEmpty() ? "    " : Includes.indentOf(stmts.get(0));
        if (indent.isEmpty()) {
            indent = "    ";
        }
        String file = routine.file().path();
        List<TextEdit> edits = new ArrayList<>();
        edits.add(TextEdit.insert(file, body.startChar() + 1, "\n" + indent + "pthread_detach(pthread_self());"
                + " /* nobody joins this thread */"));
        SyntaxTree tree = Includes.treeOf(program, routine.file());
        Includes.ensure(tree, "<pthread.h>", "\"csapp.h\"").ifPresent(edits::add);
        return List.of(new Fix("Detach the thread: pthread_detach(pthread_self()) at the start of " + routine.name()
                + "()", edits));
    }
}
