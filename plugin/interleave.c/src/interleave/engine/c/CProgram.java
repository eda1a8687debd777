package interleave.engine.c;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.analysis.SourceFile;

/**
 * All files analyzed together, as one program: its functions, the call graph between them, and where signal handlers
 * and thread start routines are installed. Rules ask this model; they never re-parse.
 */
public final class CProgram implements interleave.engine.analysis.ProgramModel {
    private final List<SyntaxTree> trees;
    private final List<CFunction> functions = new ArrayList<>();
    private final Map<String, List<CFunction>> byName = new HashMap<>();
    private final Map<SyntaxNode, CFunction> byDefinition = new HashMap<>();
    private final EntryPoints entryPoints;
    private final Map<Class<?>, Object> facts = new java.util.concurrent.ConcurrentHashMap<>();

    public CProgram(List<SyntaxTree> trees) {
        this(trees, new HashMap<>());
    }

    /**
     * @param functionsOfFile the functions of each file with their calls, filled on first use: when a folder holds
     *                        several programs ({@link Programs}), the files they share are indexed once, not once per
     *                        program
     */
    public CProgram(List<SyntaxTree> trees, Map<SyntaxTree, List<CFunction>> functionsOfFile) {
        this(trees, functionsOfFile, null);
    }

    /** @param only the functions that belong to this program (one main's reach, see {@link Programs}); null = all */
    public CProgram(List<SyntaxTree> trees, Map<SyntaxTree, List<CFunction>> functionsOfFile,
            java.util.Set<CFunction> only) {
        this.trees = List.copyOf(trees);
        for (SyntaxTree t : trees) {
            for (CFunction f : functionsOfFile.computeIfAbsent(t, CProgram::functionsOf)) {
                if (only != null && !only.contains(f)) {
                    continue;
                }
                functions.add(f);
                byName.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f);
                byDefinition.put(f.definition(), f);
            }
        }
        this.entryPoints = EntryPoints.find(this);
    }

    @Override
    public interleave.engine.rules.Language language() {
        return interleave.engine.rules.Language.C;
    }

    /** The file that defines {@code main}, else the first file. */
    @Override
    public String name() {
        for (CFunction f : functions) {
            if (f.name().equals("main")) {
                return f.file().path();
            }
        }
        return trees.isEmpty() ? "" : trees.get(0).file().path();
    }

    /** Derived once from the C facts layer ({@link interleave.engine.c.facts.CConcurrency}). */
    @Override
    public interleave.engine.concurrency.ConcurrencyFacts concurrency() {
        return interleave.engine.c.facts.CConcurrency.of(this).facts();
    }

    /** {@code _Atomic} for counters. */
    @Override
    public interleave.engine.concurrency.ConcurrencyFixes concurrencyFixes() {
        return new interleave.engine.rules.c.CConcurrencyFixes(this);
    }

    /** The functions a file defines, each with its calls, in source order. */
    static List<CFunction> functionsOf(SyntaxTree tree) {
        List<CFunction> functions = new ArrayList<>();
        collectFunctions(tree.root(), functions);
        for (CFunction f : functions) {
            collectCalls(f);
        }
        return List.copyOf(functions);
    }

    private static void collectFunctions(SyntaxNode root, List<CFunction> functions) {
        for (SyntaxNode def : root.descendants("function_definition")) {
            SyntaxNode fd = Scopes.functionDeclarator(def);
            if (fd == null || def.child("body") == null) {
                continue;
            }
            SyntaxNode nameNode = fd.child("declarator");
            while (nameNode != null && !nameNode.is("identifier")) {
                nameNode = nameNode.child("declarator");
            }
            if (nameNode == null) {
                continue;
            }
            List<String> params = new ArrayList<>();
            SyntaxNode plist = fd.child("parameters");
            if (plist != null) {
                for (SyntaxNode p : plist.children()) {
                    if (p.is("parameter_declaration")) {
                        List<Scopes.Declared> names = Scopes.declaredNames(p);
                        params.add(names.isEmpty() ? "" : names.get(0).name());
                    } else if (p.is("variadic_parameter")) {
                        params.add("...");
                    }
                }
            }
            if (params.size() == 1 && params.get(0).isEmpty() && plist.text().replaceAll("\\s", "").equals("(void)")) {
                params.clear();
            }
            functions.add(new CFunction(nameNode.text(), def, Scopes.hasStorageClass(def, "static"), params));
        }
    }

    private static void collectCalls(CFunction f) {
        for (SyntaxNode call : f.body().descendants("call_expression")) {
            SyntaxNode fn = call.child("function");
            String callee = null;
            if (fn != null) {
                SyntaxNode target = fn.stripParensAndCasts();
                if (target.is("pointer_expression") && target.child("operator") != null
                        && target.child("operator").text().equals("*")) {
                    target = target.child("argument").stripParensAndCasts(); // (*handler)(sig) calls handler
                }
                if (target.is("identifier")) {
                    callee = target.text();
                }
            }
            SyntaxNode args = call.child("arguments");
            List<SyntaxNode> argList = args == null ? List.of()
                    : args.children().stream().filter(a -> !a.is("comment")).toList();
            f.calls.add(new CallSite(call, callee, argList, f));
        }
    }

    public List<SyntaxTree> trees() {
        return trees;
    }

    public List<CFunction> functions() {
        return Collections.unmodifiableList(functions);
    }

    public EntryPoints entryPoints() {
        return entryPoints;
    }

    /**
     * A layer of facts derived from this program once and shared by every rule that asks (fork sites, thread
     * handles, lock sets, ...): {@code ForkFacts.of(program)} calls {@code program.facts(ForkFacts.class, ...)}.
     */
    @SuppressWarnings("unchecked")
    public <T> T facts(Class<T> kind, java.util.function.Function<CProgram, T> derive) {
        Object known = facts.get(kind);
        if (known == null) {
            known = derive.apply(this); // not computeIfAbsent: a derivation may ask for other facts
            Object raced = facts.putIfAbsent(kind, known);
            known = raced != null ? raced : known;
        }
        return (T) known;
    }

    /** The function whose definition encloses {@code node}, or null at file scope. */
    public CFunction enclosingFunction(SyntaxNode node) {
        for (SyntaxNode p = node; p != null; p = p.parent()) {
            if (p.is("function_definition")) {
                return byDefinition.get(p);
            }
        }
        return null;
    }

    /**
     * The definitions a name refers to when used in {@code fromFile}: a definition in the same file wins (C's
     * {@code static} functions, and folders holding several small programs); otherwise every non-static definition
     * elsewhere. Empty when the function is not defined in the analyzed files (a library function).
     */
    public List<CFunction> resolve(String name, SourceFile fromFile) {
        List<CFunction> all = byName.getOrDefault(name, List.of());
        if (all.isEmpty()) {
            return all;
        }
        List<CFunction> same = new ArrayList<>();
        List<CFunction> external = new ArrayList<>();
        for (CFunction f : all) {
            if (f.file() == fromFile) {
                same.add(f);
            } else if (!f.isFileStatic()) {
                external.add(f);
            }
        }
        return same.isEmpty() ? external : same;
    }

    /** True when the name is defined as a function anywhere in the analyzed files. */
    public boolean isDefined(String name) {
        return byName.containsKey(name);
    }

    /** The functions directly called from {@code f} that are defined in the analyzed files, with their call sites. */
    public Map<CallSite, List<CFunction>> callees(CFunction f) {
        Map<CallSite, List<CFunction>> out = new LinkedHashMap<>();
        for (CallSite c : f.calls()) {
            if (c.calleeName() != null) {
                List<CFunction> targets = resolve(c.calleeName(), f.file());
                if (!targets.isEmpty()) {
                    out.put(c, targets);
                }
            }
        }
        return out;
    }
}
