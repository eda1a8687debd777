package interleave.java.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.settings.Settings;
import interleave.java.JavaAnalyzer;
import interleave.java.rules.JavaRules;

/** What the engine's command line calls, by name, when it analyzes Java files (see the engine's JavaSupport). */
public final class JavaEntry {
    private JavaEntry() {
    }

    public static AnalysisResult analyze(List<Path> files, List<Path> classpath, Settings settings,
            Function<Path, String> display) {
        return new JavaAnalyzer(JavaRules.all(), settings, classpath).analyzeFiles(files, display);
    }

    public static List<RuleDescriptor> descriptors() {
        return JavaRules.descriptors();
    }
}
