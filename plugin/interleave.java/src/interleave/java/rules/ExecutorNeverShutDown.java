package interleave.java.rules;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.Assignment;
import org.eclipse.jdt.core.dom.Block;
import org.eclipse.jdt.core.dom.ClassInstanceCreation;
import org.eclipse.jdt.core.dom.DoStatement;
import org.eclipse.jdt.core.dom.EnhancedForStatement;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.ExpressionStatement;
import org.eclipse.jdt.core.dom.ForStatement;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.ITypeBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.LambdaExpression;
import org.eclipse.jdt.core.dom.MethodDeclaration;
import org.eclipse.jdt.core.dom.MethodInvocation;
import org.eclipse.jdt.core.dom.Modifier;
import org.eclipse.jdt.core.dom.ReturnStatement;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.Statement;
import org.eclipse.jdt.core.dom.ThrowStatement;
import org.eclipse.jdt.core.dom.TryStatement;
import org.eclipse.jdt.core.dom.VariableDeclarationExpression;
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
import interleave.java.facts.Types;

/**
 * A method makes a thread pool in a local variable and returns without shutting it down, or a {@code main} that
 * returns starts platform threads it never joins: the JVM stays up for threads nobody waits for, the Java side of
 * threads never joined or detached.
 */
@RuleInfo(id = ExecutorNeverShutDown.ID, title = "Executor never shut down, or threads of main never joined",
        summary = "A thread pool made in a method is never shut down (its idle non-daemon threads keep the JVM alive"
                + " after main returns, and every call leaks a pool), or main returns without joining the threads it"
                + " started.",
        severity = Severity.WARNING,
        concept = "Thread lifetime: every thread is joined or detached; every pool is shut down by its owner",
        references = {
                "CERT TPS00-J|https://wiki.sei.cmu.edu/confluence/display/java/TPS00-J.+Use+thread+pools+to+enable+graceful+degradation+of+service+during+traffic+bursts",
                "CERT FIO04-J|https://wiki.sei.cmu.edu/confluence/display/java/FIO04-J.+Release+resources+when+they+are+no+longer+needed",
                "JLS 12.8 Program Exit|https://docs.oracle.com/javase/specs/jls/se21/html/jls-12.html#jls-12.8",
                "ExecutorService (Java SE API)" },
        language = Language.JAVA)
public final class ExecutorNeverShutDown implements JavaRule {
    public static final String ID = "executor-never-shut-down";

    @Override
    public void check(JavaProgram program, RuleContext context) {
        for (MethodDeclaration m : program.methods()) {
            m.getBody().accept(new ASTVisitor() {
                @Override
                public boolean visit(LambdaExpression l) {
                    return false; // a lambda's locals belong to the lambda's own runs
                }

                @Override
                public boolean visit(org.eclipse.jdt.core.dom.AnonymousClassDeclaration a) {
                    return false;
                }

                @Override
                public boolean visit(VariableDeclarationFragment f) {
                    if (f.getInitializer() != null && makesPool(f.getInitializer()) && f.resolveBinding() != null
                            && !(f.getParent() instanceof VariableDeclarationExpression
                                    && f.getParent().getParent() instanceof TryStatement)) {
                        checkPool(program, context, m, f);
                    }
                    if (isMain(m) && f.getInitializer() != null && makesThread(f.getInitializer())
                            && f.resolveBinding() != null) {
                        checkThread(program, context, m, f);
                    }
                    return true;
                }
            });
        }
    }

