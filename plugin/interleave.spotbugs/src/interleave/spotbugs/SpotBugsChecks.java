package interleave.spotbugs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import edu.umd.cs.findbugs.BugPattern;
import edu.umd.cs.findbugs.DetectorFactory;
import edu.umd.cs.findbugs.DetectorFactoryCollection;
import edu.umd.cs.findbugs.config.UserPreferences;
import interleave.engine.finding.Severity;
import interleave.engine.rules.CheckProvider;
import interleave.engine.rules.Language;
import interleave.engine.rules.RuleDescriptor;

/**
 * SpotBugs' patterns that Interleave runs, as imported checks of the one registry: every pattern of a detector that
 * {@link SpotBugsAnalyzer} runs (SpotBugs' default set) whose findings Interleave keeps ({@link BugTypes}), with the
 * page {@link BugPatternPage} makes from SpotBugs' own texts. Found through the services file on a plain class path,
 * as the core's buddy in OSGi, or registered by the command line when it loads the bundle.
 */
public final class SpotBugsChecks implements CheckProvider {
    /** Made once: the patterns do not change while the bundle is loaded. */
    private static volatile List<RuleDescriptor> checks;

    @Override
    public List<RuleDescriptor> checks() {
        List<RuleDescriptor> c = checks;
        if (c == null) {
            checks = c = describe();
        }
        return c;
    }

    private static List<RuleDescriptor> describe() {
        SpotBugsAnalyzer.quietLogging();
        UserPreferences prefs = UserPreferences.createDefaultUserPreferences();
        Map<String, BugPattern> run = new TreeMap<>();
        for (DetectorFactory f : DetectorFactoryCollection.instance().getFactories()) {
            if (!prefs.isDetectorEnabled(f) || !f.isReportingDetector()) {
                continue; // SpotBugsAnalyzer runs the default detectors only
            }
            for (BugPattern p : f.getReportedBugPatterns()) {
                if (!p.isDeprecated() && BugTypes.shown(p.getType(), p.getCategory())) {
                    run.put(p.getType(), p);
                }
            }
        }
        List<RuleDescriptor> out = new ArrayList<>();
        for (BugPattern p : run.values()) {
            BugPatternPage.of(p.getType()).ifPresent(page -> out.add(descriptor(p, page)));
        }
        return List.copyOf(out);
    }

    private static RuleDescriptor descriptor(BugPattern p, BugPatternPage page) {
        List<RuleDescriptor.Reference> refs = page.moreUrl().isEmpty() ? List.of()
                : List.of(new RuleDescriptor.Reference("SpotBugs " + p.getType(), page.moreUrl()));
        // a finding's own severity comes from its priority; the listing shows what most of this pattern's get
        Severity severity = BugTypes.WEAK_EVIDENCE.contains(p.getType()) ? Severity.NOTE : Severity.WARNING;
        return RuleDescriptor.imported(page.ruleId(), page.title(), summary(page), severity,
                page.concept().orElse(page.category()), refs, Language.JAVA, SpotBugsChecks.class, page.markdown());
    }

    /** SpotBugs' description cut to its first sentence, for one-line listings and SARIF's full description. */
    static String summary(BugPatternPage page) {
        String text = page.detailText().replaceAll("\\s+", " ").strip();
        int end = text.indexOf(". ");
        String first = end < 0 ? text : text.substring(0, end + 1);
        if (first.length() > 300) {
            first = first.substring(0, 297).strip() + "...";
        }
        return first.isEmpty() ? page.title() : first;
    }
}
