package interleave.java.fixes;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.Assignment;
import org.eclipse.jdt.core.dom.CompilationUnit;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.ExpressionStatement;
import org.eclipse.jdt.core.dom.FieldAccess;
import org.eclipse.jdt.core.dom.FieldDeclaration;
import org.eclipse.jdt.core.dom.IExtendedModifier;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.ImportDeclaration;
import org.eclipse.jdt.core.dom.Modifier;
import org.eclipse.jdt.core.dom.ParenthesizedExpression;
import org.eclipse.jdt.core.dom.PostfixExpression;
import org.eclipse.jdt.core.dom.PrefixExpression;
import org.eclipse.jdt.core.dom.QualifiedName;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.VariableDeclarationFragment;

import interleave.engine.finding.Fix;
import interleave.engine.finding.TextEdit;
import interleave.java.JavaProgram;

/**
 * The Java fix for an unsynchronized counter ({@code count++} on a plain or {@code volatile} int or long field):
 * the field becomes a final {@code AtomicInteger}/{@code AtomicLong} and every use in the analyzed files its atomic
 * counterpart ({@code ++} to {@code incrementAndGet()}, {@code +=} to {@code addAndGet}, reads to {@code get()}).
 * Offered only when every use can be rewritten so: an update computed from the old value ({@code c = c * 2}) stays
 * a read-modify-write and gets no fix. The rule that finds the race is written once over the neutral facts; it asks for
 * this fix through {@link JavaProgram#concurrencyFixes()}.
 */
public final class AtomicCounterFix {
    public static final String RULE = "unsynchronized-shared-write";

    private AtomicCounterFix() {
    }

    /** The fix for the field whose neutral key is {@code variableKey} ({@code field:pkg.Class.name}), if mechanical. */
    public static Optional<Fix> forVariable(JavaProgram program, String variableKey) {
        VariableDeclarationFragment decl = null;
        IVariableBinding field = null;
        for (JavaProgram.Unit u : program.units()) {
            VariableDeclarationFragment[] found = {null};
            u.ast().accept(new ASTVisitor() {
                @Override
                public boolean visit(VariableDeclarationFragment f) {
                    IVariableBinding b = f.resolveBinding();
                    if (b != null && b.isField() && variableKey.equals("field:" + key(b))) {
                        found[0] = f;
                    }
                    return true;
                }
            });
            if (found[0] != null) {
                decl = found[0];
                field = decl.resolveBinding();
                break;
            }
        }
        if (decl == null || !(decl.getParent() instanceof FieldDeclaration fd) || fd.fragments().size() != 1
                || Modifier.isFinal(fd.getModifiers())) {
            return Optional.empty();
        }
        String type = field.getType().getName();
        String atomic = type.equals("int") ? "AtomicInteger" : type.equals("long") ? "AtomicLong" : null;
        if (atomic == null) {
            return Optional.empty();
        }
        List<TextEdit> edits = new ArrayList<>();
        JavaProgram.Unit declUnit = program.unit(decl);
        // the declaration: modifiers without volatile, plus final, and the atomic with the old initial value
        StringBuilder mods = new StringBuilder();
        for (Object o : fd.modifiers()) {
            IExtendedModifier m = (IExtendedModifier) o;
            if (m instanceof Modifier mod && mod.isVolatile()) {
                continue;
            }
            mods.append(program.text((ASTNode) m)).append(' ');
        }
        mods.append("final ");
        String init = decl.getInitializer() == null ? "" : program.text(decl.getInitializer());
        int declStart = fd.modifiers().isEmpty() ? fd.getType().getStartPosition()
                : ((ASTNode) fd.modifiers().get(0)).getStartPosition();
        edits.add(new TextEdit(declUnit.path(), declStart, fd.getStartPosition() + fd.getLength(),
                mods + atomic + " " + field.getName() + " = new " + atomic + "(" + init + ");"));
        edits.add(importEdit(declUnit, atomic));
        for (JavaProgram.Unit u : program.units()) {
            List<TextEdit> uses = rewriteUses(program, u, field, decl);
            if (uses == null) {
                return Optional.empty();
            }
            edits.addAll(uses);
        }
        edits.removeIf(e -> e == null);
        return Optional.of(new Fix("Make " + field.getName() + " an " + atomic + " (count++ becomes incrementAndGet(),"
                + " one atomic step)", edits));
    }

    private static String key(IVariableBinding v) {
        return (v.getDeclaringClass() == null ? "?" : v.getDeclaringClass().getErasure().getQualifiedName()) + "."
                + v.getName();
    }

