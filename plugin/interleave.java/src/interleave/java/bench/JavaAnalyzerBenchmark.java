package interleave.java.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import interleave.engine.analysis.AnalysisResult;
import interleave.java.JavaAnalyzer;

/**
 * Java analysis speed on a source tree: the first analysis in a fresh JVM (cold: JDT's classes loaded and compiled on
 * the way) and then the best of the next runs (warm, as in a long-lived Eclipse). Usage: PATH... [--runs N].
 */
public final class JavaAnalyzerBenchmark {
    private JavaAnalyzerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 4;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs") && i + 1 < args.length) {
                runs = Integer.parseInt(args[++i]);
            } else {
                inputs.add(Path.of(args[i]));
            }
        }
        if (inputs.isEmpty()) {
            System.err.println("usage: JavaAnalyzerBenchmark PATH... [--runs N]");
            System.exit(2);
        }
        List<Path> files = JavaAnalyzer.collectSources(inputs);
        double cold = 0, warm = Double.MAX_VALUE;
        int findings = 0;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            AnalysisResult result = new JavaAnalyzer().analyzeFiles(files, Path::toString);
            double s = (System.nanoTime() - t0) / 1e9;
            findings = result.findings().size();
            if (r == 0) {
                cold = s;
            } else {
                warm = Math.min(warm, s);
            }
        }
        System.out.printf(Locale.ROOT, "%d Java files, %d findings%n", files.size(), findings);
        System.out.printf(Locale.ROOT, "cold: %.2f s (%.0f files/s)%n", cold, files.size() / cold);
        if (runs > 1) {
            System.out.printf(Locale.ROOT, "warm: %.2f s (%.0f files/s), best of %d%n", warm, files.size() / warm,
                    runs - 1);
        }
    }
}
