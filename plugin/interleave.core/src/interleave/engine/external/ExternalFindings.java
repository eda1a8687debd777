package interleave.engine.external;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.SourceFile;
import interleave.engine.analysis.Suppressions;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

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

    /**
     * Another tool's findings put through what the user said about them, as Interleave's own findings are: a check the
     * settings turn off ({@code spotbugs:RU_INVOKE_RUN = off}) is dropped, a severity they set is applied, and an
     * {@code interleave-ignore: spotbugs:RU_INVOKE_RUN reason} comment on the finding's line (or alone on the line
     * above) makes it a suppressed result. Then it is merged with {@code own} ({@link #merge}); a tool finding on a
     * line where the same bug's Interleave finding was suppressed counts as a duplicate of it, so silencing one bug
     * silences it once. Settings that name a check of this tool that the registry does not have get a warning.
     *
     * @param sources the source file a finding's file name stands for, or null when it is not known (then no comment
     *                can silence the finding)
     */
    public static AnalysisResult mergeInto(AnalysisResult own, List<Finding> external, ClassFileAnalyzer tool,
            Settings settings, Function<String, SourceFile> sources) {
        List<Notification> notes = new ArrayList<>(own.notifications());
        boolean toolChecksKnown = RuleRegistry.checks().stream().anyMatch(d -> d.id().startsWith(tool.rulePrefix()));
        for (String id : settings.mentionedRules()) {
            if (id.startsWith(tool.rulePrefix()) && toolChecksKnown && RuleRegistry.descriptor(id).isEmpty()) {
                notes.add(Notification.warning(settings.origin(), "no " + tool.toolName() + " check '" + id
                        + "' (interleave rules lists them); the setting is ignored"));
            }
        }
        List<Finding> switched = new ArrayList<>();
        for (Finding f : external) {
            if (!settings.enabled(f.ruleId())) {
                continue;
            }
            switched.add(settings.overridesSeverity(f.ruleId())
                    ? f.withSeverity(settings.severity(f.ruleId(), f.severity())) : f);
        }
        java.util.Map<String, SourceFile> files = new java.util.HashMap<>();
        for (Finding f : switched) {
            String file = f.location().file();
            if (!files.containsKey(file)) {
                files.put(file, sources.apply(file));
            }
        }
        files.values().removeIf(java.util.Objects::isNull);
        List<Finding> shown = new ArrayList<>();
        List<Suppressions.Suppressed> suppressed = new ArrayList<>(own.suppressed());
        Suppressions.split(switched, files, shown, suppressed);
        List<Finding> ownAndSilenced = new ArrayList<>(own.findings());
        own.suppressed().forEach(s -> ownAndSilenced.add(s.finding()));
        Merge merged = merge(ownAndSilenced, shown, tool);
        Set<Finding> silenced = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        own.suppressed().forEach(s -> silenced.add(s.finding()));
        List<Finding> out = merged.findings().stream().filter(f -> !silenced.contains(f)).toList();
        return new AnalysisResult(out, suppressed, notes, own.filesAnalyzed());
    }

    private static String key(String ruleId, Finding f) {
        return ruleId + "\0" + f.location().file() + "\0" + f.location().startLine();
    }
}
