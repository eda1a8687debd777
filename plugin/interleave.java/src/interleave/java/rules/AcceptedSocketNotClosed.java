package interleave.java.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.AbstractTypeDeclaration;
import org.eclipse.jdt.core.dom.Assignment;
import org.eclipse.jdt.core.dom.Block;
import org.eclipse.jdt.core.dom.CatchClause;
import org.eclipse.jdt.core.dom.ClassInstanceCreation;
import org.eclipse.jdt.core.dom.CompilationUnit;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.ExpressionStatement;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.ITypeBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.LambdaExpression;
import org.eclipse.jdt.core.dom.MethodDeclaration;
import org.eclipse.jdt.core.dom.MethodInvocation;
import org.eclipse.jdt.core.dom.Modifier;
import org.eclipse.jdt.core.dom.ReturnStatement;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.SingleVariableDeclaration;
import org.eclipse.jdt.core.dom.Statement;
import org.eclipse.jdt.core.dom.TryStatement;
import org.eclipse.jdt.core.dom.Type;
import org.eclipse.jdt.core.dom.UnionType;
import org.eclipse.jdt.core.dom.VariableDeclarationExpression;
import org.eclipse.jdt.core.dom.VariableDeclarationFragment;
import org.eclipse.jdt.core.dom.VariableDeclarationStatement;

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
import interleave.java.facts.Types;

/**
 * A connection accepted from a {@code ServerSocket} (or {@code ServerSocketChannel}) that the code which owns it does
 * not close on every path: never, only when no exception comes first, or not in the thread or task it was handed to.
 */
@RuleInfo(id = AcceptedSocketNotClosed.ID, title = "Accepted socket not closed on every path",
        summary = "A socket returned by accept() is not closed on every path by the code that owns it (also when it is"
                + " handed to a thread or task), so each such client leaks a descriptor and never sees end-of-file.",
        severity = Severity.WARNING,
        concept = "Descriptors and their lifetime (every accepted connfd must be closed exactly once, by its owner)",
        references = {
                "CERT FIO04-J|https://wiki.sei.cmu.edu/confluence/display/java/FIO04-J.+Release+resources+when+they+are+no+longer+needed",
                "JLS 14.20.3 try-with-resources|https://docs.oracle.com/javase/specs/jls/se21/html/jls-14.html#jls-14.20.3",
                "CERT ERR05-J" },
        language = Language.JAVA)
public final class AcceptedSocketNotClosed implements JavaRule {
    public static final String ID = "accepted-socket-not-closed";
    private static final int MAX_DEPTH = 4;

    private enum Kind {
        CLOSED, ESCAPES, PARTIAL, NEVER
    }

    /** What happens to the socket in one piece of code; for PARTIAL and NEVER, where the fix would go. */
    private record Verdict(Kind kind, ASTNode evidence, ASTNode owner, String variable, String via) {
        static Verdict of(Kind k) {
            return new Verdict(k, null, null, null, null);
        }
    }

    @Override
    public void check(JavaProgram program, RuleContext context) {
        JavaConcurrency facts = JavaConcurrency.of(program);
        for (JavaProgram.Unit u : program.units()) {
            u.ast().accept(new ASTVisitor() {
                @Override
                public boolean visit(MethodInvocation mi) {
                    IMethodBinding b = mi.resolveMethodBinding();
                    if (b != null && b.getName().equals("accept") && mi.arguments().isEmpty()
                            && Types.isAny(b.getDeclaringClass(), "java.net.ServerSocket",
                                    "java.nio.channels.ServerSocketChannel")) {
                        checkAccept(program, facts, context, mi);
                    }
                    return true;
                }
            });
        }
    }

