package interleave.java.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.ArrayAccess;
import org.eclipse.jdt.core.dom.ArrayCreation;
import org.eclipse.jdt.core.dom.Assignment;
import org.eclipse.jdt.core.dom.Block;
import org.eclipse.jdt.core.dom.ClassInstanceCreation;
import org.eclipse.jdt.core.dom.DoStatement;
import org.eclipse.jdt.core.dom.EnhancedForStatement;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.FieldAccess;
import org.eclipse.jdt.core.dom.ForStatement;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.MethodDeclaration;
import org.eclipse.jdt.core.dom.MethodInvocation;
import org.eclipse.jdt.core.dom.Modifier;
import org.eclipse.jdt.core.dom.PostfixExpression;
import org.eclipse.jdt.core.dom.PrefixExpression;
import org.eclipse.jdt.core.dom.QualifiedName;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.Statement;
import org.eclipse.jdt.core.dom.ThisExpression;
import org.eclipse.jdt.core.dom.VariableDeclarationFragment;
import org.eclipse.jdt.core.dom.VariableDeclarationStatement;
import org.eclipse.jdt.core.dom.WhileStatement;

import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;
import interleave.java.JavaProgram;
import interleave.java.facts.JavaConcurrency;
import interleave.java.facts.JavaConcurrency.StartSite;

/**
 * A loop starts a thread or task per iteration and hands each one the same mutable holder (an object, array, buffer
 * or collection declared outside the loop, or a field), which the loop then writes again for the next iteration while
 * earlier tasks may still be reading it: Java's {@code &connfd}.
 */
@RuleInfo(id = UnintendedSharing.ID, title = "One mutable holder shared with every new thread",
        summary = "Each thread or task started in a loop is handed the same mutable object, or reads a field, that the"
                + " loop overwrites for the next iteration, so a task can see the next client's data.",
        severity = Severity.ERROR,
        concept = "Unintended sharing (thread-based servers: passing &connfd; the &i race test)",
        references = {
                "CERT VNA02-J|https://wiki.sei.cmu.edu/confluence/display/java/VNA02-J.+Ensure+that+compound+operations+on+shared+variables+are+atomic",
                "CERT TSM03-J|https://wiki.sei.cmu.edu/confluence/display/java/TSM03-J.+Do+not+publish+partially+initialized+objects",
                "JLS 17.4 Memory Model|https://docs.oracle.com/javase/specs/jls/se21/html/jls-17.html#jls-17.4" },
        language = Language.JAVA)
public final class UnintendedSharing implements JavaRule {
    public static final String ID = "unintended-sharing";

    /** Method names that change the object they are called on (collections, buffers, builders, setters). */
    private static final Set<String> MUTATOR_PREFIXES = Set.of("set", "add", "put", "append", "insert", "remove",
            "clear", "offer", "push", "poll", "delete", "replace", "flip", "compact", "rewind", "reset", "fill");
    /** Calls that fill an array or buffer given as an argument. */
    private static final Set<String> FILLING_CALLS = Set.of("read", "readFully", "readNBytes", "fill", "arraycopy",
            "get", "getBytes", "getChars", "receive");

    @Override
    public void check(JavaProgram program, RuleContext context) {
        JavaConcurrency facts = JavaConcurrency.of(program);
        for (StartSite s : facts.starts()) {
            ASTNode loop = s.loop();
            if (loop == null) {
                continue;
            }
            Map<IVariableBinding, SimpleName> captured = captured(program, s);
            for (Map.Entry<IVariableBinding, SimpleName> c : captured.entrySet()) {
                IVariableBinding v = c.getKey();
                if (!v.isField() && declaredInside(program, v, loop)) {
                    continue; // a fresh variable per iteration
                }
                // a boolean field the loop sets is a flag (running, idle), not a value handed to the task
                boolean flag = v.getType() != null && v.getType().getName().equals("boolean");
                ASTNode write = v.isField() && !Modifier.isFinal(v.getModifiers()) && !flag ? reassignment(loop, s, v)
                        : null;
                if (write != null && underLock(write)) {
                    continue; // state the object guards with a lock, not a value handed to the task
                }
                boolean reassigned = write != null;
                if (write == null) {
                    write = mutation(program, loop, s, v);
                }
                if (write == null) {
                    continue;
                }
                report(program, context, s, v, c.getValue(), write, reassigned);
                break; // one finding per start site
            }
        }
    }

