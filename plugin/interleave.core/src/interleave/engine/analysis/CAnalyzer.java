package interleave.engine.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

/**
 * The {@link Analyzer} with the C front end alone: every file is read as C. Kept for the callers that analyze C
 * (Eclipse's C editor, the trace report, the demo); new code that takes every language uses {@link Analyzer}.
 */
public final class CAnalyzer {
    private final Analyzer analyzer;

    public CAnalyzer() {
        this(RuleRegistry.cRules(), Runtime.getRuntime().availableProcessors());
    }

    /** @param parallelism how many files to parse at once (1 = on the calling thread) */
    public CAnalyzer(List<? extends Rule<?>> rules, int parallelism) {
        this(rules, parallelism, Settings.defaults());
    }

    /** @param settings which rules run, at which severity, with which options */
    public CAnalyzer(List<? extends Rule<?>> rules, int parallelism, Settings settings) {
        this(rules, parallelism, settings, null);
    }

    /** @param cache trees kept between analyses (only changed files are parsed again), or null */
    public CAnalyzer(List<? extends Rule<?>> rules, int parallelism, Settings settings, ParseCache cache) {
        this.analyzer = new Analyzer(List.of(FrontEnds.c()), rules, parallelism, settings, cache);
    }

    /** Progress callbacks: how many files there are, then one tick per file parsed. */
    public interface Progress extends Analyzer.Progress {
        Progress NONE = new Progress() {
        };
    }

    /** The C sources under the given paths: directories recursively ({@code .c} and {@code .h}), files as given. */
    public static List<Path> collectSources(List<Path> inputs) throws IOException {
        return Analyzer.collectSources(inputs, List.of(FrontEnds.c()));
    }

    /** Analyzes files from disk; {@code display} turns a path into the name used in findings. */
    public AnalysisResult analyzeFiles(List<Path> files, java.util.function.Function<Path, String> display,
            Analyzer.Progress progress, BooleanSupplier cancelled) {
        return analyzer.analyzeFiles(files, display, progress, cancelled);
    }

    /** Analyzes sources already in memory. */
    public AnalysisResult analyze(List<SourceFile> sources, Analyzer.Progress progress, BooleanSupplier cancelled) {
        return analyzer.analyze(sources, progress, cancelled);
    }
}