    private void checkAccept(JavaProgram program, JavaConcurrency facts, RuleContext context, MethodInvocation accept) {
        ASTNode p = accept.getParent();
        Verdict v;
        if (p instanceof VariableDeclarationFragment f) {
            if (f.getParent() instanceof VariableDeclarationExpression
                    && f.getParent().getParent() instanceof TryStatement) {
                return; // try (Socket s = listener.accept())
            }
            v = local(program, facts, f.resolveBinding(), f, 0);
        } else if (p instanceof Assignment a && a.getRightHandSide() == accept) {
            IVariableBinding target = Nodes.variable(a.getLeftHandSide());
            if (target == null || target.isField()) {
                return; // kept in a field: its owner is the object, not this code
            }
            // Socket conn; try { conn = listener.accept(); } ...: the socket lives as long as the variable
            ASTNode decl = ((org.eclipse.jdt.core.dom.CompilationUnit) a.getRoot()).findDeclaringNode(target);
            v = local(program, facts, target, decl != null ? decl : a, 0);
        } else if (p instanceof ExpressionStatement) {
            v = new Verdict(Kind.NEVER, null, null, null, null);
        } else if (p instanceof MethodInvocation || p instanceof ClassInstanceCreation) {
            v = argument(program, facts, p, accept, 0);
        } else {
            return;
        }
        if (v.kind() == Kind.CLOSED || v.kind() == Kind.ESCAPES) {
            return;
        }
        report(program, context, accept, v);
    }

    /** A local variable holding the socket, from {@code from} to the end of its scope. */
    private Verdict local(JavaProgram program, JavaConcurrency facts, IVariableBinding var, ASTNode from, int depth) {
        if (var == null) {
            return Verdict.of(Kind.ESCAPES);
        }
        ASTNode scope = from;
        while (scope != null && !(scope instanceof Block) && !(scope instanceof MethodDeclaration)
                && !(scope instanceof LambdaExpression)) {
            scope = scope.getParent();
        }
        return scope == null ? Verdict.of(Kind.ESCAPES) : closes(program, facts, scope, var, depth, null);
    }

    /** The socket passed straight to a method or constructor: what that code does with its parameter. */
    private Verdict argument(JavaProgram program, JavaConcurrency facts, ASTNode call, Expression arg, int depth) {
        List<?> args = call instanceof MethodInvocation mi ? mi.arguments() : ((ClassInstanceCreation) call).arguments();
        int index = args.indexOf(arg);
        IMethodBinding b = call instanceof MethodInvocation mi ? mi.resolveMethodBinding()
                : ((ClassInstanceCreation) call).resolveConstructorBinding();
        MethodDeclaration m = program.method(b);
        if (b != null && m == null && (b.getName().startsWith("close") || b.getName().equals("closeQuietly"))) {
            return Verdict.of(Kind.CLOSED);
        }
        if (m == null || index < 0 || index >= m.parameters().size() || depth > MAX_DEPTH) {
            return Verdict.of(Kind.ESCAPES); // library code: it may keep or close it
        }
        IVariableBinding param = ((SingleVariableDeclaration) m.parameters().get(index)).resolveBinding();
        if (m.isConstructor()) {
            // new Handler(socket): the constructor keeps it in a field, and the object's methods own it
            IVariableBinding field = fieldAssignedFrom(m, param);
            if (field != null && m.getParent() instanceof AbstractTypeDeclaration type) {
                Verdict v = closes(program, facts, type, field, depth + 1, null);
                if (v.kind() == Kind.NEVER || v.kind() == Kind.PARTIAL) {
                    MethodDeclaration run = runMethod(type);
                    return new Verdict(v.kind(), v.evidence(), run, field.getName(), type.getName() + "");
                }
                return v;
            }
        }
        Verdict v = closes(program, facts, m.getBody(), param, depth + 1, m);
        if (v.kind() == Kind.NEVER || v.kind() == Kind.PARTIAL) {
            // the first method handed the socket owns it (serve(conn)), not a helper it calls to read and write
            // (echoLines(conn)), which other callers use on sockets they close themselves
            return new Verdict(v.kind(), v.evidence(), m, param.getName(), JavaConcurrency.name(m));
        }
        return v;
    }

