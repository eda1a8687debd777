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
 */
public record SharedAccess(EntryPoint entry, Variable variable, SourceRange site, boolean write,
        boolean readModifyWrite, boolean atomic, Set<LockRef> held, List<CallStep> chain) {

    /** A shared variable; {@code declaration} may be null when the front end cannot see it. */
    public record Variable(String key, String display, SourceRange declaration) {
        public Variable {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(display, "display");
        }
    }

    public SharedAccess {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(site, "site");
        held = Set.copyOf(held);
        chain = List.copyOf(chain);
    }
}
