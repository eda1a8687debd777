package interleave.engine.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

/**
 * Measures the analyzer inside one JVM, where an IDE runs it: a full analysis of some trees once the JIT is warm
 * (files/s, lines/s), and re-analysis after one file changed with a {@link ParseCache} (what Eclipse does on save).
 * Not a test: speed is measured, never asserted. The start-up and cold figures of the command line come from
 * {@code bench/analyzer.sh}, which runs this too. Usage: {@code AnalyzerBenchmark [--reps N] [--edits N] [--tsv] DIR...};
 * {@code --tsv} prints one line of tab-separated figures for that script instead of a table.
 */
public final class AnalyzerBenchmark {
    private AnalyzerBenchmark() {
    }

    public static void main(String[] args) throws IOException, UnreadableSourceException {
        int reps = 5;
        int edits = -1;
        boolean tsv = false;
        List<String> dirs = new ArrayList<>(Arrays.asList(args));
        while (!dirs.isEmpty() && dirs.get(0).startsWith("--")) {
            String opt = dirs.remove(0);
            if (opt.equals("--tsv")) {
                tsv = true;
            } else if ((opt.equals("--reps") || opt.equals("--edits")) && !dirs.isEmpty()) {
                int n = Integer.parseInt(dirs.remove(0));
                if (opt.equals("--reps")) {
                    reps = n;
                } else {
                    edits = n;
                }
            } else {
                dirs.clear();
            }
        }
        if (dirs.isEmpty() || reps < 1) {
            System.err.println("usage: AnalyzerBenchmark [--reps N] [--edits N] [--tsv] DIR...");
            System.exit(2);
        }
        List<Path> paths = dirs.stream().map(Path::of).toList();
        List<Path> files = CAnalyzer.collectSources(paths);
        List<SourceFile> sources = new ArrayList<>();
        long lines = 0;
        for (Path p : files) {
            try {
                SourceFile f = SourceFile.read(p, p.toString());
                sources.add(f);
                lines += f.lineCount();
            } catch (UnreadableSourceException e) {
                // skipped, as the command line would
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        CAnalyzer analyzer = new CAnalyzer(RuleRegistry.cRules(), cores, Settings.defaults());
        long first = timeNanos(() -> analyzer.analyze(sources, CAnalyzer.Progress.NONE, () -> false));
        long[] warm = new long[reps];
        int findings = 0;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            findings = analyzer.analyze(sources, CAnalyzer.Progress.NONE, () -> false).findings().size();
            warm[i] = System.nanoTime() - t0;
        }
        double warmSec = median(warm) / 1e9;

        ParseCache cache = new ParseCache();
        CAnalyzer incremental = new CAnalyzer(RuleRegistry.cRules(), cores, Settings.defaults(), cache);
        incremental.analyze(sources, CAnalyzer.Progress.NONE, () -> false);
        if (edits < 1) {
            edits = Math.max(reps * 2, 10);
        }
        long[] again = new long[edits];
        List<SourceFile> current = new ArrayList<>(sources);
        for (int i = 0; i < edits; i++) {
            int which = (int) ((long) i * 7919 % current.size());
            SourceFile f = current.get(which);
            current.set(which, SourceFile.of(f.path(), f.text() + "\n/* edit " + i + " */\n"));
            long t0 = System.nanoTime();
            incremental.analyze(current, CAnalyzer.Progress.NONE, () -> false);
            again[i] = System.nanoTime() - t0;
        }
        if (tsv) {
            System.out.printf(Locale.ROOT, "%d\t%d\t%d\t%.2f\t%.2f\t%.0f\t%.0f\t%.1f\t%d%n", sources.size(), lines,
                    findings, first / 1e9, warmSec, sources.size() / warmSec, lines / warmSec, median(again) / 1e6,
                    edits);
            return;
        }
        System.out.printf(Locale.ROOT, "| trees | files | lines | findings | first in this JVM (s) | warm, median of %d"
                + " (s) | files/s warm | lines/s warm | re-analysis after one edit, median of %d (ms) |%n", reps, edits);
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.2f | %.0f | %.0f | %.1f |%n",
                String.join(" ", dirs), sources.size(), lines, findings, first / 1e9, warmSec,
                sources.size() / warmSec, lines / warmSec, median(again) / 1e6);
    }

    private static long timeNanos(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
