package interleave.engine.c;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import interleave.engine.analysis.SourceFile;

/**
 * A node of the C syntax tree, copied out of tree-sitter once so that rules walk plain Java objects (tree-sitter's JNI
 * accessors cost microseconds each). Only named nodes are kept, plus anonymous tokens that fill a field (such as the
 * {@code operator} of {@code x++}). Kinds and field names are tree-sitter-c's.
 */
public final class SyntaxNode {
    private final SourceFile file;
    private final String kind;
    private final String field;
    private final int startByte;
    private final int endByte;
    private final boolean error;
    private final boolean missing;
    private SyntaxNode parent;
    private List<SyntaxNode> children = List.of();
    private int indexInParent;

    SyntaxNode(SourceFile file, String kind, String field, int startByte, int endByte, boolean error,
            boolean missing) {
        this.file = file;
        this.kind = kind;
        this.field = field;
        this.startByte = startByte;
        this.endByte = endByte;
        this.error = error;
        this.missing = missing;
    }

    void setChildren(List<SyntaxNode> kids) {
        this.children = kids.isEmpty() ? List.of() : Collections.unmodifiableList(new ArrayList<>(kids));
        for (int i = 0; i < kids.size(); i++) {
            kids.get(i).parent = this;
            kids.get(i).indexInParent = i;
        }
    }

    public SourceFile file() {
        return file;
    }

    public String kind() {
        return kind;
    }

    public boolean is(String k) {
        return kind.equals(k);
    }

    /** The field this node fills in its parent ({@code function}, {@code arguments}, ...) or null. */
    public String field() {
        return field;
    }

    public boolean isError() {
        return error;
    }

    public boolean isMissing() {
        return missing;
    }

    public SyntaxNode parent() {
        return parent;
    }

    public List<SyntaxNode> children() {
        return children;
    }

    public SyntaxNode child(String fieldName) {
        for (SyntaxNode c : children) {
            if (fieldName.equals(c.field)) {
                return c;
            }
        }
        return null;
    }

    public List<SyntaxNode> childrenOf(String fieldName) {
        List<SyntaxNode> out = new ArrayList<>();
        for (SyntaxNode c : children) {
            if (fieldName.equals(c.field)) {
                out.add(c);
            }
        }
        return out;
    }

    public SyntaxNode firstChildOfKind(String k) {
        for (SyntaxNode c : children) {
            if (c.kind.equals(k)) {
                return c;
            }
        }
        return null;
    }

    public SyntaxNode nextSibling() {
        return parent != null && indexInParent + 1 < parent.children.size() ? parent.children.get(indexInParent + 1)
                : null;
    }

    public int startChar() {
        return file.charOffset(startByte);
    }

    public int endChar() {
        return file.charOffset(endByte);
    }

    public String text() {
        return file.text().substring(startChar(), endChar());
    }

    public int line() {
        return file.lineOf(startChar());
    }

    public interleave.engine.finding.SourceRange range() {
        return file.range(startChar(), endChar());
    }

    /** True when {@code other} lies inside this node (or is it). */
    public boolean contains(SyntaxNode other) {
        return other.file == file && other.startByte >= startByte && other.endByte <= endByte;
    }

    public boolean startsBefore(SyntaxNode other) {
        return startByte < other.startByte;
    }

    public int startByte() {
        return startByte;
    }

    public int endByte() {
        return endByte;
    }

    /** The nearest ancestor (not this) of the given kind, or null. */
    public SyntaxNode ancestor(String k) {
        for (SyntaxNode p = parent; p != null; p = p.parent) {
            if (p.kind.equals(k)) {
                return p;
            }
        }
        return null;
    }

    /** Visits this node and every descendant in source order. */
    public void walk(Consumer<SyntaxNode> visitor) {
        // iterative: deeply nested expressions in generated code must not overflow the stack
        ArrayList<SyntaxNode> stack = new ArrayList<>();
        stack.add(this);
        while (!stack.isEmpty()) {
            SyntaxNode n = stack.remove(stack.size() - 1);
            visitor.accept(n);
            for (int i = n.children.size() - 1; i >= 0; i--) {
                stack.add(n.children.get(i));
            }
        }
    }

    /** Every descendant (and this) of the given kind, in source order. */
    public List<SyntaxNode> descendants(String k) {
        List<SyntaxNode> out = new ArrayList<>();
        walk(n -> {
            if (n.kind.equals(k)) {
                out.add(n);
            }
        });
        return out;
    }

    /** Parentheses and casts removed: {@code ((void *)&x)} gives the node of {@code &x}. */
    public SyntaxNode stripParensAndCasts() {
        SyntaxNode n = this;
        while (true) {
            if (n.is("parenthesized_expression") && n.children.size() == 1) {
                n = n.children.get(0);
            } else if (n.is("cast_expression") && n.child("value") != null) {
                n = n.child("value");
            } else {
                return n;
            }
        }
    }

    @Override
    public String toString() {
        return kind + "@" + file.path() + ":" + line();
    }
}
