package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Includes;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.DescriptorFacts;
import interleave.engine.c.facts.DescriptorFacts.Accepted;
import interleave.engine.c.facts.ForkFacts;
import interleave.engine.c.facts.ForkFacts.ForkSite;
import interleave.engine.c.facts.ForkFacts.Insertion;
import interleave.engine.c.facts.ForkFacts.Outcome;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A forking server's accept loop where, after {@code fork}, the parent goes back to {@code accept} still holding the
 * connected descriptor (error: the connection cannot close while the parent lives), or the child serves the client
 * still holding the listening descriptor (warning).
 */
@RuleInfo(id = DescriptorKeptAfterFork.ID, title = "Descriptor kept after fork",
        summary = "After fork() in an accept loop, the parent keeps its copy of the connected socket (the connection"
                + " never closes while the parent lives, and descriptors leak), or the child keeps its copy of the"
                + " listening socket.",
        severity = Severity.ERROR,
        concept = "Process-based servers: the parent must close connfd, the child should close listenfd"
                + " (reference count of an open socket)",
        references = {
                "CERT FIO42-C|https://wiki.sei.cmu.edu/confluence/display/c/FIO42-C.+Close+files+when+they+are+no+longer+needed",
                "CS:APP 12.2 Concurrent programming with processes",
                "UNP 4.8 Concurrent servers",
                "fork(2)|https://man7.org/linux/man-pages/man2/fork.2.html",
                "close(2)|https://man7.org/linux/man-pages/man2/close.2.html" })
public final class DescriptorKeptAfterFork implements CRule {
    public static final String ID = "descriptor-kept-after-fork";

    @Override
    public void check(CProgram program, RuleContext context) {
        DescriptorFacts fds = DescriptorFacts.of(program);
        for (ForkSite site : ForkFacts.of(program).sites()) {
            if (site.loop() == null || !site.recognised()) {
                continue;
            }
            Accepted accepted = fds.acceptedIn(site.loop(), site.call().call());
            if (accepted == null) {
                continue; // not an accept loop
            }
            parentKeepsConnection(program, fds, site, accepted, context);
            childKeepsListener(program, fds, site, accepted, context);
        }
    }

    private void parentKeepsConnection(CProgram program, DescriptorFacts fds, ForkSite site, Accepted accepted,
            RuleContext context) {
        if (!site.loopsBack().contains(Outcome.PARENT)) {
            return; // the parent leaves the loop: not a server that goes on accepting
        }
        String fd = accepted.descriptor();
        List<SyntaxNode> parent = new ArrayList<>(site.statements(Outcome.PARENT));
        parent.addAll(wrapAround(site.loop(), accepted.call().call()));
        if (fds.closeOf(parent, fd) != null || fds.escape(parent, fd) != null) {
            return;
        }
        String message = "After fork() the parent and the child each hold the connection '" + fd + "'; the parent"
                + " goes back to accept without closing its copy, so the socket's reference count never drops to"
                + " zero when the child is done: the connection does not close while the parent lives (the client"
                + " never sees end of file) and the parent leaks one descriptor per client until accept fails with"
                + " EMFILE.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(accepted.call().call().range(), fd + " is accepted here, in the loop"));
        if (site.childBranch() != null) {
            notes.add(new RelatedLocation(site.childBranch().range(), "the child's copy of " + fd
                    + " is used and closed here; the parent's copy stays open"));
        }
        notes.add(new RelatedLocation(site.loop().range(), "the parent goes around this loop again without"
                + " close(" + fd + ")"));
        List<Fix> fixes = new ArrayList<>();
        Insertion at = site.parentStart();
        if (at != null && !site.loopsBack().contains(Outcome.CHILD) && !usedAfter(site, Outcome.PARENT, at, fd)
                && !closedBefore(site, at, fd)) {
            fixes.add(insertClose(program, site, at, fd, "Close the parent's copy: insert close(" + fd
                    + ") right after the child's branch"));
        }
        String anchor = site.function().name() + "|parent|" + fd;
        context.report(Finding.of(ID, Severity.ERROR, message, site.call().call().range(), notes, fixes, anchor));
    }

