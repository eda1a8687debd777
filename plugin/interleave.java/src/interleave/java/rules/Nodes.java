package interleave.java.rules;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.Block;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.FieldAccess;
import org.eclipse.jdt.core.dom.IBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.Name;
import org.eclipse.jdt.core.dom.ParenthesizedExpression;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.Statement;
import org.eclipse.jdt.core.dom.ThisExpression;

/** Small questions about JDT trees that several rules ask. */
final class Nodes {
    private Nodes() {
    }

    static Expression strip(Expression e) {
        while (e instanceof ParenthesizedExpression p) {
            e = p.getExpression();
        }
        return e;
    }

    /** Whether {@code inner} lies within {@code outer} (or is it). */
    static boolean within(ASTNode inner, ASTNode outer) {
        for (ASTNode p = inner; p != null; p = p.getParent()) {
            if (p == outer) {
                return true;
            }
        }
        return false;
    }

    /** The variable a simple name, {@code this.f} or {@code Type.f} denotes, or null. */
    static IVariableBinding variable(Expression e) {
        e = strip(e);
        IBinding b = e instanceof Name n ? n.resolveBinding()
                : e instanceof FieldAccess fa && fa.getExpression() instanceof ThisExpression
                        ? fa.resolveFieldBinding() : null;
        return b instanceof IVariableBinding v ? v.getVariableDeclaration() : null;
    }

    static boolean same(IVariableBinding a, IVariableBinding b) {
        return a != null && b != null && a.getVariableDeclaration().isEqualTo(b.getVariableDeclaration());
    }

    /** Every name in {@code root} that denotes {@code v}, in source order. */
    static List<SimpleName> uses(ASTNode root, IVariableBinding v) {
        List<SimpleName> out = new ArrayList<>();
        root.accept(new ASTVisitor() {
            @Override
            public boolean visit(SimpleName n) {
                if (!n.isDeclaration() && n.resolveBinding() instanceof IVariableBinding o && same(o, v)) {
                    out.add(n);
                }
                return false;
            }
        });
        return out;
    }

    /** The statement directly inside a block that contains {@code node}, stopping at {@code limit}; or null. */
    static Statement statementInBlock(ASTNode node, ASTNode limit) {
        for (ASTNode p = node; p != null && p != limit; p = p.getParent()) {
            if (p instanceof Statement s && p.getParent() instanceof Block) {
                return s;
            }
        }
        return null;
    }

    /** The indentation of the line {@code offset} is on. */
    static String indentAt(String text, int offset) {
        int start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
        int i = start;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return text.substring(start, i);
    }
}
