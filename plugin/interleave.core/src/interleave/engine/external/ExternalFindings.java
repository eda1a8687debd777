package interleave.engine.external;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import interleave.engine.finding.Finding;

/** Merges another tool's findings into Interleave's, so no bug is reported twice. */
public final class ExternalFindings {
    private ExternalFindings() {
    }

    /** What a merge kept and what it dropped as a duplicate. */
    public record Merge(List<Finding> findings, List<Finding> duplicates) {
    }

    /**
     * Interleave's own findings plus those of {@code tool} that are not duplicates: dropped are a tool finding on a
     * line where Interleave reports the same bug class ({@link ClassFileAnalyzer#sameBugAs}), and a second tool
     * finding of one rule on one line. The result is sorted by file, line and column;
     * at one position Interleave's own findings come first.
     */
    public static Merge merge(List<Finding> own, List<Finding> external, ClassFileAnalyzer tool) {
        Set<String> ownKeys = new HashSet<>();
        for (Finding f : own) {
            ownKeys.add(key(f.ruleId(), f));
        }
        List<Finding> out = new ArrayList<>(own);
        List<Finding> dropped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Finding f : external) {
            Optional<String> same = tool.sameBugAs(f.ruleId());
            if (same.isPresent() && ownKeys.contains(key(same.get(), f)) || !seen.add(key(f.ruleId(), f))) {
                dropped.add(f);
            } else {
                out.add(f);
            }
        }
        out.sort(Comparator.comparing((Finding f) -> f.location().file())
                .thenComparingInt(f -> f.location().startLine()).thenComparingInt(f -> f.location().startColumn()));
        return new Merge(out, dropped);
    }

    private static String key(String ruleId, Finding f) {
        return ruleId + "\0" + f.location().file() + "\0" + f.location().startLine();
    }
}
