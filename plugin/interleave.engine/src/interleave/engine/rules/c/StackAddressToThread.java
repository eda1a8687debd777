package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.ThreadStart;
import interleave.engine.c.Includes;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.Variable;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A thread is given the address of an automatic variable of its creator ({@code &connfd}, {@code &i}) while the
 * creator goes on to change that variable, or leaves the block that owns it, before the thread has read it.
 */
@RuleInfo(id = StackAddressToThread.ID, title = "Stack address passed to a thread",
        summary = "A new thread receives the address of a local variable that its creator changes or abandons before"
                + " the thread reads it, so the thread may see another thread's value.",
        severity = Severity.ERROR,
        concept = "Unintended sharing (thread-based servers: passing &connfd; the &i race test)",
        references = {
                "CERT POS50-C|https://wiki.sei.cmu.edu/confluence/display/c/POS50-C.+Declare+objects+shared+between+POSIX+threads+with+appropriate+storage+durations",
                "CERT CON34-C|https://wiki.sei.cmu.edu/confluence/display/c/CON34-C.+Declare+objects+shared+between+threads+with+appropriate+storage+durations",
                "pthread_create(3)" })
public final class StackAddressToThread implements CRule {
    public static final String ID = "stack-address-to-thread";

    private static final Set<String> JOINS = Set.of("pthread_join", "Pthread_join", "thrd_join");

    @Override
    public void check(CProgram program, RuleContext context) {
        for (ThreadStart start : program.entryPoints().threadStarts()) {
            if (start.argument() == null) {
                continue;
            }
            Shared shared = sharedLocal(start.argument());
            if (shared == null) {
                continue;
            }
            Verdict verdict = judge(start, shared.variable());
            if (verdict == null) {
                continue;
            }
            context.report(finding(program, start, shared, verdict));
        }
    }

    /** The automatic variable whose storage the argument points into, and whether it is taken with {@code &}. */
    private record Shared(Variable variable, SyntaxNode expression, boolean addressOf) {
    }

    private static Shared sharedLocal(SyntaxNode argument) {
        SyntaxNode a = argument.stripParensAndCasts();
        SyntaxNode named;
        boolean addressOf;
        if (a.is("pointer_expression") && a.child("operator") != null && a.child("operator").text().equals("&")) {
            SyntaxNode inner = a.child("argument").stripParensAndCasts();
            if (inner.is("subscript_expression")) {
                SyntaxNode index = inner.child("index");
                // &args[i]: one slot per thread is the compliant pattern; only a constant slot is shared
                if (index == null || !index.stripParensAndCasts().is("number_literal")) {
                    return null;
                }
            }
            String base = Scopes.storedVariable(inner);
            if (base == null) {
                return null;
            }
            named = firstIdentifierNamed(inner, base);
            addressOf = true;
        } else if (a.is("identifier")) {
            named = a;
            addressOf = false;
        } else {
            return null;
        }
        if (named == null) {
            return null;
        }
        Variable v = Scopes.resolve(named);
        if (v == null || !v.storage().isAutomatic()) {
            return null;
        }
        if (!addressOf && !v.isArray()) {
            return null; // a pointer's value is passed, not the variable's address
        }
        return new Shared(v, a, addressOf);
    }

    private static SyntaxNode firstIdentifierNamed(SyntaxNode n, String name) {
        for (SyntaxNode id : n.descendants("identifier")) {
            if (id.text().equals(name)) {
                return id;
            }
        }
        return null;
    }

    /** Why the value can change under the thread, with the place that shows it. */
    private record Verdict(Severity severity, String reason, SyntaxNode evidence, String evidenceMessage) {
    }

