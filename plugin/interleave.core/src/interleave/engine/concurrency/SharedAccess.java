package interleave.engine.concurrency;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import interleave.engine.finding.SourceRange;

/**
 * One read or write of a variable that more than one entry point can reach (a global or static, a field of an object
 * shared between threads), with the locks held there.
 *
 * @param entry          the entry point this path starts from
 * @param variable       the variable: {@code key} identifies it program-wide, {@code display} is how the user
 *                       writes it ({@code cnt}, {@code Counter.count})
 * @param site           the access itself
 * @param write          whether it writes
 * @param readModifyWrite whether it reads and writes in one expression ({@code cnt++}, {@code count += n}): the
 *                       form that loses updates
 * @param atomic         whether the access is atomic by itself (C11 {@code _Atomic}, {@code AtomicInteger},
 *                       {@code __sync_*}); {@code volatile} alone is not
 * @param held           the locks held at the access
 * @param chain          the calls from the entry point to the access, outermost first
 * @param expression     for a write, the whole expression that writes as the user wrote it; null when not known
 */
public record SharedAccess(EntryPoint entry, Variable variable, SourceRange site, boolean write,
        boolean readModifyWrite, boolean atomic, Set<LockRef> held, List<CallStep> chain, Expression expression) {

    /**
     * A shared variable; {@code declaration} may be null when the front end cannot see it.
     *
     * @param declaredName     the name the declaration declares ({@code server} for {@code server.stat_x})
     * @param volatileDeclared declared {@code volatile} (which orders loads and stores but makes no update atomic)
     * @param localTo          for a {@code static} local, the function it is declared in; null otherwise
     */
    public record Variable(String key, String display, SourceRange declaration, String declaredName,
            boolean volatileDeclared, String localTo) {
        public Variable {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(display, "display");
            declaredName = declaredName == null ? display : declaredName;
        }

        public Variable(String key, String display, SourceRange declaration) {
            this(key, display, declaration, display, false, null);
        }
    }

    /**
     * The expression around a write: {@code cnt++}, {@code done = 1}, {@code count += n}.
     *
     * @param range    where it is
     * @param text     its text
     * @param constant for a plain store of a literal ({@code done = 1}, {@code stop = true}), the literal; else null.
     *                 Writers that all store the same constant lose nothing
     */
    public record Expression(SourceRange range, String text, String constant) {
        public Expression {
            Objects.requireNonNull(range, "range");
            Objects.requireNonNull(text, "text");
        }
    }

    public SharedAccess {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(site, "site");
        held = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(held));
        chain = List.copyOf(chain);
    }

    public SharedAccess(EntryPoint entry, Variable variable, SourceRange site, boolean write, boolean readModifyWrite,
            boolean atomic, Set<LockRef> held, List<CallStep> chain) {
        this(entry, variable, site, write, readModifyWrite, atomic, held, chain, null);
    }
}
