package interleave.engine.analysis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.c.CFunction;
import interleave.engine.c.SourceFile;
import interleave.engine.c.SyntaxTree;

/**
 * Syntax trees (and each file's function index) kept between analyses, so that re-analyzing a project after one file
 * changed parses only that file. Keyed by the file's name in findings; a tree is reused only when the text is
 * exactly the same. An IDE keeps one per workspace; the command line, which analyzes once, does not need one.
 * Thread-safe.
 */
public final class ParseCache {
    private record Entry(String text, SyntaxTree tree) {
    }

    private final Map<String, Entry> trees = new HashMap<>();
    private final Map<SyntaxTree, List<CFunction>> functionsOfFile =
            java.util.Collections.synchronizedMap(new HashMap<>());

    /** The cached tree of this exact text, or null. */
    synchronized SyntaxTree lookup(SourceFile file) {
        Entry e = trees.get(file.path());
        return e != null && e.text().equals(file.text()) ? e.tree() : null;
    }

    synchronized void store(SyntaxTree tree) {
        Entry old = trees.put(tree.file().path(), new Entry(tree.file().text(), tree));
        if (old != null && old.tree() != tree) {
            functionsOfFile.remove(old.tree());
        }
    }

    /** The function index of the cached trees (a synchronized map); CAnalyzer fills it as programs are built. */
    Map<SyntaxTree, List<CFunction>> functionsOfFile() {
        return functionsOfFile;
    }

    /** Forgets a file (deleted or closed). */
    public synchronized void forget(String path) {
        Entry e = trees.remove(path);
        if (e != null) {
            functionsOfFile.remove(e.tree());
        }
    }

    public synchronized int size() {
        return trees.size();
    }
}
