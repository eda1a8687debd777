package interleave.java;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.java.rules.JavaRules;

/**
 * Java files alone through the one analysis core: the engine's {@link Analyzer} with only the Java front end, running
 * the rules that read Java programs (the Java rules and those written once over the neutral concurrency facts). For
 * tests and benchmarks; the command line analyzes C and Java in one run.
 */
public final class JavaAnalyzer {
    private final Analyzer analyzer;

    public JavaAnalyzer() {
        this(rulesForJava(), Settings.defaults(), List.of());
    }

    public JavaAnalyzer(List<? extends Rule<?>> rules, Settings settings, List<Path> classpath) {
        this.analyzer = new Analyzer(List.of(new JavaFrontEnd(classpath)), rules, 1, settings, null);
    }

    /** Every registered rule that reads Java programs, and the Java rules even when the registry does not know them. */
    public static List<Rule<?>> rulesForJava() {
        List<Rule<?>> out = new ArrayList<>(RuleRegistry.rules().stream()
                .filter(r -> r.model().isAssignableFrom(JavaProgram.class)).toList());
        for (Rule<?> r : JavaRules.all()) {
            if (out.stream().noneMatch(o -> o.getClass().equals(r.getClass()))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The {@code .java} files under {@code inputs} (files as given, folders recursively; hidden folders skipped). */
    public static List<Path> collectSources(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                Files.walkFileTree(in, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        return !dir.equals(in) && n.startsWith(".") ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (file.getFileName().toString().endsWith(".java")) {
                            out.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } else if (in.getFileName() != null && in.getFileName().toString().endsWith(".java")) {
                out.add(in);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    public AnalysisResult analyzeFiles(List<Path> files, Function<Path, String> display) {
        return analyzer.analyzeFiles(files, display, Analyzer.Progress.NONE, () -> false);
    }
}
