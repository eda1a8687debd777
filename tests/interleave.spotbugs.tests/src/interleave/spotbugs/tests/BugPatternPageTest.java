package interleave.spotbugs.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.spotbugs.BugPatternPage;
import interleave.spotbugs.BugTypes;
import interleave.spotbugs.SpotBugsAnalyzer;

/**
 * What Eclipse needs from the SpotBugs bundle beyond the command line: a pattern's page for Explain, and the libraries
 * of a project's build path given to SpotBugs so that it does not miss their classes.
 */
class BugPatternPageTest {

    @Test
    void aPatternWithAnInterleaveTwinHasSpotBugsTextAndTheLecturesWords() {
        BugPatternPage page = BugPatternPage.of("spotbugs:SWL_SLEEP_WITH_LOCK_HELD").orElseThrow();
        assertEquals("spotbugs:SWL_SLEEP_WITH_LOCK_HELD", page.ruleId());
        assertTrue(page.title().toLowerCase().contains("sleep"), page.title());
        assertEquals(Optional.of(BugTypes.BLOCKING_UNDER_LOCK), page.twinRuleId());
        String md = page.markdown();
        assertTrue(md.startsWith("# " + page.title() + "\n"), md);
        assertTrue(md.contains("**Lecture concept:** starvation") && md.contains(BugTypes.BLOCKING_UNDER_LOCK)
                && md.contains("found by SpotBugs 4.") && md.contains("Multithreaded correctness"), md);
        assertTrue(md.contains(page.detailText()) && page.detailText().contains("Thread.sleep()"), md);
        String html = page.html();
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains(page.detailHtml())
                && html.contains("<h2>What SpotBugs says</h2>"), html);
    }

    @Test
    void aPatternWithoutTwinAndAnUnknownOne() {
        BugPatternPage run = BugPatternPage.of("RU_INVOKE_RUN").orElseThrow();
        assertEquals("spotbugs:RU_INVOKE_RUN", run.ruleId(), "a bare type gets the prefix");
        assertEquals(Optional.empty(), run.twinRuleId());
        assertTrue(!run.markdown().contains("Lecture concept") && run.markdown().contains("without quick fixes"),
                run.markdown());
        assertEquals(Optional.empty(), BugPatternPage.of("spotbugs:NO_SUCH_PATTERN"));
    }

    @Test
    void librariesGivenAsAuxiliaryClasspathAreNotMissing(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("lib"));
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("lib/Base.java"), "package lib;\npublic class Base {\n"
                + "    public void work() {\n    }\n}\n");
        Files.writeString(src.resolve("app/App.java"), "package app;\npublic class App extends lib.Base {\n"
                + "    @Override\n    public void work() {\n        super.work();\n    }\n}\n");
        Path libClasses = dir.resolve("lib-classes");
        Path appClasses = dir.resolve("app-classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "--release", "21", "-g", "-d", libClasses.toString(),
                src.resolve("lib/Base.java").toString()));
        assertEquals(0, javac.run(null, null, null, "--release", "21", "-g", "-cp", libClasses.toString(), "-d",
                appClasses.toString(), src.resolve("app/App.java").toString()));

        SpotBugsAnalyzer alone = new SpotBugsAnalyzer();
        alone.analyze(List.of(appClasses), List.of(src), Path::toString);
        assertTrue(alone.notes().stream().anyMatch(n -> n.contains("were not found")), "lib.Base is missing: "
                + alone.notes());
        SpotBugsAnalyzer withLibrary = new SpotBugsAnalyzer();
        withLibrary.analyze(List.of(appClasses), List.of(libClasses), List.of(src), Path::toString);
        assertEquals(List.of(), withLibrary.notes(), "the library is on the auxiliary classpath");
    }
}
