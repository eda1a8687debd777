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
import interleave.engine.c.Variable;
import interleave.engine.c.facts.ThreadFacts;
import interleave.engine.c.facts.ThreadFacts.Creation;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * The lecture's way to give each thread its own argument is a {@code malloc}'d copy that the thread frees once it has
 * read it. This rule finds the first half without the second: a creator in a loop allocates the argument, the start
 * routine reads it and neither frees it nor hands the pointer to anything that could. Passing the pointer on, storing
 * it or returning it means we cannot tell, and nothing is reported.
 */
@RuleInfo(id = ThreadArgumentNeverFreed.ID, title = "Thread argument never freed",
        summary = "Each thread gets a malloc'd argument that its start routine reads but never frees: every thread"
                + " leaks one allocation.",
        severity = Severity.WARNING,
        concept = "Thread-based servers: pass each thread its own malloc'd copy of connfd, and free it in the thread"
                + " (the fix for unintended sharing, done halfway)",
        references = { "CERT MEM31-C|https://wiki.sei.cmu.edu/confluence/display/c/MEM31-C.+Free+dynamically+allocated+memory+when+no+longer+needed",
                "CWE-401|https://cwe.mitre.org/data/definitions/401.html" })
public final class ThreadArgumentNeverFreed implements CRule {
    public static final String ID = "thread-argument-never-freed";

    private static final Set<String> ALLOCATORS = Set.of("malloc", "calloc", "realloc", "strdup", "strndup");
    private static final Set<String> FREES = Set.of("free");

    @Override
    public void check(CProgram program, RuleContext context) {
        for (Creation c : ThreadFacts.of(program).creations()) {
            if (!c.inLoop() && c.longRunning() == null) {
                continue; // one thread, one allocation: nothing grows
            }
            Allocation a = allocation(c);
            if (a == null || c.start().routine().size() != 1) {
                continue;
            }
            CFunction routine = c.start().routine().get(0);
            Uses uses = uses(routine);
            if (uses == null || uses.freed || uses.unknown || uses.reads.isEmpty()) {
                continue;
            }
            context.report(finding(program, c, a, routine, uses));
        }
    }

    /** The malloc that the argument's pointer comes from, in the creator, before the creation. */
    private record Allocation(Variable pointer, SyntaxNode call, String allocator) {
    }

    private static Allocation allocation(Creation c) {
        SyntaxNode arg = c.start().argument();
        if (arg == null) {
            return null;
        }
        SyntaxNode id = arg.stripParensAndCasts();
        if (!id.is("identifier")) {
            return null;
        }
        Variable v = Scopes.resolve(id);
        if (v == null || v.storage() != interleave.engine.c.Storage.AUTOMATIC || !v.isPointer()) {
            return null;
        }
        CFunction creator = c.creator();
        SyntaxNode create = c.call().call();
        Allocation found = null;
        for (CallSite site : creator.calls()) {
            if (!site.calls(ALLOCATORS) || site.call().startByte() > create.startByte()) {
                continue;
            }
            SyntaxNode parent = site.call().parent();
            while (parent != null && (parent.is("cast_expression") || parent.is("parenthesized_expression"))) {
                parent = parent.parent();
            }
            String target = null;
            if (parent != null && parent.is("init_declarator") && parent.child("declarator") != null) {
                List<Scopes.Declared> d = Scopes.declaredNames(parent.parent());
                for (Scopes.Declared x : d) {
                    if (parent.contains(x.identifier())) {
                        target = x.name();
                    }
                }
            } else if (parent != null && parent.is("assignment_expression") && parent.child("left") != null
                    && parent.child("left").stripParensAndCasts().is("identifier")) {
                target = parent.child("left").stripParensAndCasts().text();
            }
            if (v.name().equals(target)) {
                found = new Allocation(v, site.call(), site.function());
            }
        }
        if (found == null) {
            return null;
        }
        // after the creation the creator must not free the pointer or pass it on (a join-then-free, a list of
        // arguments); freeing it in the branch that handles a failed creation is the normal error path
        for (SyntaxNode use : creator.body().descendants("identifier")) {
            if (!use.text().equals(v.name()) || use.startByte() <= create.endByte()) {
                continue;
            }
            if (Scopes.resolve(use) == null || Scopes.resolve(use).declarator() != v.declarator()) {
                continue;
            }
            if (isDereferenced(use) || inFailureBranch(use, c)) {
                continue;
            }
            return null;
        }
        return found;
    }

