package interleave.engine.c;

/** Where a variable lives, which decides whether its address may outlive the code that took it. */
public enum Storage {
    /** A local without {@code static}: dies when its block ends, reused by the next loop iteration. */
    AUTOMATIC,
    /** A function parameter: automatic too, lives until the function returns. */
    PARAMETER,
    /** A {@code static} local: one object for the whole run, shared by every caller and thread. */
    STATIC_LOCAL,
    /** A file-scope variable. */
    GLOBAL;

    public boolean isAutomatic() {
        return this == AUTOMATIC || this == PARAMETER;
    }
}