    private static MethodDeclaration runMethod(AbstractTypeDeclaration type) {
        for (Object o : type.bodyDeclarations()) {
            if (o instanceof MethodDeclaration m && m.getName().getIdentifier().equals("run")
                    && m.parameters().isEmpty() && m.getBody() != null) {
                return m;
            }
        }
        return null;
    }

    private static IVariableBinding fieldAssignedFrom(MethodDeclaration ctor, IVariableBinding param) {
        IVariableBinding[] out = {null};
        ctor.getBody().accept(new ASTVisitor() {
            @Override
            public boolean visit(Assignment a) {
                IVariableBinding t = Nodes.variable(a.getLeftHandSide());
                if (t != null && t.isField() && Nodes.same(Nodes.variable(a.getRightHandSide()), param)) {
                    out[0] = t;
                }
                return true;
            }
        });
        return out[0];
    }

    /**
     * Whether {@code region} closes the socket held in {@code var}: try-with-resources on it or on a stream made from
     * it, or {@code close()} in a {@code finally}. Handing it to a thread or task makes that code the owner.
     */
    private Verdict closes(JavaProgram program, JavaConcurrency facts, ASTNode region, IVariableBinding var,
            int depth, ASTNode owner) {
        Set<String> aliases = new HashSet<>(); // the socket and what is made from it (streams, readers)
        Set<String> roots = new HashSet<>(); // the socket itself, in this variable or a copy
        aliases.add(var.getVariableDeclaration().getKey());
        roots.add(var.getVariableDeclaration().getKey());
        Kind[] result = {Kind.NEVER};
        ASTNode[] evidence = {null};
        Verdict[] delegated = {null};
        region.accept(new ASTVisitor() {
            boolean alias(Expression e) {
                IVariableBinding b = Nodes.variable(e);
                return b != null && aliases.contains(b.getKey());
            }

            boolean root(Expression e) {
                IVariableBinding b = Nodes.variable(e);
                return b != null && roots.contains(b.getKey());
            }

            boolean mentions(ASTNode n) {
                boolean[] found = {false};
                n.accept(new ASTVisitor() {
                    @Override
                    public boolean visit(SimpleName s) {
                        if (s.resolveBinding() instanceof IVariableBinding b
                                && aliases.contains(b.getVariableDeclaration().getKey())) {
                            found[0] = true;
                        }
                        return false;
                    }
                });
                return found[0];
            }

            void closed() {
                result[0] = Kind.CLOSED;
            }

            @Override
            public boolean preVisit2(ASTNode node) {
                return result[0] != Kind.CLOSED && result[0] != Kind.ESCAPES;
            }

            @Override
            public boolean visit(VariableDeclarationFragment f) {
                // a stream or reader made from the socket: closing it closes the socket
                if (f.getInitializer() != null && mentions(f.getInitializer()) && f.resolveBinding() != null) {
                    aliases.add(f.resolveBinding().getVariableDeclaration().getKey());
                    if (root(f.getInitializer())) {
                        roots.add(f.resolveBinding().getVariableDeclaration().getKey());
                    }
                    if (f.getParent() instanceof VariableDeclarationExpression
                            && f.getParent().getParent() instanceof TryStatement) {
                        closed();
                        return false;
                    }
                }
                return true;
            }

            @Override
            public boolean visit(TryStatement t) {
                for (Object r : t.resources()) {
                    if (r instanceof Expression e && mentions(e)) {
                        closed();
                        return false;
                    }
                }
                return true;
            }

            @Override
            public boolean visit(LambdaExpression l) {
                JavaConcurrency.StartSite s = facts.startOfTask(l);
                if (s != null && mentions(l.getBody())) {
                    take(closes(program, facts, l.getBody(), var, depth + 1, l), l, "the task started here");
                    return false;
                }
                return true;
            }

            @Override
            public boolean visit(ClassInstanceCreation c) {
                for (Object a : c.arguments()) {
                    if (a instanceof Expression e && root(e) && depth <= MAX_DEPTH) {
                        take(argument(program, facts, c, e, depth), c, null);
                        return false;
                    }
                }
                if (c.getAnonymousClassDeclaration() != null && mentions(c.getAnonymousClassDeclaration())) {
                    result[0] = Kind.ESCAPES; // an anonymous class's methods own it: not followed
                    return false;
                }
                return true;
            }

            @Override
            public boolean visit(MethodInvocation mi) {
                if (mi.getExpression() != null && alias(mi.getExpression())
                        && mi.getName().getIdentifier().equals("close")) {
                    if (inFinally(mi, region)) {
                        closed();
                    } else if (evidence[0] == null) {
                        evidence[0] = mi;
                        result[0] = Kind.PARTIAL;
                    }
                    return false;
                }
                if (mi.getExpression() != null && root(mi.getExpression())
                        && mi.getName().getIdentifier().equals("register")) {
                    IMethodBinding rb = mi.resolveMethodBinding();
                    if (rb == null || Types.isAny(rb.getDeclaringClass(), "java.nio.channels.SelectableChannel",
                            "java.nio.channels.spi.AbstractSelectableChannel", "java.nio.channels.SocketChannel")) {
                        // registered with a selector: the event loop owns it and closes it through its key
                        result[0] = Kind.ESCAPES;
                        return false;
                    }
                }
                for (Object a : mi.arguments()) {
                    if (a instanceof Expression e && root(e)) {
                        take(argument(program, facts, mi, e, depth), mi, null);
                        return false;
                    }
                }
                return true;
            }

            private void take(Verdict v, ASTNode at, String via) {
                if (v.kind() == Kind.CLOSED || v.kind() == Kind.ESCAPES) {
                    result[0] = v.kind();
                } else if (delegated[0] == null) {
                    delegated[0] = new Verdict(v.kind(), v.evidence(), v.owner(), v.variable(),
                            v.via() != null ? v.via() : via);
                }
            }

            @Override
            public boolean visit(Assignment a) {
                if (root(a.getRightHandSide())) {
                    IVariableBinding t = Nodes.variable(a.getLeftHandSide());
                    if (t == null || t.isField()) {
                        result[0] = Kind.ESCAPES; // kept elsewhere
                    } else {
                        aliases.add(t.getKey());
                        roots.add(t.getKey());
                    }
                }
                return true;
            }

            @Override
            public boolean visit(ReturnStatement r) {
                if (r.getExpression() != null && root(r.getExpression())) {
                    result[0] = Kind.ESCAPES;
                }
                return true;
            }
        });
        if (result[0] == Kind.CLOSED || result[0] == Kind.ESCAPES) {
            return Verdict.of(result[0]);
        }
        if (delegated[0] != null) {
            return delegated[0];
        }
        if (result[0] == Kind.PARTIAL && !canThrowBefore(region, evidence[0])) {
            return Verdict.of(Kind.CLOSED); // nothing before close() can throw: it is reached on every path
        }
        return new Verdict(result[0], evidence[0], owner, var.getName(), null);
    }

