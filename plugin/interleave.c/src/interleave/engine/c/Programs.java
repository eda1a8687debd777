package interleave.engine.c;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.SourceRange;

/**
 * Splits the analyzed files into programs when several of them define {@code main}: a course folder where
 * {@code serv01.c} ... {@code serv08.c} each have their own {@code main} and share helper files is eight programs,
 * not one. Each program is its main file and the functions it reaches (called, or named as values such as handlers
 * and start routines, also through tables at file scope), in their files plus every header; handlers, threads and
 * call chains are then resolved per program. Functions no main reaches form one more program, so nothing goes
 * unanalyzed.
 */
public final class Programs {
    private Programs() {
    }

    /**
     * One program to analyze.
     *
     * @param main      the main file, or null for what no main reaches (or when there is at most one main)
     * @param trees     the files of the program, main file first
     * @param functions the functions that belong to it (what its main reaches), or null for all in its files
     */
    public record Part(SyntaxTree main, List<SyntaxTree> trees, Set<CFunction> functions) {
        /** The main file's name for messages, e.g. "serv01.c"; null for the rest. */
        public String mainName() {
            if (main == null) {
                return null;
            }
            String p = main.file().path();
            return p.substring(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
        }

        /** Where the program's {@code main} is defined (its name), for notes. */
        public SourceRange mainLocation() {
            for (CFunction f : functions) {
                if (f.name().equals("main") && f.file() == main.file()) {
                    return f.nameNode().range();
                }
            }
            return main.root().range();
        }
    }

    public static List<Part> split(List<SyntaxTree> trees) {
        return split(trees, new HashMap<>());
    }

    /** @param functionsOfFile the per-file function index shared with {@link CProgram} (filled on first use) */
    public static List<Part> split(List<SyntaxTree> trees, Map<SyntaxTree, List<CFunction>> functionsOfFile) {
        List<SyntaxTree> mains = new ArrayList<>();
        Map<String, List<CFunction>> byName = new HashMap<>();
        for (SyntaxTree t : trees) {
            for (CFunction f : functionsOfFile.computeIfAbsent(t, CProgram::functionsOf)) {
                byName.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f);
                if (f.name().equals("main") && !f.isFileStatic() && !mains.contains(t)) {
                    mains.add(t);
                }
            }
        }
        if (mains.size() <= 1) {
            return List.of(new Part(null, trees, null));
        }
        Set<SourceFile> mainFiles = new HashSet<>();
        mains.forEach(m -> mainFiles.add(m.file()));
        Map<SourceFile, SyntaxTree> treeOf = new HashMap<>();
        trees.forEach(t -> treeOf.put(t.file(), t));
        Map<SyntaxTree, Set<String>> fileScopeNames = new HashMap<>();
        List<Part> parts = new ArrayList<>();
        Set<CFunction> reachedByAny = new HashSet<>();
        for (SyntaxTree m : mains) {
            String scope = scopeOf(m.file().path());
            Set<CFunction> reached = new LinkedHashSet<>();
            Set<SyntaxTree> files = new LinkedHashSet<>();
            ArrayDeque<CFunction> todo = new ArrayDeque<>();
            // every function of the main file is a root: its handlers and thread routines are the program's too
            for (CFunction f : functionsOfFile.get(m)) {
                if (reached.add(f)) {
                    todo.add(f);
                }
            }
            files.add(m);
            // names are taken in the order a queue of every name would give; names that no function defines are
            // skipped at once (most identifiers of a body are locals and fields: queuing them was most of the split)
            Set<String> seenNames = new HashSet<>();
            java.util.function.Consumer<java.util.Collection<String>> visit = used -> {
                for (String name : used) {
                    List<CFunction> defs = byName.get(name);
                    if (defs == null || !seenNames.add(name)) {
                        continue;
                    }
                    for (CFunction d : defs) {
                        // another program's main file is not part of this one
                        boolean visible = d.file() == m.file()
                                || (!mainFiles.contains(d.file()) && d.file().path().startsWith(scope));
                        if (visible && reached.add(d)) {
                            todo.add(d);
                        }
                    }
                }
            };
            visit.accept(fileScopeNames.computeIfAbsent(m, Programs::fileScopeNames));
            while (!todo.isEmpty()) {
                CFunction f = todo.poll();
                visit.accept(f.namesUsed());
                SyntaxTree t = treeOf.get(f.file());
                if (t != null && files.add(t)) {
                    visit.accept(fileScopeNames.computeIfAbsent(t, Programs::fileScopeNames));
                }
            }
            for (SyntaxTree t : trees) {
                if (isHeader(t) && !mainFiles.contains(t.file())) {
                    files.add(t);
                }
            }
            reachedByAny.addAll(reached);
            parts.add(new Part(m, List.copyOf(files), Set.copyOf(reached)));
        }
        // what no main reaches is still analyzed, as one more program
        Set<CFunction> rest = new LinkedHashSet<>();
        Set<SyntaxTree> restFiles = new LinkedHashSet<>();
        for (SyntaxTree t : trees) {
            for (CFunction f : functionsOfFile.get(t)) {
                if (!reachedByAny.contains(f)) {
                    rest.add(f);
                    restFiles.add(t);
                }
            }
        }
        if (!rest.isEmpty()) {
            parts.add(new Part(null, List.copyOf(restFiles), Set.copyOf(rest)));
        }
        return parts;
    }

    /**
     * Where a program's own code can be: under the folder that holds the main file's folder. Names are resolved
     * without the build's link lines, so this keeps {@code deps/lib/examples/demo.c} from reaching the
     * {@code src/} of the project that bundles the library, while {@code serv01.c} still reaches {@code ../lib/csapp.c}.
     */
    private static String scopeOf(String mainPath) {
        String p = mainPath.replace('\\', '/');
        for (int up = 0; up < 2; up++) {
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return "";
            }
            p = p.substring(0, slash);
        }
        return p.isEmpty() ? "/" : p + "/";
    }

    private static boolean isHeader(SyntaxTree t) {
        return t.file().path().endsWith(".h");
    }

    /** Names in a file's declarations outside functions: tables of function pointers, sigaction initializers. */
    private static Set<String> fileScopeNames(SyntaxTree t) {
        return FileScope.of(t).names;
    }
}