    private void childKeepsListener(CProgram program, DescriptorFacts fds, ForkSite site, Accepted accepted,
            RuleContext context) {
        String listen = accepted.listening();
        List<SyntaxNode> child = site.statements(Outcome.CHILD);
        if (listen == null || child.isEmpty() || site.childBranch() == null
                || site.loopsBack().contains(Outcome.CHILD)) {
            return; // a child that goes back to the loop (a bug of its own) or no child code to look at
        }
        if (DescriptorFacts.mentions(child, listen) || fds.closeOf(child, listen) != null) {
            return; // closed, or used by the child (a pre-forked child that accepts itself)
        }
        SyntaxNode where = childLocation(site);
        String message = "The child keeps its copy of the listening socket '" + listen
                + "' while it serves the connection, and never uses it: while any child lives the listening socket stays open, so a restarted"
                + " server cannot bind the port and connections can queue on a socket nobody accepts from; close it"
                + " first thing in the child.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(accepted.call().call().range(), "the parent accepts on " + listen + " here"));
        notes.add(new RelatedLocation(site.call().call().range(), "fork() copies every descriptor, " + listen
                + " included"));
        List<Fix> fixes = new ArrayList<>();
        Insertion at = site.childStart();
        if (at != null) {
            fixes.add(insertClose(program, site, at, listen, "Close the listening socket in the child: insert close("
                    + listen + ") at the top of the child's branch"));
        }
        String anchor = site.function().name() + "|child|" + listen;
        context.report(Finding.of(ID, Severity.WARNING, message, where.range(), notes, fixes, anchor));
    }

    /** The test that selects the child ({@code pid == 0}), else the child's first statement. */
    private static SyntaxNode childLocation(ForkSite site) {
        SyntaxNode b = site.childBranch();
        SyntaxNode p = b.parent();
        if (p != null && p.is("else_clause")) {
            return b;
        }
        if (p != null && p.is("if_statement") && p.child("condition") != null) {
            return p.child("condition");
        }
        if (p != null && p.is("case_statement")) {
            return p;
        }
        return b;
    }

    /** The loop body's statements before the accept, and a for loop's update: run again before the next accept. */
    private static List<SyntaxNode> wrapAround(SyntaxNode loop, SyntaxNode accept) {
        List<SyntaxNode> out = new ArrayList<>();
        SyntaxNode body = loop.child("body");
        if (body != null && body.is("compound_statement")) {
            for (SyntaxNode s : body.children()) {
                if (s.contains(accept) || !s.startsBefore(accept)) {
                    break;
                }
                out.add(s);
            }
        }
        if (loop.child("update") != null) {
            out.add(loop.child("update"));
        }
        return out;
    }

    /**
     * True when a failed fork, which also passes the insertion point, already used (closed) the descriptor on its way
     * there: the inserted close would close it twice.
     */
    private static boolean closedBefore(ForkSite site, Insertion at, String fd) {
        if (!at.by().contains(Outcome.FAILED)) {
            return false;
        }
        List<SyntaxNode> earlier = new ArrayList<>();
        for (SyntaxNode s : site.statements(Outcome.FAILED)) {
            if (s.startChar() < at.offset()) {
                earlier.add(s);
            }
        }
        return DescriptorFacts.mentions(earlier, fd);
    }

    /** True when the outcome's statements at or after the insertion point still use the descriptor. */
    private static boolean usedAfter(ForkSite site, Outcome o, Insertion at, String fd) {
        List<SyntaxNode> later = new ArrayList<>();
        for (SyntaxNode s : site.statements(o)) {
            if (s.startChar() >= at.offset()) {
                later.add(s);
            }
        }
        return DescriptorFacts.mentions(later, fd);
    }

    private static Fix insertClose(CProgram program, ForkSite site, Insertion at, String fd, String label) {
        CFunction f = site.function();
        SourceFile file = f.file();
        boolean wrapper = usesCloseWrapper(program, file);
        String stmt = (wrapper ? "Close(" : "close(") + fd + ");";
        List<TextEdit> edits = new ArrayList<>();
        edits.add(TextEdit.insert(file.path(), at.offset(), at.text(stmt)));
        if (!wrapper) {
            SyntaxTree tree = Includes.treeOf(program, file);
            Includes.ensure(tree, "<unistd.h>").ifPresent(edits::add);
        }
        return new Fix(label, edits);
    }

    /** The program closes descriptors with the lecture's Close wrapper in this file. */
    private static boolean usesCloseWrapper(CProgram program, SourceFile file) {
        for (CFunction g : program.functions()) {
            if (g.file() != file) {
                continue;
            }
            for (CallSite c : g.calls()) {
                if ("Close".equals(c.calleeName())) {
                    return true;
                }
            }
        }
        return false;
    }
}
