package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.Scopes;
import interleave.engine.c.Storage;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;

/**
 * Reads and writes of shared variables (file-scope and {@code static} locals, and fields of global structs or of
 * what a global pointer points to), each with the locks held and the entry point it runs from (see
 * {@link LockFacts}). Left out, because they are not plain shared data: thread-local, {@code const}, atomic and
 * {@code sig_atomic_t} variables, locks themselves, accesses through an atomic builtin ({@code __atomic_*},
 * {@code __sync_*}, {@code atomic_*} and macros named like them), and accesses whose address is taken or that index an
 * array (one slot per thread is the usual pattern and cannot be told apart).
 */
public final class SharedAccesses {

    private static final Pattern ATOMIC_CALL = Pattern.compile("(?i).*atomic.*|__sync_\\w+|Interlocked\\w+");

    /**
     * One access as written in a function.
     *
     * @param node            the accessed expression ({@code cnt}, {@code server.stat_x})
     * @param identifier      the variable's identifier in it
     * @param key             the location: the variable's identity and the field path
     * @param display         the location as the user wrote it ({@code server.stat_x})
     * @param global          the file-scope variable, or null for a {@code static} local
     * @param write           a store ({@code =}, {@code +=}, {@code ++})
     * @param readModifyWrite {@code x++}, {@code --x}, {@code x += k}: load, compute, store
     * @param atomic          done through an atomic builtin or on an atomic variable
     */
    public record Access(SyntaxNode node, SyntaxNode identifier, CFunction function, String key, String display,
            GlobalVariables.Global global, boolean write, boolean readModifyWrite, boolean atomic) {
    }

    private final Map<String, List<LockFacts.HeldAccess>> byLocation = new LinkedHashMap<>();
    private final Set<String> atomicLocations = new HashSet<>();

    public static SharedAccesses of(CProgram program) {
        return program.facts(SharedAccesses.class, SharedAccesses::new);
    }

    private SharedAccesses(CProgram program) {
        for (LockFacts.HeldAccess a : LockFacts.of(program).accesses()) {
            if (a.access().atomic()) {
                atomicLocations.add(a.access().key());
            }
            byLocation.computeIfAbsent(a.access().key(), k -> new ArrayList<>()).add(a);
        }
    }

    /** Every access to shared locations from entry points, grouped by location, in the order first reached. */
    public Map<String, List<LockFacts.HeldAccess>> byLocation() {
        return byLocation;
    }

    /** True when some access to the location goes through an atomic builtin: it is managed as an atomic. */
    public boolean accessedAtomically(String key) {
        return atomicLocations.contains(key);
    }

    /** The accesses written in one function's body, keyed by the identifier node of the variable. */
    static Map<SyntaxNode, Access> accessesIn(CFunction f, GlobalVariables globals) {
        Set<String> statics = new HashSet<>();
        Set<String> locals = new HashSet<>(f.parameters());
        for (SyntaxNode d : f.body().descendants("declaration")) {
            boolean isStatic = Scopes.hasStorageClass(d, "static");
            for (Scopes.Declared n : Scopes.declaredNames(d)) {
                (isStatic ? statics : locals).add(n.name());
            }
        }
        Map<SyntaxNode, Access> out = new LinkedHashMap<>();
        f.body().walk(id -> {
            if (!id.is("identifier")) {
                return;
            }
            String name = id.text();
            if (!statics.contains(name) && !globals.hasName(name)) {
                return;
            }
            if ("declarator".equals(id.field()) || "function".equals(id.field()) && id.parent().is("call_expression")) {
                return;
            }
            // resolving scopes is the costly part: only needed when a local of the same name exists
            boolean shadowable = statics.contains(name) || locals.contains(name);
            Access a = classify(f, id, globals, shadowable);
            if (a != null) {
                out.put(id, a);
            }
        });
        return out;
    }

    private static Access classify(CFunction f, SyntaxNode id, GlobalVariables globals, boolean shadowable) {
        Variable v = shadowable ? Scopes.resolve(id) : null;
        GlobalVariables.Global g = null;
        String key;
        String type;
        if (v == null && shadowable) {
            return null; // declared as a local somewhere in the function (e.g. inside #if), not resolved: a local
        }
        if (v == null || v.storage() == Storage.GLOBAL) {
            g = globals.lookup(id.text(), f.file());
            if (g == null) {
                return null;
            }
            if (v != null && v.declaration().parent() != null && !v.declaration().parent().is("translation_unit")
                    && !Scopes.hasStorageClass(v.declaration(), "extern")) {
                return null;
            }
            key = g.key();
            type = g.typeText();
            if (g.exempt()) {
                return null;
            }
        } else if (v.storage() == Storage.STATIC_LOCAL) {
            key = f.file().path() + "#" + f.name() + "|" + id.text();
            type = GlobalVariables.typeText(v.declaration());
            if (globals.isExemptType(type) || v.declaration().text().matches("(?s).*\\b(__thread|_Thread_local)\\b.*")) {
                return null;
            }
        } else {
            return null; // a local or parameter shadows the global
        }
        boolean atomic = globals.isAtomicType(type);
        // climb the field path: server.stat_x, gp->count; stop at an index (per-slot data is not told apart)
        SyntaxNode top = id;
        StringBuilder path = new StringBuilder();
        String tag = g != null ? g.structTag(globals) : globals.tagOf(type);
        while (true) {
            SyntaxNode p = top.parent();
            if (p == null) {
                break;
            }
            if (p.is("parenthesized_expression")) {
                top = p;
            } else if (p.is("field_expression") && p.child("argument") == top && p.child("field") != null) {
                String field = p.child("field").text();
                String ft = globals.fieldType(tag, field);
                if (ft != null && globals.isExemptType(ft)) {
                    return null; // a lock or an atomic inside the struct
                }
                path.append(p.child("operator").text()).append(field);
                tag = ft == null ? null : globals.tagOf(ft.replaceAll("\\[.*", ""));
                top = p;
            } else if (p.is("subscript_expression") && p.child("argument") == top) {
                return null;
            } else {
                break;
            }
        }
        SyntaxNode p = top.parent();
        if (p == null) {
            return null;
        }
        boolean write = false, rmw = false;
        switch (p.kind()) {
        case "pointer_expression" -> {
            return null; // &x escapes (to a lock call, memset, an atomic builtin ...), *x is the pointee
        }
        case "sizeof_expression", "alignof_expression", "offsetof_expression" -> {
            return null;
        }
        case "assignment_expression" -> {
            if (p.child("left") == top) {
                write = true;
                String op = p.child("operator") == null ? "=" : p.child("operator").text();
                rmw = !op.equals("=");
            }
        }
        case "update_expression" -> {
            write = true;
            rmw = true;
        }
        case "call_expression" -> {
            if (p.child("function") == top) {
                return null;
            }
        }
        case "argument_list" -> {
            SyntaxNode call = p.parent();
            SyntaxNode fn = call == null ? null : call.child("function");
            if (fn != null && ATOMIC_CALL.matcher(fn.text()).matches()) {
                atomic = true;
            }
        }
        default -> {
        }
        }
        if (path.length() > 0 && !atomic && g != null) {
            String firstField = path.toString().replaceFirst("^(\\.|->)", "").split("\\.|->")[0];
            String ft = globals.fieldType(g.structTag(globals), firstField);
            atomic = ft != null && globals.isAtomicType(ft);
        }
        return new Access(top, id, f, key + path, id.text() + path, g, write, rmw, atomic);
    }
}
