package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import interleave.engine.cli.Main;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.detectors.DynamicDetector;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;

/** One registry of every check: static rules of each language, neutral rules, dynamic detectors. */
class RegistryTest {

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void everyCheckHasADistinctIdAndAPage() {
        Set<String> ids = new HashSet<>();
        List<RuleDescriptor> checks = RuleRegistry.checks();
        for (RuleDescriptor d : checks) {
            assertTrue(ids.add(d.id()), "two checks named " + d.id());
            String page = d.documentationMarkdown();
            assertTrue(page.startsWith("# " + d.title() + "\n"), d.id());
            assertTrue(page.contains("## Bad") && page.contains("## Good"), d.id() + " page lacks Bad/Good");
            assertEquals(d, RuleRegistry.descriptor(d.id()).orElseThrow(), d.id());
        }
        // every detector and every static rule is in it, each with its kind
        for (DynamicDetector det : DetectorRegistry.detectors()) {
            RuleDescriptor d = RuleRegistry.descriptor(det.descriptor().id()).orElseThrow();
            assertEquals(RuleDescriptor.Kind.DYNAMIC, d.kind(), d.id());
        }
        for (RuleDescriptor d : RuleRegistry.descriptors()) {
            assertEquals(RuleDescriptor.Kind.STATIC, d.kind(), d.id());
        }
        assertEquals(RuleRegistry.descriptors().size() + DetectorRegistry.detectors().size(), checks.size());
    }

    @Test
    void theConcurrencyRulesAreWrittenOnceForEveryLanguage() {
        for (String id : List.of("lock-order-inversion", "unsynchronized-shared-write")) {
            RuleDescriptor d = RuleRegistry.descriptor(id).orElseThrow();
            assertEquals(Language.ANY, d.language(), id);
            assertTrue(d.documentationMarkdown().contains("language: every language"), id);
        }
        // and they still run on C
        Set<String> cIds = new HashSet<>();
        RuleRegistry.cRules().forEach(r -> cIds.add(RuleDescriptor.of(r.getClass()).id()));
        assertTrue(cIds.containsAll(List.of("lock-order-inversion", "unsynchronized-shared-write",
                "stack-address-to-thread")), cIds.toString());
    }

    @Test
    void explainShowsADetectorsPage() {
        Run r = run("explain", "observed-zombies");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("# "), r.out());
        assertTrue(r.out().contains("`observed-zombies`") && r.out().contains("## How it shows in the trace"), r.out());
        Run missing = run("explain", "observed-nothing");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("no rule or detector 'observed-nothing'"), missing.err());
    }

    @Test
    void rulesListsEveryCheckGroupedByKindAndLanguage() {
        Run r = run("rules");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        int c = out.indexOf("Static rules, C:"), any = out.indexOf("Static rules, every language"),
                dyn = out.indexOf("Dynamic detectors (traced runs), C:");
        assertTrue(c >= 0 && any > c && dyn > any, out);
        for (RuleDescriptor d : RuleRegistry.checks()) {
            assertTrue(out.contains("  " + d.id() + " "), d.id() + " not listed:\n" + out);
        }
        assertTrue(out.indexOf("observed-zombies") > dyn && out.indexOf("lock-order-inversion") > any
                && out.indexOf("lock-order-inversion") < dyn, out);
        assertFalse(out.substring(c, any).contains("unsynchronized-shared-write"), out);
    }
}
