package interleave.engine.tests.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.SourceFile;
import interleave.engine.analysis.Suppressions;
import interleave.engine.cli.Main;
import interleave.engine.external.ClassFileAnalyzers;
import interleave.engine.external.ExternalFindings;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Severity;
import interleave.engine.report.SarifReport;
import interleave.engine.rules.CheckProvider;
import interleave.engine.rules.CheckProviders;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.settings.SettingsException;

/**
 * Another tool's checks in the one registry (the SpotBugs bundle's provider, here a stand-in for tool "other:"): their
 * pages come from the provider, the settings and {@code interleave-ignore} comments apply to their findings, SARIF
 * describes them under the tool's extension.
 */
class ImportedChecksTest {
    static final String PAGE = "# Sleeps with a lock held\n\n`other:SLEEP` · found by Other\n\n## What Other says\n\n"
            + "Sleeping while holding a lock stalls every thread that needs it.\n";

    /** The stand-in tool's one pattern, as a provider in its bundle would describe it. */
    static final class OtherChecks implements CheckProvider {
        @Override
        public List<RuleDescriptor> checks() {
            return List.of(RuleDescriptor.imported("other:SLEEP", "Sleeps with a lock held",
                    "Sleeping while holding a lock stalls every thread that needs it.", Severity.WARNING,
                    "starvation: waiting while holding a lock",
                    List.of(new RuleDescriptor.Reference("Other SLEEP", "https://example.org/other#SLEEP")),
                    Language.JAVA, OtherChecks.class, PAGE));
        }
    }

    private final OtherChecks provider = new OtherChecks();

    @BeforeEach
    void register() {
        CheckProviders.register(provider);
    }

    @AfterEach
    void unregister() {
        CheckProviders.unregister(provider);
    }

    static final String SOURCE = String.join("\n", "class W {", // 1
            "  void a() throws Exception {", // 2
            "    synchronized (this) { Thread.sleep(5); }", // 3
            "    // interleave-ignore: other:SLEEP the test wants this one to wait", // 4
            "    synchronized (this) { Thread.sleep(6); }", // 5
            "    synchronized (this) { Thread.sleep(7); } // interleave-ignore: other:VOLATILE not this rule", // 6
            "    n++; // interleave-ignore: unsynchronized-shared-write counted once, read after join", // 7
            "  }", "}", "");

    static Settings settings(String text) throws SettingsException {
        return Settings.parse(text, ".interleave");
    }

    @Test
    void theProvidersPageIsTheCheckPage() {
        RuleDescriptor d = RuleRegistry.descriptor("other:SLEEP").orElseThrow();
        assertEquals(RuleDescriptor.Kind.IMPORTED, d.kind());
        assertEquals(PAGE, d.documentationMarkdown());
        assertTrue(d.documentationHtml().contains("<h1>Sleeps with a lock held</h1>"), d.documentationHtml());
        assertThrows(IllegalArgumentException.class, () -> RuleDescriptor.imported("other:X", "X", "x",
                Severity.NOTE, "c", List.of(), Language.JAVA, OtherChecks.class, " "));
        // a static rule's page is still generated from its annotation and its prose file
        RuleDescriptor own = RuleRegistry.descriptor("lock-order-inversion").orElseThrow();
        assertTrue(own.page().isEmpty());
        assertTrue(own.documentationMarkdown().startsWith("# " + own.title() + "\n"));
    }

    @Test
    void settingsNameImportedChecksAsTheyAreWritten() throws SettingsException {
        Settings s = settings("# SpotBugs' pattern off, another louder\nspotbugs:RU_INVOKE_RUN = off\n"
                + "  spotbugs:SWL_SLEEP_WITH_LOCK_HELD=error\nspotbugs\\:IS2_INCONSISTENT_SYNC = note\n"
                + "thread-unsafe-call.functions = glibc, \\\n  posix:extra\n");
        assertFalse(s.enabled("spotbugs:RU_INVOKE_RUN"));
        assertEquals(Severity.ERROR, s.severity("spotbugs:SWL_SLEEP_WITH_LOCK_HELD", Severity.NOTE));
        assertEquals(Severity.NOTE, s.severity("spotbugs:IS2_INCONSISTENT_SYNC", Severity.WARNING));
        assertTrue(s.enabled("spotbugs:OS_OPEN_STREAM"));
        // a continuation line keeps its colon: it is a value, not a key
        assertEquals("glibc, posix:extra", s.option("thread-unsafe-call", "functions"));
        SettingsException bad = assertThrows(SettingsException.class, () -> settings("spotbugs:bad-type = off\n"));
        assertTrue(bad.getMessage().contains("expected on, off"), bad.getMessage());
    }