    /** Whether a call or a throw that can skip {@code close} comes before it in {@code region}. */
    private static boolean canThrowBefore(ASTNode region, ASTNode close) {
        boolean[] found = {false};
        int at = close.getStartPosition();
        region.accept(new ASTVisitor() {
            @Override
            public boolean preVisit2(ASTNode n) {
                if (n.getStartPosition() >= at || found[0]) {
                    return false;
                }
                if (n instanceof MethodInvocation || n instanceof ClassInstanceCreation
                        || n instanceof org.eclipse.jdt.core.dom.ThrowStatement) {
                    found[0] = true;
                }
                return true;
            }
        });
        return found[0];
    }

    private static boolean inFinally(ASTNode node, ASTNode limit) {
        for (ASTNode p = node; p != null && p != limit; p = p.getParent()) {
            if (p.getParent() instanceof TryStatement t && t.getFinally() == p) {
                return true;
            }
        }
        return false;
    }

    private void report(JavaProgram program, RuleContext context, MethodInvocation accept, Verdict v) {
        String where = v.via() == null ? "" : ", neither here nor by " + v.via() + ", which it is handed to";
        String msg = v.kind() == Kind.PARTIAL
                ? "The socket returned by accept() here is closed only when nothing fails before close()" + where + ": an"
                        + " exception (a client that resets, a failed write) skips the close and leaks the"
                        + " connection's descriptor; close it on every path with try-with-resources"
                : "The socket returned by accept() here is never closed" + (v.via() == null ? "" : " by '"
                        + v.via() + "', which it is handed to") + ": every client leaks a descriptor, waits for an end-of-file that"
                        + " never comes, and the server eventually fails with 'Too many open files'; close it on"
                        + " every path with try-with-resources";
        List<RelatedLocation> notes = new ArrayList<>();
        if (v.owner() != null && program.unit(v.owner()) != null) {
            notes.add(new RelatedLocation(program.range(v.owner() instanceof MethodDeclaration m ? m.getName()
                    : v.owner()), "its owner" + (v.variable() == null ? "" : ", holding it as " + v.variable())
                    + ", does not close it on every path"));
        }
        if (v.evidence() != null) {
            notes.add(new RelatedLocation(program.range(v.evidence()), "closed here, but not in a finally block nor"
                    + " by try-with-resources"));
        }
        List<Fix> fixes = new ArrayList<>();
        Fix fix = tryWithResources(program, accept, v);
        if (fix != null) {
            fixes.add(fix);
        }
        MethodDeclaration m = JavaConcurrency.enclosingMethod(accept);
        context.report(Finding.of(ID, Severity.WARNING, msg, program.range(accept), notes, fixes,
                (m == null ? "" : JavaConcurrency.name(m)) + "|accept"));
    }