    /** Executors.newFixedThreadPool(...) and friends, new ThreadPoolExecutor(...): pools of platform threads. */
    private static boolean makesPool(Expression e) {
        e = Nodes.strip(e);
        if (e instanceof MethodInvocation mi) {
            IMethodBinding b = mi.resolveMethodBinding();
            return b != null && "java.util.concurrent.Executors".equals(b.getDeclaringClass().getQualifiedName())
                    && b.getName().startsWith("new") && !b.getName().equals("newVirtualThreadPerTaskExecutor")
                    && !b.getName().equals("newWorkStealingPool") // daemon threads: the JVM does not wait for them
                    && !b.getName().equals("newThreadPerTaskExecutor")
                    && Types.isA(b.getReturnType(), "java.util.concurrent.ExecutorService");
        }
        if (e instanceof ClassInstanceCreation c) {
            ITypeBinding t = c.resolveTypeBinding();
            return Types.isA(t, "java.util.concurrent.ThreadPoolExecutor");
        }
        return false;
    }

    private static boolean makesThread(Expression e) {
        e = Nodes.strip(e);
        return e instanceof ClassInstanceCreation c && Types.isA(c.resolveTypeBinding(), "java.lang.Thread");
    }

    private static boolean isMain(MethodDeclaration m) {
        return m.getName().getIdentifier().equals("main") && Modifier.isStatic(m.getModifiers())
                && m.parameters().size() == 1;
    }

    /** How the method's code uses the variable: shut down or handed on (then someone else owns it). */
    private record Use(boolean released, boolean escapes, ASTNode lastUse) {
    }

    private static Use uses(MethodDeclaration m, IVariableBinding v, String... releasing) {
        boolean[] released = {false}, escapes = {false};
        ASTNode[] last = {null};
        List<String> names = List.of(releasing);
        m.getBody().accept(new ASTVisitor() {
            @Override
            public boolean visit(SimpleName n) {
                if (n.isDeclaration() || !(n.resolveBinding() instanceof IVariableBinding b) || !Nodes.same(b, v)) {
                    return false;
                }
                last[0] = n;
                ASTNode p = n.getParent();
                if (p instanceof MethodInvocation mi && mi.getExpression() == n) {
                    if (names.contains(mi.getName().getIdentifier())) {
                        released[0] = true;
                    }
                } else if (p instanceof MethodInvocation || p instanceof ClassInstanceCreation
                        || p instanceof ReturnStatement || p instanceof Assignment a && a.getRightHandSide() == n
                        || p instanceof VariableDeclarationFragment
                        || p instanceof TryStatement || p instanceof org.eclipse.jdt.core.dom.ArrayInitializer) {
                    escapes[0] = true; // handed on: whoever receives it owns it
                }
                return false;
            }
        });
        return new Use(released[0], escapes[0], last[0]);
    }

    private void checkPool(JavaProgram program, RuleContext context, MethodDeclaration m, VariableDeclarationFragment f) {
        IVariableBinding v = f.resolveBinding();
        Use use = uses(m, v, "shutdown", "shutdownNow", "close");
        if (use.released() || use.escapes()) {
            return;
        }
        String msg = isMain(m)
                ? "The pool '" + v.getName() + "' is never shut down: when main returns, its idle worker threads"
                        + " (not daemons) keep the JVM running for ever; call " + v.getName() + ".shutdown() once"
                        + " every task is submitted, or make it a try-with-resources resource"
                : "The pool '" + v.getName() + "' made here is never shut down: every call of "
                        + JavaConcurrency.name(m) + " leaves its worker threads alive (and they keep the JVM from"
                        + " exiting); call " + v.getName() + ".shutdown() once every task is submitted";
        List<Fix> fixes = new ArrayList<>();
        Fix fix = shutdownFix(program, f, v, use.lastUse());
        if (fix != null) {
            fixes.add(fix);
        }
        context.report(Finding.of(ID, Severity.WARNING, msg, program.range(f), List.of(), fixes,
                JavaConcurrency.name(m) + "|" + v.getName()));
    }