    @Test
    void anIgnoreCommentNamesAnImportedCheck() {
        SourceFile f = SourceFile.of("W.java", SOURCE);
        assertEquals(List.of("other:SLEEP", "other:VOLATILE", "unsynchronized-shared-write"),
                Suppressions.rulesMentioned(f));
        assertEquals("the test wants this one to wait",
                Suppressions.justification(f, ExternalFindingsTest.at("other:SLEEP", "W.java", 5)).orElseThrow());
        assertTrue(Suppressions.justification(f, ExternalFindingsTest.at("other:SLEEP", "W.java", 6)).isEmpty());
    }

    @Test
    void settingsAndCommentsApplyToTheToolsFindings() throws SettingsException {
        Finding sleep3 = ExternalFindingsTest.at("other:SLEEP", "W.java", 3);
        Finding sleep5 = ExternalFindingsTest.at("other:SLEEP", "W.java", 5);
        Finding sleep6 = ExternalFindingsTest.at("other:SLEEP", "W.java", 6);
        Finding volatile7 = ExternalFindingsTest.at("other:VOLATILE", "W.java", 7);
        Finding ownSilenced = ExternalFindingsTest.at("unsynchronized-shared-write", "W.java", 7);
        AnalysisResult own = new AnalysisResult(List.of(), List.of(new Suppressions.Suppressed(ownSilenced,
                "counted once, read after join")), List.of(), List.of("W.java"));
        Map<String, SourceFile> files = Map.of("W.java", SourceFile.of("W.java", SOURCE));

        AnalysisResult r = ExternalFindings.mergeInto(own, List.of(sleep3, sleep5, sleep6, volatile7),
                ExternalFindingsTest.TOOL, settings("other:SLEEP = error\nother:TYPO = off\n"), files::get);
        // line 5 silenced by its comment, line 7 is the same bug as Interleave's silenced finding there
        assertEquals(List.of(3, 6), r.findings().stream().map(f -> f.location().startLine()).toList());
        assertTrue(r.findings().stream().allMatch(f -> f.severity() == Severity.ERROR), r.findings().toString());
        assertEquals(List.of(ownSilenced, sleep5.withSeverity(Severity.ERROR)),
                r.suppressed().stream().map(Suppressions.Suppressed::finding).toList());
        assertEquals("the test wants this one to wait", r.suppressed().get(1).justification());
        assertEquals(List.of(".interleave"), r.notifications().stream().map(Notification::file).toList());
        assertTrue(r.notifications().get(0).message().contains("no Other check 'other:TYPO'"),
                r.notifications().toString());

        AnalysisResult off = ExternalFindings.mergeInto(own, List.of(sleep3, sleep6), ExternalFindingsTest.TOOL,
                settings("other:SLEEP = off\n"), files::get);
        assertEquals(List.of(), off.findings());
        assertEquals(List.of(), off.notifications());
        // no source for the file: nothing can silence the finding, it is still shown
        assertEquals(1, ExternalFindings.mergeInto(own, List.of(sleep5), ExternalFindingsTest.TOOL,
                Settings.defaults(), f -> null).findings().size());
    }

