package interleave.spotbugs.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import interleave.engine.finding.Severity;
import interleave.engine.rules.CheckProviders;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.spotbugs.BugPatternPage;
import interleave.spotbugs.SpotBugsAnalyzer;
import interleave.spotbugs.SpotBugsChecks;

/** SpotBugs' patterns as checks of the one registry: which ones, their metadata, their pages. */
class SpotBugsChecksTest {

    @Test
    void everyPatternInterleaveRunsIsACheckWithSpotBugsPage() {
        List<RuleDescriptor> checks = new SpotBugsChecks().checks();
        Set<String> ids = new HashSet<>();
        for (RuleDescriptor d : checks) {
            assertTrue(ids.add(d.id()), "twice: " + d.id());
            assertTrue(d.id().startsWith(SpotBugsAnalyzer.PREFIX), d.id());
            assertEquals(RuleDescriptor.Kind.IMPORTED, d.kind(), d.id());
            assertEquals(Language.JAVA, d.language(), d.id());
            BugPatternPage page = BugPatternPage.of(d.id()).orElseThrow();
            assertEquals(page.title(), d.title());
            assertEquals(page.markdown(), d.documentationMarkdown(), d.id());
            assertTrue(d.documentationMarkdown().startsWith("# " + d.title() + "\n"), d.id());
            assertFalse(d.summary().isBlank() || d.summary().length() > 300, d.id() + ": " + d.summary());
        }
        // the thread bugs and the resource bugs of the lecture, each with its severity
        for (String type : List.of("RU_INVOKE_RUN", "SWL_SLEEP_WITH_LOCK_HELD", "VO_VOLATILE_INCREMENT",
                "IS2_INCONSISTENT_SYNC", "OS_OPEN_STREAM", "OBL_UNSATISFIED_OBLIGATION")) {
            assertTrue(ids.contains(SpotBugsAnalyzer.PREFIX + type), type + " not in " + ids);
        }
        RuleDescriptor weak = checks.stream()
                .filter(d -> d.id().equals("spotbugs:AT_STALE_THREAD_WRITE_OF_PRIMITIVE")).findFirst().orElseThrow();
        assertEquals(Severity.NOTE, weak.defaultSeverity(), "shown as a note, as its findings are");
        // not a thread or resource bug: SpotBugs reports it, Interleave leaves it out, so it is no check of ours
        for (String other : List.of("NP_NULL_ON_SOME_PATH", "DM_EXIT", "DE_MIGHT_IGNORE")) {
            assertFalse(ids.contains(SpotBugsAnalyzer.PREFIX + other), other);
        }
        RuleDescriptor ru = checks.stream().filter(d -> d.id().equals("spotbugs:RU_INVOKE_RUN")).findFirst()
                .orElseThrow();
        assertTrue(ru.summary().contains("run()"), ru.summary());
        assertTrue(ru.references().get(0).url().startsWith("https://"), ru.references().toString());
    }

    @Test
    void registeredTheyAreInTheRegistryBesideInterleavesOwn() {
        int before = RuleRegistry.checks().size();
        SpotBugsChecks provider = new SpotBugsChecks();
        CheckProviders.register(provider);
        try {
            assertEquals(before + provider.checks().size(), RuleRegistry.checks().size());
            RuleDescriptor d = RuleRegistry.descriptor("spotbugs:RU_INVOKE_RUN").orElseThrow();
            assertTrue(d.documentationMarkdown().contains("## What SpotBugs says"), d.documentationMarkdown());
            assertTrue(d.documentationHtml().contains("<h2>What SpotBugs says</h2>"), d.documentationHtml());
            assertTrue(RuleRegistry.descriptor("lock-order-inversion").isPresent(), "static rules still there");
        } finally {
            CheckProviders.unregister(provider);
        }
        assertEquals(before, RuleRegistry.checks().size());
    }
}