    /**
     * try-with-resources where it is mechanical: the socket's declaration and the rest of its block become
     * {@code try (Socket s = l.accept()) { ... }} (accept() already forces IOException to be handled there); or the
     * owner's body, a method that may throw IOException or a single try with an IOException catch, gets {@code try (s)}.
     */
    private static Fix tryWithResources(JavaProgram program, MethodInvocation accept, Verdict v) {
        String file = program.unit(accept).path();
        String text = program.unit(accept).source().text();
        if (v.owner() == null && accept.getParent() instanceof VariableDeclarationFragment f
                && f.getParent() instanceof VariableDeclarationStatement d && d.fragments().size() == 1
                && d.getParent() instanceof Block block) {
            List<?> stmts = block.statements();
            int i = stmts.indexOf(d);
            if (i == stmts.size() - 1) {
                return null;
            }
            Statement last = (Statement) stmts.get(stmts.size() - 1);
            String indent = Nodes.indentAt(text, d.getStartPosition());
            String decl = program.text(d);
            decl = decl.substring(0, decl.length() - 1).strip(); // without ';'
            int end = last.getStartPosition() + last.getLength();
            String inner = text.substring(((ASTNode) stmts.get(i + 1)).getStartPosition(), end);
            String body = inner.replace("\n", "\n    ");
            String replacement = "try (" + decl + ") {\n" + indent + "    " + body + "\n" + indent + "}";
            return new Fix("Close the socket on every path: try (" + decl + ") { ... }",
                    List.of(new TextEdit(file, d.getStartPosition(), end, replacement)));
        }
        if (!(v.owner() instanceof MethodDeclaration m) || m.getBody() == null || v.variable() == null) {
            return null;
        }
        String ownerFile = program.unit(m).path();
        String ownerText = program.unit(m).source().text();
        String var = v.variable();
        IMethodBinding mb = m.resolveBinding();
        boolean mayThrow = mb != null && java.util.Arrays.stream(mb.getExceptionTypes())
                .anyMatch(t -> Types.isA(t, "java.io.IOException") || t.getQualifiedName().equals("java.lang.Exception")
                        || t.getQualifiedName().equals("java.lang.Throwable"))
                && throwsIoSupertype(mb);
        // the resource must be final or effectively final: a parameter or a final field nobody reassigns
        if (!effectivelyFinal(m, var)) {
            return null;
        }
        List<?> stmts = m.getBody().statements();
        if (stmts.size() == 1 && stmts.get(0) instanceof TryStatement t && catchesIo(t)) {
            int at = t.getStartPosition() + 3; // after "try"
            String edit = t.resources().isEmpty() ? " (" + var + ")" : null;
            if (edit == null) {
                ASTNode firstRes = (ASTNode) t.resources().get(0);
                return new Fix("Close the socket on every path: add " + var + " to the try's resources",
                        List.of(TextEdit.insert(ownerFile, firstRes.getStartPosition(), var + "; ")));
            }
            return new Fix("Close the socket on every path: try (" + var + ") around the handler's body",
                    List.of(TextEdit.insert(ownerFile, at, edit)));
        }
        if (mayThrow && !stmts.isEmpty()) {
            Statement first = (Statement) stmts.get(0);
            Statement last = (Statement) stmts.get(stmts.size() - 1);
            String indent = Nodes.indentAt(ownerText, first.getStartPosition());
            int end = last.getStartPosition() + last.getLength();
            String inner = ownerText.substring(first.getStartPosition(), end).replace("\n", "\n    ");
            return new Fix("Close the socket on every path: try (" + var + ") around the handler's body",
                    List.of(new TextEdit(ownerFile, first.getStartPosition(), end, "try (" + var + ") {\n" + indent
                            + "    " + inner + "\n" + indent + "}")));
        }
        return null;
    }

