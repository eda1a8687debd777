package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.tests.Fixtures;

/** Each fixture program gets exactly the findings annotated on its lines, from every rule at once. */
class RuleFixturesTest {

    /**
     * Fixture folders whose rules cannot run yet. Empty: the rules written once over the neutral concurrency facts run
     * on Java programs through the one analyzer, so their Java fixtures run like every other.
     */
    static final java.util.Set<String> WAITING_FOR_THE_NEUTRAL_RULES = java.util.Set.of();

    @TestFactory
    Stream<DynamicTest> everyFixtureGetsExactlyItsAnnotatedFindings() {
        return Fixtures.programs().stream().filter(p -> !WAITING_FOR_THE_NEUTRAL_RULES.contains(p.ruleFolder()))
                .map(p -> dynamicTest(p.name(), () -> {
            AnalysisResult r = p.analyze();
            TreeSet<String> actual = Fixtures.actual(r);
            assertEquals(String.join("\n", p.expected()), String.join("\n", actual),
                    "findings of " + p.name() + " (expected vs actual, one 'file:line rule' per line)");
            p.expectedFragments().forEach((key, fragments) -> {
                List<String> missing = Fixtures.missingFragments(r, key, fragments);
                assertTrue(missing.isEmpty(), key + ": no finding there says " + missing + "; it says: "
                        + r.findings().stream().filter(f -> Fixtures.key(f).equals(key)).map(f -> f.message()
                                + " | notes: " + f.evidence().stream().map(e -> e.message()).toList()).toList());
            });
            for (String miss : p.knownMisses()) {
                assertFalse(actual.contains(miss), "known miss is found now, update the fixture: " + miss);
            }
        }));
    }

    @Test
    void everyRuleHasBadAndGoodFixturesAndADocumentationPage() throws IOException {
        for (RuleDescriptor d : RuleRegistry.descriptors()) {
            Path dir = Fixtures.root().resolve("c").resolve(d.id());
            assertTrue(Files.isDirectory(dir), "no fixtures for " + d.id());
            List<Fixtures.Program> programs = Fixtures.programsOf(dir);
            assertTrue(programs.stream().anyMatch(p -> !p.expected().isEmpty()), d.id() + " has no bad fixture");
            assertTrue(programs.stream().anyMatch(p -> p.expected().isEmpty()), d.id() + " has no good fixture");
            String doc = d.documentationMarkdown();
            assertTrue(doc.contains("## Bad") && doc.contains("## Good"), d.id() + " page lacks Bad/Good examples");
            assertTrue(d.documentationHtml().contains("<h1>" + d.title() + "</h1>"));
        }
    }

    @Test
    void everyJavaRuleHasBadAndGoodFixturesAndADocumentationPage() throws IOException {
        for (RuleDescriptor d : interleave.java.rules.JavaRules.descriptors()) {
            Path dir = Fixtures.root().resolve("java").resolve(d.id());
            assertTrue(Files.isDirectory(dir), "no Java fixtures for " + d.id());
            List<Fixtures.Program> programs = Fixtures.programsOf(dir);
            assertTrue(programs.stream().anyMatch(p -> !p.expected().isEmpty()), d.id() + " has no bad fixture");
            assertTrue(programs.stream().anyMatch(p -> p.expected().isEmpty()), d.id() + " has no good fixture");
            assertEquals(interleave.engine.rules.Language.JAVA, d.language(), d.id());
            String doc = d.documentationMarkdown();
            assertTrue(doc.contains("## Bad") && doc.contains("## Good"), d.id() + " page lacks Bad/Good examples");
        }
    }

    @Test
    void javaFixtureFoldersNameJavaRulesOrTheNeutralOnes() throws IOException {
        try (Stream<Path> dirs = Files.list(Fixtures.root().resolve("java"))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String id = d.getFileName().toString();
                boolean java = interleave.java.rules.JavaRules.descriptors().stream().anyMatch(x -> x.id().equals(id));
                boolean neutral = RuleRegistry.descriptor(id).isPresent();
                assertTrue(java || neutral, "Java fixture folder for unknown rule " + id);
            }
        }
    }

    @Test
    void fixtureFoldersNameRegisteredRules() throws IOException {
        try (Stream<Path> dirs = Files.list(Fixtures.root().resolve("c"))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String id = d.getFileName().toString();
                assertTrue(RuleRegistry.descriptor(id).isPresent(), "fixture folder for unknown rule " + id);
            }
        }
    }
}
