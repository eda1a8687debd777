package interleave.engine.c.facts;

/**
 * Which lock an acquire or release names, as far as the source tells: a global ({@code &m1} is "m1", an element of a
 * global array {@code &locks[i]} is "locks[]"), a field of every object of a struct type ({@code &c->mutex} with
 * {@code c} a {@code struct conn *} is "struct conn->mutex"), a parameter of the function (resolved to the caller's
 * argument at each call), or something local the analysis cannot follow (unique to its function, so it never pairs
 * with another function's lock).
 *
 * @param kind    how the identity was found
 * @param key     what equality is decided on
 * @param display how the lock is named to the user
 * @param param   for {@link Kind#PARAM}: the parameter's index, else -1
 */
public record LockId(Kind kind, String key, String display, int param) {

    public enum Kind {
        GLOBAL, FIELD, PARAM, LOCAL
    }

    static LockId global(String key, String display) {
        return new LockId(Kind.GLOBAL, key, display, -1);
    }

    static LockId field(String type, String path) {
        path = path.startsWith("->") ? "." + path.substring(2) : path; // p->lock and s.lock: the same field
        String shown = type.equals("?") ? path.replaceFirst("^\\.", "") : "struct " + type + path;
        return new LockId(Kind.FIELD, type + path, shown, -1);
    }

    static LockId param(int index, String name) {
        return new LockId(Kind.PARAM, "#" + index, name, index);
    }

    static LockId local(String function, String text) {
        return new LockId(Kind.LOCAL, function + "|" + text, text, -1);
    }

    public boolean isParam() {
        return kind == Kind.PARAM;
    }

    /** True when the same identity in two functions means the same lock (globals and struct fields). */
    public boolean isProgramWide() {
        return kind == Kind.GLOBAL || kind == Kind.FIELD;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockId l && l.kind == kind && l.key.equals(key);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + key.hashCode();
    }

    @Override
    public String toString() {
        return display;
    }
}
