package interleave.engine.analysis;

import java.util.HashMap;
import java.util.Map;


/**
 * Syntax trees (and each file's function index) kept between analyses, so that re-analyzing a project after one file
 * changed parses only that file. Keyed by the file's name in findings; a tree is reused only when the text is
 * exactly the same. An IDE keeps one per workspace; the command line, which analyzes once, does not need one.
 * Thread-safe.
 */
public final class ParseCache {
    /** A parsed file of any front end, with the text it was parsed from. */
    private record Entry(String text, Object tree) {
    }

    private final Map<String, Entry> trees = new HashMap<>();
    private final Map<Object, Object> perTree = java.util.Collections.synchronizedMap(new HashMap<>());

    /** The cached tree of this exact text, or null. */
    synchronized Object lookup(SourceFile file) {
        Entry e = trees.get(file.path());
        return e != null && e.text().equals(file.text()) ? e.tree() : null;
    }

    synchronized void store(SourceFile file, Object tree) {
        Entry old = trees.put(file.path(), new Entry(file.text(), tree));
        if (old != null && old.tree() != tree) {
            perTree.remove(old.tree());
        }
    }

    /**
     * What front ends derive from one cached tree (C: the file's functions with their calls), a synchronized map keyed
     * by the tree; an entry goes when its tree does. See {@link FrontEnd#programs}.
     */
    Map<Object, Object> perTree() {
        return perTree;
    }

    /**
     * The findings and notes of each program of the last analysis, by what the program is made of (its trees, which
     * are the same objects while their files are unchanged, and its functions). A program none of whose files
     * changed gives the same findings again, so re-analysis after one edit runs the rules only on the programs
     * that contain the edited file. Tied to one analyzer (its rules and settings): another analyzer starts afresh.
     */
    synchronized Map<Object, Object> programResults(Object analyzer) {
        if (resultsOwner != analyzer) {
            resultsOwner = analyzer;
            programResults = new HashMap<>();
        }
        return programResults;
    }

    /** Keeps only the programs of the analysis that just ended (programs of older versions of files go). */
    synchronized void keepProgramResults(Object analyzer, Map<Object, Object> results) {
        resultsOwner = analyzer;
        programResults = results;
    }

    private Object resultsOwner;
    private Map<Object, Object> programResults = new HashMap<>();

    /** Forgets a file (deleted or closed). */
    public synchronized void forget(String path) {
        Entry e = trees.remove(path);
        if (e != null) {
            perTree.remove(e.tree());
        }
    }

    public synchronized int size() {
        return trees.size();
    }
}
