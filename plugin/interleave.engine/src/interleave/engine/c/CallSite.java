package interleave.engine.c;

import java.util.List;

/**
 * One call expression. {@code calleeName} is the called identifier ({@code printf}), or null for calls through
 * expressions ({@code ops->run(x)}, {@code (*fp)(x)}).
 */
public record CallSite(SyntaxNode call, String calleeName, List<SyntaxNode> arguments, CFunction caller) {

    public SyntaxNode argument(int i) {
        return i < arguments.size() ? arguments.get(i) : null;
    }

    /** The callee's name token (for locations). */
    public SyntaxNode calleeNode() {
        return call.child("function");
    }
}
