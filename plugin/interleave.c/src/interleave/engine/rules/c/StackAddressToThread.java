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
import interleave.engine.c.Wrappers;
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
        String copy = Includes.freshName(start.call().caller(), v.name() + "p");
        FreeOnFailure freeOnFailure = createStmt.parent() != null && createStmt.parent().is("compound_statement")
                ? freeOnFailure(start.call(), createStmt, copy) : null;
        if (freeOnFailure != null) {
            String indent = Includes.indentOf(createStmt);
            String type = valueType;
            Map<String, TextEdit> edits = new LinkedHashMap<>();
            edits.put("alloc", TextEdit.insert(argFile, createStmt.startChar(),
                    type + " *" + copy + " = malloc(sizeof *" + copy + ");\n" + indent + "*" + copy + " = " + v.name()
                            + ";\n" + indent + freeOnFailure.beforeStatement()));
            edits.put("arg", new TextEdit(argFile, start.argument().startChar(), start.argument().endChar(), copy));
            if (freeOnFailure.edit() != null) {
                edits.put("failure", freeOnFailure.edit());
            }
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

    /** What frees the copy on failure: text put right before the create statement, and one more edit. */
    private record FreeOnFailure(String beforeStatement, TextEdit edit) {
        FreeOnFailure(TextEdit edit) {
            this("", edit);
        }
    }

    /** Nothing to add: the create call cannot fail without ending the process. */
    private static final FreeOnFailure NOTHING = new FreeOnFailure(null);

    /**
     * The edit that frees the thread's copy when the thread was not created (nobody else would free it): inside the
     * existing error branch when the result is checked, else a new check around or after the call. {@link #NOTHING}
     * for the lecture's wrapper, which exits on failure; null when the shape is not recognised (no fix offered then,
     * rather than one that leaks).
     */
    private static FreeOnFailure freeOnFailure(CallSite create, SyntaxNode stmt, String copy) {
        if (Wrappers.isWrapper(create.calleeName())) {
            return NOTHING;
        }
        String file = stmt.file().path();
        String indent = Includes.indentOf(stmt);
        String free = "free(" + copy + ");";
        SyntaxNode call = create.call();
        if (stmt.is("if_statement") && stmt.child("condition") != null && stmt.child("condition").contains(call)) {
            Boolean failureWhenTrue = failureWhenTrue(stmt.child("condition"), call, null);
            TextEdit e = failureWhenTrue == null ? null : intoBranch(stmt, failureWhenTrue, free, indent);
            return e == null ? null : new FreeOnFailure(e);
        }
        if (stmt.is("expression_statement") && stmt.children().size() >= 1) {
            SyntaxNode e = stmt.children().get(0);
            if (e == call) {
                // the result was ignored: check it now, and only to free the copy, so nothing else changes
                // (the argument inside the call is rewritten too, so the check is added around it, not over it)
                return new FreeOnFailure("if (", TextEdit.insert(file, call.endChar(), " != 0)\n" + indent + "    "
                        + free.substring(0, free.length() - 1)));
            }
            if (e.is("assignment_expression") && e.child("right") != null
                    && e.child("right").stripParensAndCasts() == call && e.child("left").is("identifier")) {
                TextEdit after = afterResult(stmt, e.child("left").text(), free, indent);
                return after == null ? null : new FreeOnFailure(after);
            }
        }
        if (stmt.is("declaration")) {
            for (SyntaxNode d : stmt.childrenOf("declarator")) {
                if (d.is("init_declarator") && d.child("value") != null
                        && d.child("value").stripParensAndCasts() == call && d.child("declarator").is("identifier")) {
                    TextEdit after = afterResult(stmt, d.child("declarator").text(), free, indent);
                    return after == null ? null : new FreeOnFailure(after);
                }
            }
        }
        return null;
    }

    /** {@code err = pthread_create(...);}: into the following {@code if (err ...)} branch, or a new check after it. */
    private static TextEdit afterResult(SyntaxNode stmt, String result, String free, String indent) {
        SyntaxNode next = stmt.nextSibling();
        while (next != null && next.is("comment")) {
            next = next.nextSibling();
        }
        if (next != null && next.is("if_statement") && next.child("condition") != null) {
            Boolean failureWhenTrue = failureWhenTrue(next.child("condition"), null, result);
            if (failureWhenTrue != null) {
                return intoBranch(next, failureWhenTrue, free, indent);
            }
            if (mentions(next.child("condition"), result)) {
                return null; // checked in a way we do not understand: no fix rather than a wrong one
            }
        }
        return TextEdit.insert(stmt.file().path(), stmt.endChar(), "\n" + indent + "if (" + result + " != 0)\n"
                + indent + "    " + free);
    }

    /**
     * Whether the condition is true exactly when the create failed: {@code call}, {@code call != 0},
     * {@code call < 0}, {@code (err = call) != 0}, {@code err}, {@code err != 0} give true; {@code !call},
     * {@code call == 0} give false; anything else null. {@code call} or {@code result} names the value tested.
     */
    private static Boolean failureWhenTrue(SyntaxNode condition, SyntaxNode call, String result) {
        SyntaxNode c = condition.stripParensAndCasts();
        if (isResult(c, call, result)) {
            return true;
        }
        if (c.is("unary_expression") && c.child("operator") != null && c.child("operator").text().equals("!")
                && isResult(c.child("argument").stripParensAndCasts(), call, result)) {
            return false;
        }
        if (c.is("binary_expression") && c.child("operator") != null) {
            SyntaxNode l = c.child("left").stripParensAndCasts();
            SyntaxNode r = c.child("right").stripParensAndCasts();
            String op = c.child("operator").text();
            boolean leftIsResult = isResult(l, call, result) && isZero(r);
            boolean rightIsResult = isResult(r, call, result) && isZero(l);
            if (!leftIsResult && !rightIsResult) {
                return null;
            }
            switch (op) {
            case "!=":
                return true;
            case "==":
                return false;
            case "<":
                return leftIsResult ? true : null;
            case ">":
                return rightIsResult ? true : null;
            default:
                return null;
            }
        }
        return null;
    }

    private static boolean isResult(SyntaxNode n, SyntaxNode call, String result) {
        if (call != null && n == call) {
            return true;
        }
        if (call != null && n.is("assignment_expression") && n.child("right") != null
                && n.child("right").stripParensAndCasts() == call) {
            return true;
        }
        return result != null && n.is("identifier") && n.text().equals(result);
    }

    private static boolean isZero(SyntaxNode n) {
        return n.is("number_literal") && n.text().equals("0") || n.is("null");
    }

    private static boolean mentions(SyntaxNode n, String name) {
        return n.descendants("identifier").stream().anyMatch(i -> i.text().equals(name));
    }

    /** Puts {@code free} first in the failure branch of {@code ifStmt}, adding the branch when there is none. */
    private static TextEdit intoBranch(SyntaxNode ifStmt, boolean failureWhenTrue, String free, String indent) {
        String file = ifStmt.file().path();
        SyntaxNode branch = failureWhenTrue ? ifStmt.child("consequence") : ifStmt.child("alternative");
        if (branch != null && branch.is("else_clause")) {
            branch = branch.children().get(branch.children().size() - 1);
        }
        if (branch == null) {
            if (failureWhenTrue) {
                return null;
            }
            return TextEdit.insert(file, ifStmt.endChar(), "\n" + indent + "else\n" + indent + "    " + free);
        }
        if (branch.is("compound_statement")) {
            SyntaxNode first = branch.children().isEmpty() ? null : branch.children().get(0);
            String inner = first != null ? Includes.indentOf(first) : indent + "    ";
            return TextEdit.insert(file, branch.startChar() + 1, "\n" + inner + free);
        }
        // a single statement becomes a block, braces placed as the code around would have them
        int from = failureWhenTrue ? ifStmt.child("condition").endChar() : branch.parent().startChar() + 4;
        return new TextEdit(file, from, branch.endChar(), " {\n" + indent + "    " + free + "\n" + indent + "    "
                + branch.text() + "\n" + indent + "}");
    }

    private static void addInclude(Map<String, TextEdit> edits, SyntaxTree tree, String header, String... alts) {
        Includes.ensure(tree, header, alts).ifPresent(e -> edits.putIfAbsent(tree.file().path() + header, e));
    }

}