    /** Whether {@code node} runs with a lock held: synchronized, try (lock.lock()), or after lock() in its block. */
    static boolean underLock(ASTNode node) {
        for (ASTNode p = node; p != null; p = p.getParent()) {
            if (p instanceof org.eclipse.jdt.core.dom.SynchronizedStatement) {
                return true;
            }
            if (p instanceof MethodDeclaration m) {
                return Modifier.isSynchronized(m.getModifiers());
            }
            if (p instanceof org.eclipse.jdt.core.dom.TryStatement t) {
                for (Object r : t.resources()) {
                    if (r.toString().contains(".lock()")) {
                        return true;
                    }
                }
                if (t.getParent() instanceof Block b) {
                    int i = b.statements().indexOf(t);
                    if (i > 0 && b.statements().get(i - 1) instanceof org.eclipse.jdt.core.dom.ExpressionStatement es
                            && es.getExpression() instanceof MethodInvocation mi
                            && mi.getName().getIdentifier().startsWith("lock")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The variables (locals and fields) the task's code reads that were not made for it. */
    private static Map<IVariableBinding, SimpleName> captured(JavaProgram program, StartSite s) {
        Map<IVariableBinding, SimpleName> out = new LinkedHashMap<>();
        List<ASTNode> scan = new ArrayList<>();
        ASTNode task = s.task();
        if (task instanceof ClassInstanceCreation c) {
            scan.addAll(c.arguments());
            if (c.getAnonymousClassDeclaration() != null) {
                scan.add(c.getAnonymousClassDeclaration());
            }
        } else if (s.body() != null) {
            scan.add(s.body());
        } else if (s.bodyMethod() != null && s.thisShared()) {
            scan.add(s.bodyMethod().getBody()); // a method reference on a shared object reads its fields
        }
        if (s.site() instanceof ClassInstanceCreation c && c != task) {
            scan.addAll(c.arguments());
        }
        for (ASTNode n : scan) {
            n.accept(new ASTVisitor() {
                @Override
                public boolean visit(SimpleName name) {
                    if (name.isDeclaration() || !(name.resolveBinding() instanceof IVariableBinding v) || copied(name)) {
                        return false;
                    }
                    v = v.getVariableDeclaration();
                    if (v.isField()) {
                        ASTNode p = name.getParent();
                        boolean viaThis = !(p instanceof QualifiedName q && q.getName() == name)
                                && !(p instanceof FieldAccess fa && fa.getName() == name
                                        && !(fa.getExpression() instanceof ThisExpression));
                        if (viaThis || Modifier.isStatic(v.getModifiers())) {
                            out.putIfAbsent(v, name);
                        }
                    } else if (!Nodes.within(declaration(program, v, name), n)) {
                        out.putIfAbsent(v, name);
                    }
                    return false;
                }
            });
        }
        return out;
    }

    /** {@code x.clone()}, {@code Arrays.copyOf(x, n)}, {@code new ArrayList<>(x)}: the task gets a copy, not x. */
    private static boolean copied(SimpleName name) {
        ASTNode p = name.getParent();
        if (p instanceof MethodInvocation mi) {
            String n = mi.getName().getIdentifier();
            return n.equals("clone") && mi.getExpression() == name || n.startsWith("copyOf") || n.equals("toArray")
                    && mi.getExpression() == name;
        }
        if (p instanceof ClassInstanceCreation c && c.arguments().size() == 1) {
            org.eclipse.jdt.core.dom.ITypeBinding t = c.resolveTypeBinding();
            return t != null && t.getErasure().getQualifiedName().startsWith("java.util.");
        }
        return false;
    }

    private static ASTNode declaration(JavaProgram program, IVariableBinding v, ASTNode from) {
        return ((org.eclipse.jdt.core.dom.CompilationUnit) from.getRoot()).findDeclaringNode(v);
    }

    private static boolean declaredInside(JavaProgram program, IVariableBinding v, ASTNode loop) {
        ASTNode d = ((org.eclipse.jdt.core.dom.CompilationUnit) loop.getRoot()).findDeclaringNode(v);
        if (d == null) {
            return true; // not found: say nothing
        }
        if (Nodes.within(d, loop)) {
            // the header of a for-each or a for is shared by all iterations only for a plain for's counter
            ASTNode header = loop instanceof ForStatement f ? f : null;
            return header == null || !f(loop).initializers().stream().anyMatch(i -> Nodes.within(d, (ASTNode) i));
        }
        return false;
    }

    private static ForStatement f(ASTNode loop) {
        return (ForStatement) loop;
    }

    /** An assignment of field {@code v} in the loop, outside the task: the field is reassigned per iteration. */
    private static ASTNode reassignment(ASTNode loop, StartSite s, IVariableBinding v) {
        ASTNode[] found = {null};
        loop.accept(new ASTVisitor() {
            @Override
            public boolean preVisit2(ASTNode node) {
                return found[0] == null && node != s.task() && !(node instanceof org.eclipse.jdt.core.dom.LambdaExpression
                        && node != loop && node.getParent() != null && isTaskOfAnyStart(node));
            }

            private boolean isTaskOfAnyStart(ASTNode node) {
                return node == s.task();
            }

            @Override
            public boolean visit(Assignment a) {
                if (Nodes.same(Nodes.variable(a.getLeftHandSide()), v)) {
                    found[0] = a;
                }
                return true;
            }
        });
        return found[0];
    }

    /** A write into the object {@code v} refers to, in the loop and outside the task. */
    private static ASTNode mutation(JavaProgram program, ASTNode loop, StartSite s, IVariableBinding v) {
        if (v.getType() == null || v.getType().isPrimitive() || isImmutable(v)) {
            return null;
        }
        ASTNode[] found = {null};
        loop.accept(new ASTVisitor() {
            @Override
            public boolean preVisit2(ASTNode node) {
                return found[0] == null && node != s.task();
            }

            @Override
            public boolean visit(Assignment a) {
                Expression lhs = Nodes.strip(a.getLeftHandSide());
                Expression target = lhs instanceof FieldAccess fa ? fa.getExpression()
                        : lhs instanceof QualifiedName q ? q.getQualifier()
                                : lhs instanceof ArrayAccess aa ? aa.getArray() : null;
                if (target != null && Nodes.same(Nodes.variable(target), v)) {
                    found[0] = a;
                }
                return true;
            }

            @Override
            public boolean visit(PostfixExpression p) {
                checkElement(p.getOperand(), p);
                return true;
            }

            @Override
            public boolean visit(PrefixExpression p) {
                if (p.getOperator() == PrefixExpression.Operator.INCREMENT
                        || p.getOperator() == PrefixExpression.Operator.DECREMENT) {
                    checkElement(p.getOperand(), p);
                }
                return true;
            }

            private void checkElement(Expression operand, ASTNode at) {
                Expression o = Nodes.strip(operand);
                Expression target = o instanceof ArrayAccess aa ? aa.getArray()
                        : o instanceof QualifiedName q ? q.getQualifier() : o instanceof FieldAccess fa
                                ? fa.getExpression() : null;
                if (target != null && Nodes.same(Nodes.variable(target), v)) {
                    found[0] = at;
                }
            }

            @Override
            public boolean visit(MethodInvocation mi) {
                String n = mi.getName().getIdentifier();
                if (mi.getExpression() != null && Nodes.same(Nodes.variable(mi.getExpression()), v)
                        && mutates(program, mi, n)) {
                    found[0] = mi;
                }
                if (FILLING_CALLS.contains(n)) {
                    for (Object a : mi.arguments()) {
                        if (Nodes.same(Nodes.variable((Expression) a), v)) {
                            found[0] = mi;
                        }
                    }
                }
                return true;
            }
        });
        return found[0];
    }

    private static boolean mutates(JavaProgram program, MethodInvocation mi, String name) {
        for (String p : MUTATOR_PREFIXES) {
            if (name.startsWith(p) && (name.length() == p.length() || Character.isUpperCase(name.charAt(p.length()))
                    || name.equals(p))) {
                return true;
            }
        }
        // a method of the analyzed sources that assigns one of its object's fields
        IMethodBinding b = mi.resolveMethodBinding();
        MethodDeclaration m = program.method(b);
        if (m == null || Modifier.isStatic(m.getModifiers())) {
            return false;
        }
        boolean[] assigns = {false};
        m.getBody().accept(new ASTVisitor() {
            @Override
            public boolean visit(Assignment a) {
                IVariableBinding t = Nodes.variable(a.getLeftHandSide());
                if (t != null && t.isField() && !Modifier.isStatic(t.getModifiers())) {
                    assigns[0] = true;
                }
                return true;
            }
        });
        return assigns[0];
    }

    private static boolean isImmutable(IVariableBinding v) {
        String q = v.getType().getErasure().getQualifiedName();
        return q.equals("java.lang.String") || q.startsWith("java.lang.") && !q.equals("java.lang.StringBuilder")
                && !q.equals("java.lang.StringBuffer") && !q.equals("java.lang.Object") || v.getType().isRecord()
                || v.getType().isEnum();
    }

    private static ASTNode loopBody(ASTNode loop) {
        if (loop instanceof WhileStatement w) {
            return w.getBody();
        }
        if (loop instanceof ForStatement f) {
            return f.getBody();
        }
        if (loop instanceof EnhancedForStatement f) {
            return f.getBody();
        }
        if (loop instanceof DoStatement d) {
            return d.getBody();
        }
        return null;
    }

    private void report(JavaProgram program, RuleContext context, StartSite s, IVariableBinding v, SimpleName read,
            ASTNode write, boolean reassigned) {
        String what = s.kind() == interleave.engine.concurrency.EntryPoint.Kind.THREAD ? "thread" : "task";
        String type = v.getType() == null ? "object" : v.getType().getErasure().getName();
        String msg;
        if (reassigned) {
            msg = "Every " + what + " started in this loop reads the field '" + v.getName() + "', which the loop"
                    + " assigns again for the next iteration: an earlier " + what + " that runs late sees the next"
                    + " iteration's " + type + " (one holder shared by all, like &connfd in a C server); give each "
                    + what + " its own copy, taken before it starts";
        } else {
            msg = "Every " + what + " started in this loop gets the same " + type + " '" + v.getName()
                    + "', and the loop writes into it again for the next iteration while earlier " + what
                    + "s may still be reading it (one holder shared by all, like &connfd in a C server); give each "
                    + what + " a fresh object or an immutable copy";
        }
        List<RelatedLocation> notes = new ArrayList<>();
        ASTNode decl = v.isField() ? program.field(v)
                : ((org.eclipse.jdt.core.dom.CompilationUnit) s.site().getRoot()).findDeclaringNode(v);
        if (decl != null && program.unit(decl) != null) {
            notes.add(new RelatedLocation(program.range(decl), (v.isField() ? "field " : "declared once, outside the"
                    + " loop: ") + v.getName()));
        }
        notes.add(new RelatedLocation(program.range(write), "the loop writes it here, for the next iteration"));
        notes.add(new RelatedLocation(program.range(read), "the " + what + " reads it here, whenever it gets to run"));
        List<Fix> fixes = new ArrayList<>();
        Fix fix = reassigned ? localCopyFix(program, s, v) : freshPerIterationFix(program, s, v);
        if (fix != null) {
            fixes.add(fix);
        }
        Fix copy = reassigned ? null : copyPerTaskFix(program, s, v);
        if (copy != null) {
            fixes.add(copy);
        }
        ASTNode at = s.site();
        MethodDeclaration m = JavaConcurrency.enclosingMethod(at);
        context.report(Finding.of(ID, Severity.ERROR, msg, program.range(at), notes, fixes,
                (m == null ? "" : JavaConcurrency.name(m)) + "|" + v.getName()));
    }

    /**
     * For a field the loop reassigns: a final local of the same name just before the start statement, so the task
     * captures this iteration's value (the local shadows the field in the task's code).
     */
    private static Fix localCopyFix(JavaProgram program, StartSite s, IVariableBinding v) {
        if (!(s.task() instanceof org.eclipse.jdt.core.dom.LambdaExpression)) {
            return null;
        }
        Statement st = Nodes.statementInBlock(s.site(), s.loop());
        if (st == null || !Nodes.within(st, s.loop())) {
            return null;
        }
        Block block = (Block) st.getParent();
        // no later statement of the block may assign the field: it would assign the final local instead
        int after = block.statements().indexOf(st);
        for (int i = after; i < block.statements().size(); i++) {
            ASTNode later = (ASTNode) block.statements().get(i);
            boolean[] assigns = {false};
            later.accept(new ASTVisitor() {
                @Override
                public boolean visit(Assignment a) {
                    if (Nodes.same(Nodes.variable(a.getLeftHandSide()), v)) {
                        assigns[0] = true;
                    }
                    return true;
                }
            });
            if (assigns[0] || declaresName(later, v.getName())) {
                return null;
            }
        }
        String text = program.unit(st).source().text();
        String indent = Nodes.indentAt(text, st.getStartPosition());
        String owner = Modifier.isStatic(v.getModifiers()) ? v.getDeclaringClass().getName() : "this";
        String decl = "final var " + v.getName() + " = " + owner + "." + v.getName() + "; // this iteration's value\n"
                + indent;
        String file = program.unit(st).path();
        return new Fix("Give each task its own copy: final var " + v.getName() + " = " + owner + "." + v.getName()
                + "; before it starts", List.of(TextEdit.insert(file, st.getStartPosition(), decl)));
    }

    /** {@code h.x = ...} or {@code h[i] = ...}: the use writes into the object before anything reads it. */
    private static boolean isWrittenThrough(SimpleName use) {
        ASTNode p = use.getParent();
        ASTNode access = p instanceof QualifiedName q && q.getQualifier() == use ? q
                : p instanceof FieldAccess fa && fa.getExpression() == use ? fa
                        : p instanceof ArrayAccess aa && aa.getArray() == use ? aa : null;
        return access != null && access.getParent() instanceof Assignment a && a.getLeftHandSide() == access
                && a.getOperator() == Assignment.Operator.ASSIGN;
    }

    /** A copy of a collection or array that keeps its elements (nulls included), or null for other types. */
    private static String copyOf(IVariableBinding v, String expr) {
        org.eclipse.jdt.core.dom.ITypeBinding t = v.getType();
        if (t.isArray()) {
            return expr + ".clone()";
        }
        if (interleave.java.facts.Types.isA(t, "java.util.List")) {
            return "new java.util.ArrayList<>(" + expr + ")";
        }
        if (interleave.java.facts.Types.isA(t, "java.util.Set")) {
            return "new java.util.LinkedHashSet<>(" + expr + ")";
        }
        if (interleave.java.facts.Types.isA(t, "java.util.Map")) {
            return "new java.util.LinkedHashMap<>(" + expr + ")";
        }
        return null;
    }

    /**
     * For a local collection or array the loop keeps filling: each task gets a copy taken when it starts. An argument
     * of {@code new Handler(buf)} is copied in place; a lambda gets a final local copy just before the start
     * statement, and its uses of the variable read the copy.
     */
    private static Fix copyPerTaskFix(JavaProgram program, StartSite s, IVariableBinding v) {
        if (v.isField() || copyOf(v, v.getName()) == null) {
            return null;
        }
        String file = program.unit(s.site()).path();
        if (s.task() instanceof ClassInstanceCreation c && c.getAnonymousClassDeclaration() == null
                || s.site() instanceof ClassInstanceCreation c2 && s.task() == c2) {
            ClassInstanceCreation c = (ClassInstanceCreation) s.task();
            List<TextEdit> edits = new ArrayList<>();
            for (Object a : c.arguments()) {
                if (Nodes.same(Nodes.variable((Expression) a), v)) {
                    ASTNode arg = (ASTNode) a;
                    edits.add(new TextEdit(file, arg.getStartPosition(), arg.getStartPosition() + arg.getLength(),
                            copyOf(v, v.getName())));
                }
            }
            return edits.isEmpty() || edits.size() != Nodes.uses(c, v).size() ? null
                    : new Fix("Hand each task its own copy: " + copyOf(v, v.getName()), edits);
        }
        if (!(s.task() instanceof org.eclipse.jdt.core.dom.LambdaExpression lambda)) {
            return null;
        }
        Statement st = Nodes.statementInBlock(s.site(), s.loop());
        MethodDeclaration m = JavaConcurrency.enclosingMethod(s.site());
        String copyName = v.getName() + "ForTask";
        if (st == null || m == null || declaresName(m, copyName)) {
            return null;
        }
        String text = program.unit(st).source().text();
        String indent = Nodes.indentAt(text, st.getStartPosition());
        List<TextEdit> edits = new ArrayList<>();
        edits.add(TextEdit.insert(file, st.getStartPosition(), "final var " + copyName + " = "
                + copyOf(v, v.getName()) + "; // this task's own copy\n" + indent));
        for (SimpleName use : Nodes.uses(lambda.getBody(), v)) {
            edits.add(new TextEdit(file, use.getStartPosition(), use.getStartPosition() + use.getLength(), copyName));
        }
        return new Fix("Hand each task its own copy: final var " + copyName + " = " + copyOf(v, v.getName()) + ";",
                edits);
    }

    private static boolean declaresName(ASTNode node, String name) {
        boolean[] found = {false};
        node.accept(new ASTVisitor() {
            @Override
            public boolean visit(VariableDeclarationFragment f) {
                found[0] |= f.getName().getIdentifier().equals(name);
                return true;
            }
        });
        return found[0];
    }

    /**
     * For a local holder made once before the loop ({@code Holder h = new Holder();}) and used only in the loop: its
     * declaration moves to the top of the loop's body, so every iteration (and its task) gets a new object.
     */
    private static Fix freshPerIterationFix(JavaProgram program, StartSite s, IVariableBinding v) {
        ASTNode frag = ((org.eclipse.jdt.core.dom.CompilationUnit) s.site().getRoot()).findDeclaringNode(v);
        if (!(frag instanceof VariableDeclarationFragment f) || !(f.getParent() instanceof VariableDeclarationStatement d)
                || d.fragments().size() != 1 || !(d.getParent() instanceof Block outer)) {
            return null;
        }
        Expression init = f.getInitializer();
        if (!(init instanceof ClassInstanceCreation || init instanceof ArrayCreation)) {
            return null;
        }
        ASTNode body = loopBody(s.loop());
        if (!(body instanceof Block loopBlock) || loopBlock.statements().isEmpty()) {
            return null;
        }
        // every use must be inside the loop, and the loop must write the holder before it reads it
        List<SimpleName> uses = Nodes.uses(outer, v);
        for (SimpleName use : uses) {
            if (!Nodes.within(use, s.loop())) {
                return null;
            }
        }
        if (uses.isEmpty() || !isWrittenThrough(uses.get(0))) {
            return null; // the loop may read what the previous iteration left in it
        }
        String text = program.unit(d).source().text();
        int start = d.getStartPosition();
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
        int end = d.getStartPosition() + d.getLength();
        int lineEnd = text.indexOf('\n', end);
        boolean wholeLines = text.substring(lineStart, start).isBlank()
                && (lineEnd < 0 || text.substring(end, lineEnd).isBlank());
        int cutStart = wholeLines ? lineStart : start;
        int cutEnd = wholeLines ? (lineEnd < 0 ? text.length() : lineEnd + 1) : end;
        ASTNode first = (ASTNode) loopBlock.statements().get(0);
        String indent = Nodes.indentAt(text, first.getStartPosition());
        String moved = program.text(d) + "\n" + indent;
        String file = program.unit(d).path();
        return new Fix("Make a new " + v.getType().getName() + " in each iteration: move the declaration of "
                + v.getName() + " into the loop", List.of(new TextEdit(file, cutStart, cutEnd, ""),
                        TextEdit.insert(file, first.getStartPosition(), moved)));
    }
}
