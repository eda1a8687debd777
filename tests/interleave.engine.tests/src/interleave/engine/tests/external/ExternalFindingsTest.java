package interleave.engine.tests.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.external.ClassFileAnalyzer;
import interleave.engine.external.ClassFileAnalyzers;
import interleave.engine.external.ExternalFindings;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.engine.report.SarifReport;
import interleave.engine.rules.RuleRegistry;

/** Merging another tool's findings: the same bug class on the same line once, the tool named in SARIF. */
class ExternalFindingsTest {
    /** A tool whose "VOLATILE" bug type is Interleave's unsynchronized-shared-write. */
    static final ClassFileAnalyzer TOOL = new ClassFileAnalyzer() {
        @Override
        public String toolName() {
            return "Other";
        }

        @Override
        public String toolVersion() {
            return "1.0";
        }

        @Override
        public String informationUri() {
            return "https://example.org/other";
        }

        @Override
        public String rulePrefix() {
            return "other:";
        }

        @Override
        public List<Finding> analyze(List<Path> classes, List<Path> sourceRoots, Function<Path, String> display) {
            return List.of();
        }

        @Override
        public Optional<String> sameBugAs(String ruleId) {
            return ruleId.equals("other:VOLATILE") ? Optional.of("unsynchronized-shared-write") : Optional.empty();
        }
    };

    static Finding at(String rule, String file, int line) {
        return Finding.of(rule, Severity.WARNING, rule + " here", SourceRange.line(file, line), List.of(), List.of(),
                rule + line);
    }

    @Test
    void sameBugClassOnTheSameLineIsReportedOnce() {
        Finding own = at("unsynchronized-shared-write", "Counter.java", 84);
        Finding twin = at("other:VOLATILE", "Counter.java", 84);
        Finding elsewhere = at("other:VOLATILE", "Counter.java", 90);
        Finding otherClass = at("other:SLEEP", "Counter.java", 84);
        ExternalFindings.Merge m = ExternalFindings.merge(List.of(own), List.of(twin, elsewhere, otherClass), TOOL);
        assertEquals(List.of(twin), m.duplicates());
        assertEquals(List.of(own, otherClass, elsewhere), m.findings(), "sorted by file and line, own kept");
    }

    @Test
    void aSecondToolFindingOfOneRuleOnOneLineIsDropped() {
        Finding a = at("other:SLEEP", "W.java", 5);
        Finding b = at("other:SLEEP", "W.java", 5);
        ExternalFindings.Merge m = ExternalFindings.merge(List.of(), List.of(a, b), TOOL);
        assertEquals(1, m.findings().size());
        assertEquals(1, m.duplicates().size());
    }

    @Test
    void unrelatedRuleOnTheSameLineIsKept() {
        Finding own = at("lock-order-inversion", "Counter.java", 84);
        Finding ext = at("other:VOLATILE", "Counter.java", 84);
        assertEquals(2, ExternalFindings.merge(List.of(own), List.of(ext), TOOL).findings().size());
    }

    @Test
    void sarifNamesTheToolOfEachMergedFinding() throws Exception {
        Finding own = at("unsynchronized-shared-write", "Counter.java", 10);
        Finding ext = at("other:SLEEP", "Counter.java", 20);
        StringWriter w = new StringWriter();
        SarifReport.write(new AnalysisResult(List.of(own, ext), List.of(), List.of("Counter.java")),
                RuleRegistry.descriptors(), "0.1.0",
                List.of(new SarifReport.Extension("Other", "1.0", "https://example.org/other", "other:")), w);
        JsonObject run = JsonParser.parseString(w.toString()).getAsJsonObject().getAsJsonArray("runs").get(0)
                .getAsJsonObject();
        JsonObject ext0 = run.getAsJsonObject("tool").getAsJsonArray("extensions").get(0).getAsJsonObject();
        assertEquals("Other", ext0.get("name").getAsString());
        assertEquals("other:SLEEP", ext0.getAsJsonArray("rules").get(0).getAsJsonObject().get("id").getAsString());
        JsonObject r0 = run.getAsJsonArray("results").get(0).getAsJsonObject();
        JsonObject r1 = run.getAsJsonArray("results").get(1).getAsJsonObject();
        assertTrue(!r0.has("rule"), "Interleave's own finding refers to the driver's rules");
        assertEquals(0, r1.getAsJsonObject("rule").getAsJsonObject("toolComponent").get("index").getAsInt());
        assertEquals("Other 1.0", r1.getAsJsonObject("properties").get("tool").getAsString());
    }

    @Test
    void missingBundleIsAClearMessage() {
        String old = System.getProperty(ClassFileAnalyzers.HOME_PROPERTY);
        System.setProperty(ClassFileAnalyzers.HOME_PROPERTY, "/nonexistent/interleave.spotbugs");
        try {
            ClassFileAnalyzers.NotInstalledException e = org.junit.jupiter.api.Assertions
                    .assertThrows(ClassFileAnalyzers.NotInstalledException.class, ClassFileAnalyzers::spotBugs);
            assertTrue(e.getMessage().startsWith("SpotBugs analysis is not installed"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(ClassFileAnalyzers.HOME_PROPERTY);
            } else {
                System.setProperty(ClassFileAnalyzers.HOME_PROPERTY, old);
            }
        }
    }
}
