package interleave.engine.external;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import interleave.engine.finding.Finding;

/**
 * Another tool that reads compiled classes (SpotBugs) and whose findings are merged into Interleave's. It lives in
 * its own bundle and is loaded only when classes are to be analyzed ({@link ClassFileAnalyzers}), so a C-only
 * analysis never loads it.
 */
public interface ClassFileAnalyzer {
    /** The tool's name as SARIF's tool component and the text report show it ("SpotBugs"). */
    String toolName();

    String toolVersion();

    String informationUri();

    /** Every rule id of this tool's findings starts with this ("spotbugs:"). */
    String rulePrefix();

    /**
     * Analyzes class folders and jars; a finding's file is its source file found under {@code sourceRoots} (shown
     * through {@code display}), else the source file name the class records.
     */
    List<Finding> analyze(List<Path> classes, List<Path> sourceRoots, Function<Path, String> display)
            throws IOException;

    /**
     * What the last {@link #analyze} call wants the user to know besides findings, one line each (classes it needed
     * but could not find, classes it could not read).
     */
    default List<String> notes() {
        return List.of();
    }

    /** The Interleave rule that reports the same bug class as this tool's {@code ruleId}, if there is one. */
    Optional<String> sameBugAs(String ruleId);
}
