package interleave.engine.analysis;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import interleave.engine.c.CParser;
import interleave.engine.c.CProgram;
import interleave.engine.c.SourceFile;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.UnreadableSourceException;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.rules.c.CRule;

/**
 * Parse → model → rules → findings, for a set of C files analyzed together as one program. Used by the command line
 * and by Eclipse alike. Reads nothing but the given files; never throws for bad input (it becomes a notification).
 */
public final class CAnalyzer {
    private final List<CRule> rules;

    public CAnalyzer() {
        this(RuleRegistry.cRules());
    }

    public CAnalyzer(List<CRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Progress callbacks: how many files there are, then one tick per file parsed. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        default void begin(int files) {
        }

        default void parsed(String file) {
        }
    }

    /** The C sources under the given paths: directories recursively ({@code .c} and {@code .h}), files as given. */
    public static List<Path> collectSources(List<Path> inputs) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                List<Path> found = new ArrayList<>();
                Files.walkFileTree(in, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        boolean skip = !dir.equals(in) && (name.startsWith(".") || name.equals("target"));
                        return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String n = file.getFileName().toString();
                        if (attrs.isRegularFile() && (n.endsWith(".c") || n.endsWith(".h"))) {
                            found.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        found.add(file); // reported as unreadable when read
                        return FileVisitResult.CONTINUE;
                    }
                });
                found.sort(Comparator.naturalOrder());
                out.addAll(found);
            } else {
                out.add(in);
            }
        }
        return new ArrayList<>(out);
    }

    /** Analyzes files from disk; {@code display} turns a path into the name used in findings. */
    public AnalysisResult analyzeFiles(List<Path> files, java.util.function.Function<Path, String> display,
            Progress progress, BooleanSupplier cancelled) {
        List<Notification> notes = new ArrayList<>();
        List<SourceFile> sources = new ArrayList<>();
        for (Path p : files) {
            try {
                SourceFile f = SourceFile.read(p, display.apply(p));
                sources.add(f);
                for (String w : f.warnings()) {
                    notes.add(Notification.warning(f.path(), w));
                }
            } catch (UnreadableSourceException e) {
                notes.add(Notification.error(e.file(), e.reason()));
            }
        }
        AnalysisResult r = analyze(sources, progress, cancelled);
        List<Notification> all = new ArrayList<>(notes);
        all.addAll(r.notifications());
        return new AnalysisResult(r.findings(), all, r.filesAnalyzed());
    }

    /** Analyzes sources already in memory. */
    public AnalysisResult analyze(List<SourceFile> sources, Progress progress, BooleanSupplier cancelled) {
        progress.begin(sources.size());
        List<SyntaxTree> trees = new ArrayList<>();
        List<Notification> notes = new ArrayList<>();
        try (CParser parser = new CParser()) {
            for (SourceFile f : sources) {
                if (cancelled.getAsBoolean()) {
                    break;
                }
                SyntaxTree t = parser.parse(f);
                if (t.hasErrors()) {
                    notes.add(Notification.warning(f.path(), t.errorNodes()
                            + Notification.PARTIAL_PARSE + " (missing headers or macros, or unfinished code); findings come from"
                            + " the parts that parsed"));
                }
                trees.add(t);
                progress.parsed(f.path());
            }
        }
        CProgram program = new CProgram(trees);
        List<Finding> findings = new ArrayList<>();
        Consumer<Finding> sink = findings::add;
        for (CRule rule : rules) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            try {
                rule.check(program, sink);
            } catch (RuntimeException e) {
                // one broken rule must not hide the others' findings; say which rule failed
                notes.add(Notification.error("", "rule " + rule.getClass().getSimpleName() + " failed: " + e));
            }
        }
        return new AnalysisResult(disambiguate(sort(findings)), notes, sources.stream().map(SourceFile::path).toList());
    }

    private static List<Finding> sort(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Comparator.comparing((Finding f) -> f.location().file())
                .thenComparingInt(f -> f.location().startOffset()).thenComparing(Finding::ruleId));
        return sorted;
    }

    /** Two findings with the same anchor (the same call twice in one function) get distinct fingerprints. */
    private static List<Finding> disambiguate(List<Finding> findings) {
        Map<String, Integer> seen = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            int n = seen.merge(f.fingerprint(), 1, Integer::sum);
            out.add(n == 1 ? f : f.withFingerprint(Finding.fingerprint(f.fingerprint(), Integer.toString(n))));
        }
        return out;
    }
}