    /** Inside the {@code if} that tests whether this creation failed. */
    private static boolean inFailureBranch(SyntaxNode use, Creation c) {
        SyntaxNode createStmt = Scopes.enclosingStatement(c.call().call());
        for (SyntaxNode p = use.parent(); p != null; p = p.parent()) {
            if (p.is("if_statement")) {
                SyntaxNode cond = p.child("condition");
                if (cond == null) {
                    continue;
                }
                if (cond.contains(c.call().call())) {
                    return true;
                }
                // err = pthread_create(...); if (err != 0) { ... }
                SyntaxNode stmt = createStmt;
                if (stmt.is("expression_statement") && !stmt.children().isEmpty()
                        && stmt.children().get(0).is("assignment_expression")) {
                    String var = Scopes.storedVariable(stmt.children().get(0).child("left"));
                    if (var != null && cond.text().matches(".*\\b" + java.util.regex.Pattern.quote(var) + "\\b.*")
                            && nextStatement(stmt) == p) {
                        return true;
                    }
                }
                if (stmt.is("declaration") && nextStatement(stmt) == p) {
                    for (Scopes.Declared d : Scopes.declaredNames(stmt)) {
                        if (cond.text().matches(".*\\b" + java.util.regex.Pattern.quote(d.name()) + "\\b.*")) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static SyntaxNode nextStatement(SyntaxNode stmt) {
        SyntaxNode n = stmt.nextSibling();
        while (n != null && n.is("comment")) {
            n = n.nextSibling();
        }
        return n;
    }

    /** {@code *p}, {@code p->f}, {@code p[i]}: the memory is used, the pointer itself goes nowhere. */
    private static boolean isDereferenced(SyntaxNode id) {
        SyntaxNode n = id;
        while (n.parent() != null && (n.parent().is("parenthesized_expression") || n.parent().is("cast_expression")
                && n == n.parent().child("value"))) {
            n = n.parent();
        }
        SyntaxNode p = n.parent();
        if (p == null) {
            return false;
        }
        if (p.is("pointer_expression") && p.child("operator") != null && p.child("operator").text().equals("*")) {
            return true;
        }
        if (p.is("field_expression") && n == p.child("argument")) {
            return true;
        }
        if (p.is("subscript_expression") && n == p.child("argument")) {
            return true;
        }
        if (p.is("binary_expression") && p.child("operator") != null
                && (p.child("operator").text().equals("==") || p.child("operator").text().equals("!="))) {
            return true; // compared with NULL
        }
        if (p.is("unary_expression") && p.child("operator") != null && p.child("operator").text().equals("!")) {
            return true;
        }
        return false;
    }

    /** How the start routine uses its parameter and the local pointers it copies it into. */
    private static final class Uses {
        final List<SyntaxNode> reads = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        boolean freed;
        boolean unknown;
        /** Each declaration that copies a value out of the argument into a non-pointer local. */
        final List<SyntaxNode> copyStatements = new ArrayList<>();
        boolean onlyCopies = true;
    }

    private static Uses uses(CFunction routine) {
        if (routine.parameters().size() != 1 || routine.parameters().get(0).isEmpty()) {
            return null;
        }
        Uses u = new Uses();
        u.names.add(routine.parameters().get(0));
        // local pointers initialized or assigned from the parameter: struct args *a = arg;
        boolean grew = true;
        while (grew) {
            grew = false;
            for (SyntaxNode id : routine.body().descendants("identifier")) {
                if (!u.names.contains(id.text())) {
                    continue;
                }
                String alias = aliasTarget(id);
                if (alias != null && u.names.add(alias)) {
                    grew = true;
                }
            }
        }
        for (SyntaxNode id : routine.body().descendants("identifier")) {
            if (!u.names.contains(id.text()) || isDeclarator(id)) {
                continue;
            }
            if (aliasTarget(id) != null) {
                continue;
            }
            SyntaxNode call = argumentOf(id);
            if (call != null) {
                String fn = call.child("function") == null ? "" : call.child("function").text();
                if (FREES.contains(interleave.engine.c.Wrappers.unwrap(fn))) {
                    u.freed = true;
                } else {
                    u.unknown = true; // passed on: the callee may free or keep it
                }
                continue;
            }
            if (isDereferenced(id)) {
                u.reads.add(id);
                SyntaxNode decl = copyDeclaration(id);
                if (decl == null) {
                    u.onlyCopies = false;
                } else if (!u.copyStatements.contains(decl)) {
                    u.copyStatements.add(decl);
                }
                continue;
            }
            u.unknown = true; // returned, stored, its address taken, handed to pthread_exit
        }
        return u;
    }

    private static boolean isDeclarator(SyntaxNode id) {
        SyntaxNode p = id.parent();
        return p != null && (p.is("init_declarator") && id == p.child("declarator") || p.is("pointer_declarator")
                || p.is("parameter_declaration") || p.is("declaration"));
    }

    /** {@code T *a = (T *)arg;} or {@code a = arg;}: the name of the local that becomes another name for it. */
    private static String aliasTarget(SyntaxNode id) {
        SyntaxNode n = id;
        while (n.parent() != null && (n.parent().is("parenthesized_expression") || n.parent().is("cast_expression"))) {
            n = n.parent();
        }
        SyntaxNode p = n.parent();
        if (p == null) {
            return null;
        }
        if (p.is("init_declarator") && n == p.child("value")) {
            SyntaxNode d = p.child("declarator");
            while (d != null && d.is("pointer_declarator")) {
                d = d.child("declarator");
            }
            return d != null && d.is("identifier") ? d.text() : null;
        }
        if (p.is("assignment_expression") && n == p.child("right") && p.child("operator") != null
                && p.child("operator").text().equals("=") && p.child("left").is("identifier")) {
            return p.child("left").text();
        }
        return null;
    }

    /** The call that receives {@code id} (possibly cast) as one of its arguments, or null. */
    private static SyntaxNode argumentOf(SyntaxNode id) {
        SyntaxNode n = id;
        while (n.parent() != null && (n.parent().is("parenthesized_expression") || n.parent().is("cast_expression"))) {
            n = n.parent();
        }
        SyntaxNode p = n.parent();
        if (p != null && p.is("argument_list") && p.parent() != null && p.parent().is("call_expression")) {
            return p.parent();
        }
        return null;
    }

    /**
     * The declaration statement, directly in the routine's body, whose initializer is exactly this read and whose
     * variable is not a pointer or array: {@code int connfd = *((int *)vargp);}. A value copied out, nothing that
     * points into the argument's memory.
     */
    private static SyntaxNode copyDeclaration(SyntaxNode id) {
        SyntaxNode n = id;
        while (n.parent() != null && !n.parent().is("init_declarator")) {
            SyntaxNode p = n.parent();
            if (!(p.is("parenthesized_expression") || p.is("cast_expression") || p.is("pointer_expression")
                    || p.is("field_expression") && n == p.child("argument"))) {
                return null;
            }
            if (p.is("pointer_expression") && !p.child("operator").text().equals("*")) {
                return null;
            }
            n = p;
        }
        SyntaxNode init = n.parent();
        if (init == null || n != init.child("value") || !init.child("declarator").is("identifier")) {
            return null;
        }
        SyntaxNode decl = init.parent();
        if (decl == null || !decl.is("declaration") || decl.parent() == null
                || !decl.parent().is("compound_statement")) {
            return null;
        }
        return decl;
    }

    private Finding finding(CProgram program, Creation c, Allocation a, CFunction routine, Uses uses) {
        String p = a.pointer().name();
        String message = p + " is " + a.allocator() + "'d by " + c.creator().name() + "() for every thread it starts"
                + " on " + routine.name() + "(), which reads it but never frees it: every thread leaks one"
                + " allocation" + (c.longRunning() != null ? ", for as long as the server runs" : "")
                + ". Free it in the thread once the value is copied out.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(a.call().range(), "allocated here, once per thread"));
        notes.add(new RelatedLocation(uses.reads.get(0).range(), "the thread reads it here and never frees it"));
        String anchor = c.creator().name() + "|" + routine.name() + "|" + p;
        return Finding.of(ID, Severity.WARNING, message, c.start().argument().range(), notes,
                fixes(program, routine, uses), anchor);
    }

    /**
     * {@code free(arg);} right after the last statement that copies a value out of the argument, when every read is
     * such a copy in the routine's own block: after that statement nothing uses the argument any more.
     */
    private static List<Fix> fixes(CProgram program, CFunction routine, Uses uses) {
        if (!uses.onlyCopies || uses.copyStatements.isEmpty()) {
            return List.of();
        }
        SyntaxNode last = uses.copyStatements.get(uses.copyStatements.size() - 1);
        for (SyntaxNode s : uses.copyStatements) {
            if (s.parent() != routine.body()) {
                return List.of();
            }
            if (s.startByte() > last.startByte()) {
                last = s;
            }
        }
        String param = routine.parameters().get(0);
        String file = routine.file().path();
        List<TextEdit> edits = new ArrayList<>();
        edits.add(TextEdit.insert(file, last.endChar(), "\n" + Includes.indentOf(last) + "free(" + param + ");"
                + " /* the value is copied out; the thread owns this memory */"));
        SyntaxTree tree = Includes.treeOf(program, routine.file());
        Includes.ensure(tree, "<stdlib.h>", "\"csapp.h\"").ifPresent(edits::add);
        return List.of(new Fix("Free " + param + " in " + routine.name() + "() after copying the value out", edits));
    }
}
