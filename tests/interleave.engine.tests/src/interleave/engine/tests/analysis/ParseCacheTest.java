package interleave.engine.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.ParseCache;
import interleave.engine.analysis.SourceFile;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

/**
 * Re-analysis with a {@link ParseCache} (kept trees, per-tree facts, the findings of programs whose files did not
 * change) gives exactly what a fresh analysis of the same text gives, edit after edit: on every fixture and sample
 * server together, a folder of many programs sharing headers.
 */
class ParseCacheTest {

    private static List<SourceFile> sources() throws Exception {
        List<Path> roots = new ArrayList<>(List.of(Path.of("fixtures", "c")));
        Path samples = Path.of("..", "..", "sample-servers");
        if (Files.isDirectory(samples)) {
            roots.add(samples);
        }
        List<SourceFile> out = new ArrayList<>();
        for (Path p : CAnalyzer.collectSources(roots)) {
            out.add(SourceFile.read(p, p.toString()));
        }
        return out;
    }

    private static String everything(AnalysisResult r) {
        return r.findings() + "\n" + r.suppressed() + "\n" + r.notifications() + "\n" + r.filesAnalyzed();
    }

    private static String fresh(List<SourceFile> files) {
        return everything(new CAnalyzer(RuleRegistry.cRules(), 2, Settings.defaults()).analyze(files,
                CAnalyzer.Progress.NONE, () -> false));
    }

    private static int indexOf(List<SourceFile> files, String suffix) {
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).path().replace('\\', '/').endsWith(suffix)) {
                return i;
            }
        }
        throw new AssertionError("no " + suffix);
    }

    @Test
    void reAnalysisAfterEditsEqualsAFreshAnalysis() throws Exception {
        List<SourceFile> files = new ArrayList<>(sources());
        ParseCache cache = new ParseCache();
        CAnalyzer incremental = new CAnalyzer(RuleRegistry.cRules(), 2, Settings.defaults(), cache);
        String before = everything(incremental.analyze(files, CAnalyzer.Progress.NONE, () -> false));
        assertEquals(fresh(files), before);
        assertEquals(before, everything(incremental.analyze(files, CAnalyzer.Progress.NONE, () -> false)),
                "nothing changed, nothing differs");

        // a comment: same findings; emptying a buggy main file: its findings go; a header; then back as it was
        int sample = indexOf(files, "stack-address-to-thread/bad-loop-counter.c");
        SourceFile original = files.get(sample);
        List<List<SourceFile>> versions = new ArrayList<>();
        files.set(sample, SourceFile.of(original.path(), original.text() + "\n/* edited */\n"));
        versions.add(new ArrayList<>(files));
        files.set(sample, SourceFile.of(original.path(), ""));
        versions.add(new ArrayList<>(files));
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).path().endsWith(".h")) {
                SourceFile h = files.get(i);
                files.set(i, SourceFile.of(h.path(), h.text() + "\nint added_by_the_test;\n"));
                break;
            }
        }
        versions.add(new ArrayList<>(files));
        files.set(sample, original);
        versions.add(new ArrayList<>(files));
        List<String> seen = new ArrayList<>();
        for (List<SourceFile> v : versions) {
            String again = everything(incremental.analyze(v, CAnalyzer.Progress.NONE, () -> false));
            assertEquals(fresh(v), again);
            seen.add(again);
        }
        assertNotEquals(seen.get(0), seen.get(1), "emptying a buggy file must change the findings");
        assertTrue(cache.size() >= files.size());
    }
}