    /** {@code pool.shutdown();} after the statement of the declaring block that last uses the pool. */
    private static Fix shutdownFix(JavaProgram program, VariableDeclarationFragment f, IVariableBinding v, ASTNode last) {
        if (!(f.getParent() instanceof VariableDeclarationStatement d) || !(d.getParent() instanceof Block block)
                || last == null) {
            return null;
        }
        Statement st = null;
        for (ASTNode p = last; p != null && p != block; p = p.getParent()) {
            if (p instanceof Statement s && p.getParent() == block) {
                st = s;
            }
        }
        if (st == null || st instanceof ReturnStatement || st instanceof ThrowStatement || endsForever(st)) {
            return null;
        }
        String text = program.unit(st).source().text();
        String indent = Nodes.indentAt(text, st.getStartPosition());
        int end = st.getStartPosition() + st.getLength();
        return new Fix("Shut the pool down once every task is submitted: " + v.getName() + ".shutdown();",
                List.of(TextEdit.insert(program.unit(st).path(), end, "\n" + indent + v.getName() + ".shutdown();")));
    }

    /** A loop that never ends normally ({@code while (true)} without break): code after it is unreachable. */
    private static boolean endsForever(Statement s) {
        Expression cond = s instanceof WhileStatement w ? w.getExpression()
                : s instanceof DoStatement d ? d.getExpression() : s instanceof ForStatement f ? f.getExpression()
                        : null;
        boolean loop = s instanceof WhileStatement || s instanceof DoStatement || s instanceof ForStatement;
        if (!loop || cond != null && !"true".equals(cond.toString())) {
            return false;
        }
        boolean[] breaks = {false};
        s.accept(new ASTVisitor() {
            @Override
            public boolean visit(org.eclipse.jdt.core.dom.BreakStatement b) {
                breaks[0] = true;
                return false;
            }
        });
        return !breaks[0];
    }

    private void checkThread(JavaProgram program, RuleContext context, MethodDeclaration main,
            VariableDeclarationFragment f) {
        IVariableBinding v = f.resolveBinding();
        Use use = uses(main, v, "join", "setDaemon");
        if (use.released() || use.escapes() || !startsIt(main, v) || !returns(main)
                || JavaConcurrency.loopAround(f) != null) {
            return; // a thread per connection in an accept loop is meant to run on its own
        }
        String msg = "main returns without joining the thread '" + v.getName() + "' it started: nobody learns"
                + " whether it finished or failed, and the JVM silently waits for it (a non-daemon thread) after main"
                + " is gone; call " + v.getName() + ".join() before main returns, or make it a daemon if it may be"
                + " cut off";
        context.report(Finding.of(ID, Severity.NOTE, msg, program.range(f), List.of(new RelatedLocation(
                program.range(main.getName()), "main ends here without " + v.getName() + ".join()")), List.of(),
                "main|" + v.getName()));
    }

    private static boolean startsIt(MethodDeclaration m, IVariableBinding v) {
        boolean[] found = {false};
        m.getBody().accept(new ASTVisitor() {
            @Override
            public boolean visit(MethodInvocation mi) {
                if (mi.getName().getIdentifier().equals("start") && mi.getExpression() != null
                        && Nodes.same(Nodes.variable(mi.getExpression()), v)) {
                    found[0] = true;
                }
                return true;
            }
        });
        return found[0];
    }

    /** Whether main can end normally: its last statement is not an endless loop nor System.exit. */
    private static boolean returns(MethodDeclaration m) {
        List<?> stmts = m.getBody().statements();
        if (stmts.isEmpty()) {
            return true;
        }
        Statement last = (Statement) stmts.get(stmts.size() - 1);
        if (last instanceof TryStatement t) {
            List<?> inner = t.getBody().statements();
            last = inner.isEmpty() ? last : (Statement) inner.get(inner.size() - 1);
        }
        if (endsForever(last) || last instanceof ThrowStatement) {
            return false;
        }
        return !(last instanceof ExpressionStatement es && es.getExpression() instanceof MethodInvocation mi
                && mi.getName().getIdentifier().equals("exit"));
    }

    @SuppressWarnings("unused")
    private static boolean isLoop(ASTNode n) {
        return n instanceof WhileStatement || n instanceof ForStatement || n instanceof EnhancedForStatement
                || n instanceof DoStatement;
    }
}
