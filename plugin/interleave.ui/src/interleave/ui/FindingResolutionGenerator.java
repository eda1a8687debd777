package interleave.ui;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.IMarkerResolutionGenerator2;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;

/**
 * Quick fixes for Interleave markers. The marker holds only the rule id and the finding's fingerprint; the fixes are
 * recomputed by analyzing the marker's program again (from open editor buffers where there are any), so their offsets
 * always match the text they are applied to. Every marker also gets "Explain: rule title".
 */
public final class FindingResolutionGenerator implements IMarkerResolutionGenerator2 {

    @Override
    public boolean hasResolutions(IMarker marker) {
        // Cheap on purpose: called for every marker the ruler paints. Explain is always available.
        return !marker.getAttribute(InterleaveMarkers.RULE_ID, "").isEmpty();
    }

    @Override
    public IMarkerResolution[] getResolutions(IMarker marker) {
        List<IMarkerResolution> resolutions = new ArrayList<>();
        String ruleId = marker.getAttribute(InterleaveMarkers.RULE_ID, "");
        if (ruleId.isEmpty()) {
            return new IMarkerResolution[0];
        }
        if (SpotBugsInWorkspace.isSpotBugsRule(ruleId)) {
            // another tool's finding: no fixes to recompute, only its pattern's page
            SpotBugsInWorkspace.page(ruleId).ifPresent(p -> resolutions.add(new ExplainPatternResolution(p)));
            return resolutions.toArray(IMarkerResolution[]::new);
        }
        try {
            Reanalysis again = reanalyze(marker);
            again.finding().ifPresent(f -> {
                for (Fix fix : f.fixes()) {
                    resolutions.add(new ApplyFixResolution(fix, again.analyzedTexts(), again.scope()));
                }
            });
        } catch (CoreException | RuntimeException e) {
            // The explanation is still useful when the files cannot be re-read; say why the fixes are missing.
            ILog.of(getClass()).warn("Interleave could not recompute the quick fixes of '"
                    + marker.getAttribute(IMarker.MESSAGE, "") + "': " + e.getMessage(), e);
        }
        Optional<RuleDescriptor> rule = RuleRegistry.descriptor(ruleId);
        rule.ifPresent(d -> resolutions.add(new ExplainRuleResolution(d, InterleaveMarkers.evidenceOf(marker))));
        return resolutions.toArray(IMarkerResolution[]::new);
    }

    /** The finding behind a marker, found again by fingerprint, and the texts it was computed on. */
    record Reanalysis(Optional<Finding> finding, Map<String, String> analyzedTexts, List<IResource> scope) {
    }

    static Reanalysis reanalyze(IMarker marker) throws CoreException {
        List<IResource> scope = InterleaveMarkers.scopeOf(marker);
        WorkspaceSources.Program program = WorkspaceSources.read(WorkspaceSources.collect(scope), true, () -> {
        });
        AnalysisResult result = new Analyzer(JavaProjects.frontEnds(scope), RuleRegistry.rules(),
                Runtime.getRuntime().availableProcessors(), Settings.defaults(), null)
                .analyze(program.sources(), Analyzer.Progress.NONE, () -> false);
        String fingerprint = marker.getAttribute(InterleaveMarkers.FINGERPRINT, "");
        Optional<Finding> finding = result.findings().stream().filter(f -> f.fingerprint().equals(fingerprint))
                .findFirst();
        Map<String, String> texts = new HashMap<>();
        for (SourceFile s : program.sources()) {
            texts.put(s.path(), s.text());
        }
        return new Reanalysis(finding, texts, scope);
    }
}