    private static TextEdit importEdit(JavaProgram.Unit u, String atomic) {
        CompilationUnit cu = u.ast();
        for (Object o : cu.imports()) {
            String name = ((ImportDeclaration) o).getName().getFullyQualifiedName();
            if (name.equals("java.util.concurrent.atomic." + atomic)
                    || name.equals("java.util.concurrent.atomic") && ((ImportDeclaration) o).isOnDemand()) {
                return null;
            }
        }
        String line = "import java.util.concurrent.atomic." + atomic + ";\n";
        if (!cu.imports().isEmpty()) {
            ASTNode last = (ASTNode) cu.imports().get(cu.imports().size() - 1);
            return TextEdit.insert(u.path(), last.getStartPosition() + last.getLength(), "\n" + line.strip());
        }
        if (cu.getPackage() != null) {
            ASTNode p = cu.getPackage();
            return TextEdit.insert(u.path(), p.getStartPosition() + p.getLength(), "\n\n" + line.strip());
        }
        return TextEdit.insert(u.path(), 0, line + "\n");
    }

    /** The edits for every use of the field in one file; null when one use cannot be made atomic. */
    private static List<TextEdit> rewriteUses(JavaProgram program, JavaProgram.Unit u, IVariableBinding field,
            VariableDeclarationFragment decl) {
        List<TextEdit> out = new ArrayList<>();
        boolean[] impossible = {false};
        u.ast().accept(new ASTVisitor() {
            @Override
            public boolean visit(SimpleName n) {
                if (n.isDeclaration() || !(n.resolveBinding() instanceof IVariableBinding b)
                        || !b.getVariableDeclaration().isEqualTo(field.getVariableDeclaration())) {
                    return false;
                }
                Expression ref = n;
                if (n.getParent() instanceof FieldAccess fa && fa.getName() == n
                        || n.getParent() instanceof QualifiedName q && q.getName() == n) {
                    ref = (Expression) n.getParent();
                }
                ASTNode top = ref;
                while (top.getParent() instanceof ParenthesizedExpression) {
                    top = top.getParent();
                }
                String r = program.text(ref);
                ASTNode p = top.getParent();
                boolean statement = p != null && p.getParent() instanceof ExpressionStatement;
                String replacement;
                ASTNode replaced;
                if (p instanceof PostfixExpression post) {
                    boolean inc = post.getOperator() == PostfixExpression.Operator.INCREMENT;
                    replacement = r + (statement ? inc ? ".incrementAndGet()" : ".decrementAndGet()"
                            : inc ? ".getAndIncrement()" : ".getAndDecrement()");
                    replaced = post;
                } else if (p instanceof PrefixExpression pre
                        && (pre.getOperator() == PrefixExpression.Operator.INCREMENT
                                || pre.getOperator() == PrefixExpression.Operator.DECREMENT)) {
                    boolean inc = pre.getOperator() == PrefixExpression.Operator.INCREMENT;
                    replacement = r + (inc ? ".incrementAndGet()" : ".decrementAndGet()");
                    replaced = pre;
                } else if (p instanceof Assignment a && a.getLeftHandSide() == top) {
                    String rhs = program.text(a.getRightHandSide());
                    if (mentions(a.getRightHandSide(), field)) {
                        impossible[0] = true; // c = c * 2: no single atomic call says that
                        return false;
                    }
                    if (a.getOperator() == Assignment.Operator.ASSIGN) {
                        replacement = r + ".set(" + rhs + ")";
                        if (!statement) {
                            impossible[0] = true; // x = (c = 5): set() has no value
                            return false;
                        }
                    } else if (a.getOperator() == Assignment.Operator.PLUS_ASSIGN) {
                        replacement = r + ".addAndGet(" + rhs + ")";
                    } else if (a.getOperator() == Assignment.Operator.MINUS_ASSIGN) {
                        replacement = r + ".addAndGet(-(" + rhs + "))";
                    } else {
                        impossible[0] = true;
                        return false;
                    }
                    replaced = a;
                } else {
                    replacement = r + ".get()";
                    replaced = ref;
                }
                out.add(new TextEdit(u.path(), replaced.getStartPosition(),
                        replaced.getStartPosition() + replaced.getLength(), replacement));
                return false;
            }

            @Override
            public boolean visit(VariableDeclarationFragment f) {
                // the declaration itself is rewritten separately; its initializer must not be visited
                return f != decl;
            }
        });
        return impossible[0] ? null : out;
    }

    private static boolean mentions(Expression e, IVariableBinding v) {
        boolean[] found = {false};
        e.accept(new ASTVisitor() {
            @Override
            public boolean visit(SimpleName n) {
                if (n.resolveBinding() instanceof IVariableBinding b
                        && b.getVariableDeclaration().isEqualTo(v.getVariableDeclaration())) {
                    found[0] = true;
                }
                return false;
            }
        });
        return found[0];
    }
}