    private static Verdict judge(ThreadStart start, Variable v) {
        CallSite call = start.call();
        CFunction creator = call.caller();
        SyntaxNode body = creator.body();
        String name = v.name();
        SyntaxNode join = firstJoinAfter(creator, call.call());
        List<SyntaxNode> loops = Scopes.enclosingLoops(call.call(), body);
        if (!loops.isEmpty()) {
            SyntaxNode loop = loops.get(0);
            SyntaxNode joinInLoop = join != null && loop.contains(join) ? join : null;
            if (joinInLoop == null) {
                for (SyntaxNode l : loops) {
                    SyntaxNode counterWrite = counterWrite(l, name);
                    if (counterWrite != null) {
                        boolean counter = l.is("for_statement") && !"condition".equals(fieldOf(l, counterWrite));
                        return new Verdict(Severity.ERROR, "'" + name + "' " + (counter ? "is the loop counter"
                                : "is assigned by the loop condition") + ": the next iteration changes it while the"
                                + " new thread may not have read it yet", counterWrite,
                                "the loop changes " + name + " here on every iteration");
                    }
                }
                if (loop.contains(v.declaration())) {
                    return new Verdict(Severity.ERROR, "'" + name + "' is declared inside the loop: its lifetime"
                            + " ends with each iteration and the next iteration reuses the same memory",
                            v.declarator(), name + " is declared here, inside the loop");
                }
                List<SyntaxNode> writes = Scopes.writesTo(loop, name);
                if (!writes.isEmpty()) {
                    SyntaxNode w = writes.get(0);
                    return new Verdict(Severity.ERROR, "the loop writes '" + name + "' again (line " + w.line()
                            + ") before the thread is joined", w, name + " is written again here on the next"
                                    + " iteration");
                }
            }
        }
        for (SyntaxNode w : Scopes.writesTo(body, name)) {
            if (w.startByte() > call.call().endByte() && (join == null || w.startByte() < join.startByte())) {
                return new Verdict(Severity.ERROR, "'" + name + "' is written again (line " + w.line()
                        + ") before the thread is joined", w, name + " is written again here");
            }
        }
        if (join == null && !creator.name().equals("main")) {
            return new Verdict(Severity.WARNING, creator.name() + "() returns without joining the thread, and '"
                    + name + "' dies when it returns while the thread may still use it", creator.nameNode(),
                    creator.name() + " returns without pthread_join");
        }
        return null;
    }

    /**
     * A write to {@code name} in a loop's header: a for loop's initializer or update (a counter), or any loop's
     * condition ({@code while ((connfd = accept(...)) >= 0)}). Either way it changes on every iteration.
     */
    private static SyntaxNode counterWrite(SyntaxNode loop, String name) {
        for (String field : new String[] {"initializer", "condition", "update"}) {
            SyntaxNode p = loop.child(field);
            if (p == null) {
                continue;
            }
            if (p.is("declaration")) {
                for (Scopes.Declared d : Scopes.declaredNames(p)) {
                    if (d.name().equals(name)) {
                        return d.identifier();
                    }
                }
            }
            List<SyntaxNode> w = Scopes.writesTo(p, name);
            if (!w.isEmpty()) {
                return w.get(0);
            }
        }
        return null;
    }

    /** Which header field of {@code loop} ({@code initializer}, {@code condition}, {@code update}) holds n. */
    private static String fieldOf(SyntaxNode loop, SyntaxNode n) {
        for (SyntaxNode c : loop.children()) {
            if (c.field() != null && c.contains(n)) {
                return c.field();
            }
        }
        return null;
    }

    private static SyntaxNode firstJoinAfter(CFunction f, SyntaxNode after) {
        for (CallSite c : f.calls()) {
            if (c.calleeName() != null && JOINS.contains(c.calleeName()) && c.call().startByte() > after.endByte()) {
                return c.call();
            }
        }
        return null;
    }

    private Finding finding(CProgram program, ThreadStart start, Shared shared, Verdict verdict) {
        Variable v = shared.variable();
        String routine = start.routineName();
        String message = "The thread started on " + routine + "() receives " + shared.expression().text()
                + ", the address of a local variable of " + start.call().caller().name() + "(); " + verdict.reason()
                + ", so the thread may read another thread's value (unintended sharing).";
        List<RelatedLocation> evidence = new ArrayList<>();
        evidence.add(new RelatedLocation(v.declarator().range(), v.name() + " is a local (automatic) variable of "
                + start.call().caller().name() + "()"));
        if (verdict.evidence() != null && verdict.evidence() != v.declarator()) {
            evidence.add(new RelatedLocation(verdict.evidence().range(), verdict.evidenceMessage()));
        }
        ThreadRead read = threadRead(start);
        if (read != null) {
            evidence.add(new RelatedLocation(read.dereference().range(),
                    "the thread reads the value here, at a time the creator does not control"));
        }
        List<Fix> fixes = shared.addressOf() ? fixes(program, start, shared, read) : List.of();
        String anchor = start.call().caller().name() + "|" + routine + "|" + shared.expression().text();
        return Finding.of(ID, verdict.severity(), message, start.argument().range(), evidence, fixes, anchor);
    }

    /**
     * Where the start routine copies the value out of its argument: {@code int connfd = *((int *)vargp);}. The fixes
     * rewrite exactly this read, so they are offered only when it is found.
     */
    record ThreadRead(CFunction routine, String parameter, SyntaxNode dereference, SyntaxNode statement,
            String valueType) {
    }

