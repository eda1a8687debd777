package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.c.CProgram;
import interleave.engine.c.Scopes;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;

/**
 * The file-scope variables of the analyzed files, the fields of their struct types, and the few macros that change
 * what a declaration means ({@code #define redisAtomic _Atomic}) or what a call does
 * ({@code #define STATS_LOCK() pthread_mutex_lock(&stats_lock)}). Shared variables and lock identities are looked up
 * here; the preprocessor is not run, so only these simple macro shapes are understood.
 */
public final class GlobalVariables {

    /** Types whose objects are synchronization objects or are meant for lock-free flags, not shared data. */
    private static final Pattern SYNC_TYPE = Pattern.compile(
            "\\b(pthread_(mutex|rwlock|spinlock|cond|barrier|once|key|attr|mutexattr|t)_?t?|sem_t|mtx_t|cnd_t|thrd_t"
                    + "|tss_t|once_flag|sig_atomic_t|atomic_\\w+|std::atomic\\w*)\\b");

    /**
     * One file-scope variable.
     *
     * @param name         its identifier
     * @param key          identity across files: the name, or file and name for a {@code static}
     * @param declarations every declaration seen (definitions and {@code extern}s), in file order
     * @param typeText     the type as written, with its qualifiers
     * @param atomic       {@code _Atomic}, an {@code atomic_*} type, or a macro that stands for {@code _Atomic}
     * @param exempt       thread-local, {@code const}, a lock or a {@code sig_atomic_t} flag: not shared data
     */
    public record Global(String name, String key, List<SyntaxNode> declarations, String typeText, boolean atomic,
            boolean exempt, boolean fileStatic) {

        public boolean isVolatile() {
            return typeText.matches(".*\\bvolatile\\b.*");
        }

        public boolean isPointer() {
            for (SyntaxNode d : declarations) {
                for (Scopes.Declared n : Scopes.declaredNames(d)) {
                    if (n.name().equals(name) && (n.isPointer() || n.isArray())) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The struct tag of its type ({@code struct redisServer server} gives "redisServer"), or null. */
        String structTag(GlobalVariables g) {
            return g.tagOf(typeText);
        }
    }

    /** A function-like macro that expands to one lock or unlock call, with where its lock comes from. */
    record LockMacro(String name, String function, List<String> parameters, String argument) {
    }

    private final Map<String, List<Global>> byName = new HashMap<>();
    private final Map<String, Map<String, String>> structFields = new HashMap<>();
    private final Map<String, String> typedefToTag = new HashMap<>();
    private final Set<String> atomicMacros = new HashSet<>();
    private final Map<String, LockMacro> lockMacros = new HashMap<>();

    public static GlobalVariables of(CProgram program) {
        return program.facts(GlobalVariables.class, GlobalVariables::new);
    }

    /**
     * What one file contributes, in file order, derived once per tree: the macro, struct and typedef nodes outside
     * function bodies, and the top-level declarations with the non-function names they declare.
     */
    private record FileDeclarations(List<SyntaxNode> typesAndMacros, List<TopLevel> declarations) {
        static FileDeclarations of(SyntaxTree t) {
            return t.file().derived(t.root(), FileDeclarations.class, () -> {
                List<SyntaxNode> kept = new ArrayList<>();
                declarationsOutsideBodies(t.root(), n -> {
                    switch (n.kind()) {
                    case "preproc_def", "preproc_function_def", "struct_specifier", "union_specifier",
                            "type_definition" -> kept.add(n);
                    default -> {
                    }
                    }
                });
                List<TopLevel> top = new ArrayList<>();
                collectTopLevel(t.root(), top);
                return new FileDeclarations(List.copyOf(kept), List.copyOf(top));
            });
        }
    }

    /** A top-level declaration and the variable names it declares (functions left out). */
    private record TopLevel(SyntaxNode declaration, boolean isStatic, List<String> names) {
    }

    private GlobalVariables(CProgram program) {
        for (SyntaxTree t : program.trees()) {
            FileDeclarations.of(t).typesAndMacros().forEach(n -> {
                switch (n.kind()) {
                case "preproc_def" -> {
                    SyntaxNode name = n.child("name"), value = n.child("value");
                    if (name != null && value != null && value.text().matches("\\s*(_Atomic|volatile\\s+_Atomic)\\s*")) {
                        atomicMacros.add(name.text());
                    }
                }
                case "preproc_function_def" -> lockMacro(n);
                case "struct_specifier", "union_specifier" -> structDefinition(n);
                case "type_definition" -> typedef(n);
                default -> {
                }
                }
            });
        }
        Map<String, List<SyntaxNode>> decls = new HashMap<>();
        for (SyntaxTree t : program.trees()) {
            for (TopLevel top : FileDeclarations.of(t).declarations()) {
                for (String name : top.names()) {
                    String key = (top.isStatic() ? top.declaration().file().path() : "") + "|" + name;
                    decls.computeIfAbsent(key, k -> new ArrayList<>()).add(top.declaration());
                }
            }
        }
        decls.forEach((key, list) -> {
            String name = key.substring(key.indexOf('|') + 1);
            SyntaxNode first = list.get(0);
            for (SyntaxNode d : list) {
                if (!Scopes.hasStorageClass(d, "extern")) {
                    first = d; // the definition tells the type best
                    break;
                }
            }
            String type = typeText(first);
            boolean atomic = false, exempt = false;
            for (SyntaxNode d : list) {
                String t = typeText(d);
                atomic |= isAtomicType(t);
                exempt |= isExemptDeclaration(d, t);
            }
            Global g = new Global(name, key.startsWith("|") ? name : key, List.copyOf(list), type, atomic, exempt,
                    !key.startsWith("|"));
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(g);
        });
    }

    /** Visits the nodes outside function bodies (types and macros are declared there; bodies are most nodes). */
    private static void declarationsOutsideBodies(SyntaxNode root, java.util.function.Consumer<SyntaxNode> visit) {
        java.util.ArrayDeque<SyntaxNode> stack = new java.util.ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            SyntaxNode n = stack.pop();
            visit.accept(n);
            if (n.is("compound_statement") && n.parent() != null && n.parent().is("function_definition")) {
                continue;
            }
            for (int i = n.children().size() - 1; i >= 0; i--) {
                stack.push(n.children().get(i));
            }
        }
    }

    private static void collectTopLevel(SyntaxNode parent, List<TopLevel> out) {
        for (SyntaxNode n : parent.children()) {
            if (n.kind().startsWith("preproc_if") || n.is("preproc_else") || n.is("preproc_elif")
                    || n.is("linkage_specification") || n.is("declaration_list")) {
                collectTopLevel(n, out);
                continue;
            }
            if (!n.is("declaration")) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (Scopes.Declared d : Scopes.declaredNames(n)) {
                if (!d.isFunction()) {
                    names.add(d.name());
                }
            }
            if (!names.isEmpty()) {
                out.add(new TopLevel(n, Scopes.hasStorageClass(n, "static"), List.copyOf(names)));
            }
        }
    }

    private void structDefinition(SyntaxNode n) {
        SyntaxNode name = n.child("name"), body = n.child("body");
        if (name == null || body == null) {
            return;
        }
        structFields.put(name.text(), fieldsOf(body));
    }

    private void typedef(SyntaxNode n) {
        SyntaxNode type = n.child("type");
        if (type == null) {
            return;
        }
        for (SyntaxNode d : n.childrenOf("declarator")) {
            SyntaxNode id = d;
            while (id != null && !id.is("type_identifier")) {
                id = id.child("declarator");
            }
            if (id == null) {
                continue;
            }
            if (type.is("struct_specifier") || type.is("union_specifier")) {
                SyntaxNode tag = type.child("name");
                if (tag != null) {
                    typedefToTag.put(id.text(), tag.text());
                } else if (type.child("body") != null) {
                    structFields.put(id.text(), fieldsOf(type.child("body")));
                    typedefToTag.put(id.text(), id.text());
                }
            } else if (type.is("type_identifier")) {
                typedefToTag.putIfAbsent(id.text(), type.text());
            }
        }
    }

    private static Map<String, String> fieldsOf(SyntaxNode body) {
        Map<String, String> fields = new HashMap<>();
        for (SyntaxNode f : body.children()) {
            if (!f.is("field_declaration")) {
                continue;
            }
            String t = typeText(f);
            for (SyntaxNode d : f.childrenOf("declarator")) {
                SyntaxNode id = d;
                while (id != null && !id.is("field_identifier")) {
                    id = id.child("declarator");
                }
                if (id != null) {
                    fields.put(id.text(), t + (d.is("field_identifier") ? "" : " " + d.text().replace(id.text(), "")));
                }
            }
        }
        return fields;
    }

    private static final Pattern MACRO_CALL = Pattern.compile(
            "^\\s*(?:do\\s*\\{\\s*)?(\\w+)\\s*\\(\\s*(.*?)\\s*\\)\\s*;?\\s*(?:\\}\\s*while\\s*\\(\\s*0\\s*\\)\\s*)?$",
            Pattern.DOTALL);

    private void lockMacro(SyntaxNode n) {
        SyntaxNode name = n.child("name"), value = n.child("value"), params = n.child("parameters");
        if (name == null || value == null) {
            return;
        }
        Matcher m = MACRO_CALL.matcher(value.text().replace("\\\n", " "));
        if (!m.matches() || LockFacts.operation(m.group(1)) == null || m.group(2).contains(",")) {
            return;
        }
        List<String> ps = new ArrayList<>();
        if (params != null) {
            for (SyntaxNode p : params.children()) {
                if (p.is("identifier")) {
                    ps.add(p.text());
                }
            }
        }
        lockMacros.put(name.text(), new LockMacro(name.text(), m.group(1), ps, m.group(2)));
    }

    LockMacro lockMacro(String name) {
        return name == null ? null : lockMacros.get(name);
    }

    /** The type of a declaration as written: qualifiers, storage words and type, without the declarators. */
    static String typeText(SyntaxNode declaration) {
        StringBuilder sb = new StringBuilder();
        for (SyntaxNode c : declaration.children()) {
            if ("declarator".equals(c.field()) || c.is("comment")) {
                continue;
            }
            sb.append(c.text()).append(' ');
        }
        return sb.toString().replaceAll("\\s+", " ").trim();
    }

    boolean isAtomicType(String typeText) {
        if (typeText.contains("_Atomic") || SYNC_TYPE.matcher(typeText).find() && typeText.contains("atomic")) {
            return true;
        }
        for (String w : typeText.split("[^A-Za-z0-9_]+")) {
            if (atomicMacros.contains(w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isExemptDeclaration(SyntaxNode d, String typeText) {
        String all = d.text();
        return typeText.matches(".*\\b(__thread|_Thread_local|thread_local|const)\\b.*")
                || all.matches("(?s)^\\s*(static\\s+)?(_Thread_local|__thread|thread_local)\\b.*")
                || SYNC_TYPE.matcher(typeText).find();
    }

    /** True when a type (a global's or a field's) holds synchronization objects or lock-free flags. */
    boolean isExemptType(String typeText) {
        return SYNC_TYPE.matcher(typeText).find() || typeText.matches(".*\\b(const|__thread|_Thread_local)\\b.*")
                || isAtomicType(typeText);
    }

    /**
     * The global an identifier names when used in {@code file}: a {@code static} of that file, else the program-wide
     * one. Null when no file-scope variable has that name.
     */
    public Global lookup(String name, SourceFile file) {
        List<Global> all = byName.get(name);
        if (all == null) {
            return null;
        }
        Global external = null;
        for (Global g : all) {
            if (g.fileStatic()) {
                if (g.declarations().get(0).file() == file) {
                    return g;
                }
            } else {
                external = g;
            }
        }
        return external;
    }

    public boolean hasName(String name) {
        return byName.containsKey(name);
    }

    /** "struct conn" / "conn_t" / "const struct conn *" give the struct tag behind it ("conn"), or null. */
    String tagOf(String typeText) {
        if (typeText == null) {
            return null;
        }
        String t = typeText.replaceAll("\\b(const|volatile|static|extern|register|restrict|_Atomic|inline)\\b", " ")
                .replace("*", " ").trim();
        t = t.replaceFirst("^(struct|union)\\s+", "").trim();
        if (!t.matches("\\w+")) {
            return null;
        }
        for (int i = 0; i < 4 && typedefToTag.containsKey(t) && !typedefToTag.get(t).equals(t); i++) {
            t = typedefToTag.get(t);
        }
        return t;
    }

    /** The declared type of a field of a struct (by tag), or null. */
    String fieldType(String tag, String field) {
        Map<String, String> fields = tag == null ? null : structFields.get(tag);
        return fields == null ? null : fields.get(field);
    }
}