    private static boolean throwsIoSupertype(IMethodBinding mb) {
        for (ITypeBinding t : mb.getExceptionTypes()) {
            String q = t.getErasure().getQualifiedName();
            if (q.equals("java.io.IOException") || q.equals("java.lang.Exception") || q.equals("java.lang.Throwable")) {
                return true;
            }
        }
        return false;
    }

    private static boolean catchesIo(TryStatement t) {
        for (Object o : t.catchClauses()) {
            Type type = ((CatchClause) o).getException().getType();
            List<Type> types = type instanceof UnionType u ? u.types() : List.of(type);
            for (Type x : types) {
                ITypeBinding b = x.resolveBinding();
                if (b != null && (b.getQualifiedName().equals("java.io.IOException")
                        || b.getQualifiedName().equals("java.lang.Exception")
                        || b.getQualifiedName().equals("java.lang.Throwable"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean effectivelyFinal(MethodDeclaration m, String var) {
        for (Object o : m.parameters()) {
            SingleVariableDeclaration p = (SingleVariableDeclaration) o;
            if (p.getName().getIdentifier().equals(var)) {
                IVariableBinding b = p.resolveBinding();
                return b != null && (b.isEffectivelyFinal() || Modifier.isFinal(b.getModifiers()));
            }
        }
        // a field of the handler: must be final
        ASTNode type = m.getParent();
        if (type instanceof AbstractTypeDeclaration t) {
            for (Object o : t.bodyDeclarations()) {
                if (o instanceof org.eclipse.jdt.core.dom.FieldDeclaration f && Modifier.isFinal(f.getModifiers())) {
                    for (Object fr : f.fragments()) {
                        if (((VariableDeclarationFragment) fr).getName().getIdentifier().equals(var)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    @SuppressWarnings("unused")
    private static CompilationUnit unit(ASTNode n) {
        return (CompilationUnit) n.getRoot();
    }
}
