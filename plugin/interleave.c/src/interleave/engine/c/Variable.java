package interleave.engine.c;

/**
 * A declared variable as seen from one use.
 *
 * @param name        its identifier
 * @param storage     automatic, parameter, static local or global
 * @param declarator  the identifier node in its declaration
 * @param declaration the {@code declaration} (or {@code parameter_declaration}) node
 * @param typeText    the declaration's type as written ({@code int}, {@code struct args})
 * @param isArray     declared with {@code [...]}: its name is already an address
 * @param isPointer   declared with {@code *}
 */
public record Variable(String name, Storage storage, SyntaxNode declarator, SyntaxNode declaration, String typeText,
        boolean isArray, boolean isPointer) {

    /** True for the integer types whose values fit in {@code intptr_t} on the platforms the lecture uses. */
    public boolean isIntegerScalar() {
        if (isArray || isPointer) {
            return false;
        }
        String t = typeText.replace("const ", "").replace("volatile ", "").trim();
        return t.matches("(unsigned |signed )?(char|short|int|long|long long|long int|short int)|unsigned|signed"
                + "|size_t|ssize_t|pid_t|off_t|u?int(8|16|32|64)?_t|u?intptr_t|socklen_t|sig_atomic_t|bool|_Bool");
    }
}