    @Test
    void sarifDescribesTheToolsRulesUnderItsExtension() throws Exception {
        Finding own = ExternalFindingsTest.at("lock-order-inversion", "W.java", 2);
        Finding shown = ExternalFindingsTest.at("other:SLEEP", "W.java", 3);
        Finding silenced = ExternalFindingsTest.at("other:SLEEP", "W.java", 5);
        StringWriter w = new StringWriter();
        SarifReport.write(new AnalysisResult(List.of(own, shown), List.of(new Suppressions.Suppressed(silenced,
                "waits on purpose")), List.of(), List.of("W.java")), RuleRegistry.checks(), "0.1.0",
                List.of(new SarifReport.Extension("Other", "1.0", "https://example.org/other", "other:")), w);
        JsonObject run = JsonParser.parseString(w.toString()).getAsJsonObject().getAsJsonArray("runs").get(0)
                .getAsJsonObject();
        JsonObject tool = run.getAsJsonObject("tool");
        for (var rule : tool.getAsJsonObject("driver").getAsJsonArray("rules")) {
            assertFalse(rule.getAsJsonObject().get("id").getAsString().startsWith("other:"), "in the driver: " + rule);
        }
        JsonArray extRules = tool.getAsJsonArray("extensions").get(0).getAsJsonObject().getAsJsonArray("rules");
        assertEquals(1, extRules.size());
        JsonObject rule = extRules.get(0).getAsJsonObject();
        assertEquals("other:SLEEP", rule.get("id").getAsString());
        assertEquals("SLEEP", rule.get("name").getAsString());
        assertEquals("Sleeps with a lock held", rule.getAsJsonObject("shortDescription").get("text").getAsString());
        assertEquals(PAGE, rule.getAsJsonObject("help").get("markdown").getAsString());
        assertEquals("warning", rule.getAsJsonObject("defaultConfiguration").get("level").getAsString());
        JsonArray results = run.getAsJsonArray("results");
        assertEquals(3, results.size());
        assertTrue(results.get(0).getAsJsonObject().has("ruleIndex"), "Interleave's own rule: the driver's");
        for (int i = 1; i < 3; i++) {
            JsonObject r = results.get(i).getAsJsonObject();
            assertFalse(r.has("ruleIndex"), "no index into the driver's rules for another tool's finding");
            JsonObject ref = r.getAsJsonObject("rule");
            assertEquals("other:SLEEP", ref.get("id").getAsString());
            assertEquals(0, ref.get("index").getAsInt());
            assertEquals(0, ref.getAsJsonObject("toolComponent").get("index").getAsInt());
        }
        assertTrue(results.get(2).getAsJsonObject().has("suppressions"), "the silenced one stays, suppressed");
    }

    @Test
    void withoutTheSpotBugsBundleRulesSaysSoAndExplainIsAClearError() {
        String old = System.getProperty(ClassFileAnalyzers.HOME_PROPERTY);
        System.setProperty(ClassFileAnalyzers.HOME_PROPERTY, "/nonexistent/interleave.spotbugs");
        try {
            StringWriter out = new StringWriter(), err = new StringWriter();
            assertEquals(0, Main.run(new String[] {"rules"}, new PrintWriter(out), new PrintWriter(err)));
            assertTrue(out.toString().contains("SpotBugs' patterns (spotbugs:TYPE) are not listed: SpotBugs analysis"
                    + " is not installed"), out.toString());
            assertTrue(out.toString().contains("  other:SLEEP "), "a registered provider's checks are listed");
            out = new StringWriter();
            err = new StringWriter();
            assertEquals(2, Main.run(new String[] {"explain", "spotbugs:RU_INVOKE_RUN"}, new PrintWriter(out),
                    new PrintWriter(err)));
            assertTrue(err.toString().startsWith("interleave: cannot explain spotbugs:RU_INVOKE_RUN: SpotBugs"
                    + " analysis is not installed"), err.toString());
            out = new StringWriter();
            assertEquals(0, Main.run(new String[] {"explain", "other:SLEEP"}, new PrintWriter(out),
                    new PrintWriter(new StringWriter())));
            assertEquals(PAGE, out.toString());
        } finally {
            if (old == null) {
                System.clearProperty(ClassFileAnalyzers.HOME_PROPERTY);
            } else {
                System.setProperty(ClassFileAnalyzers.HOME_PROPERTY, old);
            }
        }
    }
}
