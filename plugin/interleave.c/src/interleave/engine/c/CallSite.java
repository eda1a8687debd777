package interleave.engine.c;

import java.util.List;

/**
 * One call expression. {@code calleeName} is the called identifier ({@code printf}), or null for calls through
 * expressions ({@code ops->run(x)}, {@code (*fp)(x)}).
 */
public record CallSite(SyntaxNode call, String calleeName, List<SyntaxNode> arguments, CFunction caller) {

    public SyntaxNode argument(int i) {
        return i >= 0 && i < arguments.size() ? arguments.get(i) : null;
    }

    /**
     * The function this call stands for, with the lecture's and UNP's error-checking wrappers unwrapped
     * ({@code Fork(...)} is {@code fork}); null for calls through expressions. See {@link Wrappers}.
     */
    public String function() {
        return Wrappers.unwrap(calleeName);
    }

    /** True when this call stands for one of the given functions (wrappers unwrapped). */
    public boolean calls(java.util.Set<String> functions) {
        String f = function();
        return f != null && functions.contains(f);
    }

    /** The callee's name token (for locations). */
    public SyntaxNode calleeNode() {
        return call.child("function");
    }
}