    private static ThreadRead threadRead(ThreadStart start) {
        if (start.routine().size() != 1) {
            return null;
        }
        CFunction routine = start.routine().get(0);
        if (routine.parameters().size() != 1 || routine.parameters().get(0).isEmpty()) {
            return null;
        }
        String param = routine.parameters().get(0);
        List<SyntaxNode> reads = new ArrayList<>();
        routine.body().walk(n -> {
            if (n.is("pointer_expression") && n.child("operator") != null && n.child("operator").text().equals("*")
                    && n.child("argument") != null) {
                SyntaxNode inner = n.child("argument").stripParensAndCasts();
                if (inner.is("identifier") && inner.text().equals(param)) {
                    reads.add(n);
                }
            }
        });
        if (reads.size() != 1) {
            return null;
        }
        SyntaxNode deref = reads.get(0);
        SyntaxNode stmt = Scopes.enclosingStatement(deref);
        String type = pointeeType(deref);
        return new ThreadRead(routine, param, deref, stmt, type);
    }

    /** {@code *((int *)vargp)} reads an {@code int}. */
    private static String pointeeType(SyntaxNode deref) {
        SyntaxNode n = deref.child("argument");
        while (n != null && n.is("parenthesized_expression") && n.children().size() == 1) {
            n = n.children().get(0);
        }
        if (n != null && n.is("cast_expression") && n.child("type") != null) {
            String t = n.child("type").text().replaceAll("\\s+", " ").trim();
            if (t.endsWith("*")) {
                return t.substring(0, t.length() - 1).trim();
            }
        }
        return null;
    }

    private static List<Fix> fixes(CProgram program, ThreadStart start, Shared shared, ThreadRead read) {
        if (read == null) {
            return List.of();
        }
        Variable v = shared.variable();
        String valueType = read.valueType() != null ? read.valueType() : v.typeText();
        SyntaxTree creatorTree = Includes.treeOf(program, start.call().caller().file());
        SyntaxTree routineTree = Includes.treeOf(program, read.routine().file());
        List<Fix> fixes = new ArrayList<>();
        String argFile = start.argument().file().path();
        if (v.isIntegerScalar() && !v.isArray() && shared.expression().child("argument").stripParensAndCasts()
                .is("identifier")) {
            Map<String, TextEdit> edits = new LinkedHashMap<>();
            edits.put("arg", new TextEdit(argFile, start.argument().startChar(), start.argument().endChar(),
                    "(void *)(intptr_t)" + v.name()));
            edits.put("read", new TextEdit(read.routine().file().path(), read.dereference().startChar(),
                    read.dereference().endChar(), "(" + valueType + ")(intptr_t)" + read.parameter()));
            addInclude(edits, creatorTree, "<stdint.h>", "<inttypes.h>");
            addInclude(edits, routineTree, "<stdint.h>", "<inttypes.h>");
            fixes.add(new Fix("Pass the value of " + v.name() + " itself, cast through intptr_t", List.copyOf(
                    edits.values())));
        }
        SyntaxNode createStmt = Scopes.enclosingStatement(start.call().call());
        if (createStmt.parent() != null && createStmt.parent().is("compound_statement")) {
            String copy = freshName(start.call().caller(), v.name() + "p");
            String indent = Includes.indentOf(createStmt);
            String type = valueType;
            Map<String, TextEdit> edits = new LinkedHashMap<>();
            edits.put("alloc", TextEdit.insert(argFile, createStmt.startChar(),
                    type + " *" + copy + " = malloc(sizeof *" + copy + ");\n" + indent + "*" + copy + " = " + v.name()
                            + ";\n" + indent));
            edits.put("arg", new TextEdit(argFile, start.argument().startChar(), start.argument().endChar(), copy));
            String threadIndent = Includes.indentOf(read.statement());
            edits.put("free", TextEdit.insert(read.routine().file().path(), read.statement().endChar(),
                    "\n" + threadIndent + "free(" + read.parameter() + ");"));
            addInclude(edits, creatorTree, "<stdlib.h>");
            addInclude(edits, routineTree, "<stdlib.h>");
            fixes.add(new Fix("Give each thread its own malloc'd copy of " + v.name() + ", freed by the thread",
                    List.copyOf(edits.values())));
        }
        return fixes;
    }

    private static void addInclude(Map<String, TextEdit> edits, SyntaxTree tree, String header, String... alts) {
        Includes.ensure(tree, header, alts).ifPresent(e -> edits.putIfAbsent(tree.file().path() + header, e));
    }

    private static String freshName(CFunction f, String wanted) {
        Set<String> used = new java.util.HashSet<>();
        f.definition().walk(n -> {
            if (n.is("identifier")) {
                used.add(n.text());
            }
        });
        String name = wanted;
        for (int i = 2; used.contains(name); i++) {
            name = wanted + i;
        }
        return name;
    }
}
