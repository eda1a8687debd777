package interleave.spotbugs;

import java.util.Optional;

import edu.umd.cs.findbugs.BugPattern;
import edu.umd.cs.findbugs.DetectorFactoryCollection;
import edu.umd.cs.findbugs.I18N;
import edu.umd.cs.findbugs.Version;

/**
 * The page of one SpotBugs bug pattern, for Explain on a finding of rule {@code spotbugs:TYPE}: SpotBugs' own title
 * and description (from its messages), its category, and the lecture's name for the bug class with Interleave's twin
 * rule when there is one. Markdown for plain-text views, HTML for a browser.
 */
public record BugPatternPage(String ruleId, String title, String category, String detailHtml, String detailText,
        String moreUrl, Optional<String> concept, Optional<String> twinRuleId) {

    /** The page of {@code spotbugs:TYPE} (or of a bare TYPE); empty for a type SpotBugs does not know. */
    public static Optional<BugPatternPage> of(String ruleId) {
        String type = ruleId.startsWith(SpotBugsAnalyzer.PREFIX) ? ruleId.substring(SpotBugsAnalyzer.PREFIX.length())
                : ruleId;
        BugPattern p = DetectorFactoryCollection.instance().lookupBugPattern(type);
        if (p == null) {
            return Optional.empty();
        }
        String category = I18N.instance().getBugCategoryDescription(p.getCategory());
        Optional<BugTypes.Twin> twin = BugTypes.twin(type);
        return Optional.of(new BugPatternPage(SpotBugsAnalyzer.PREFIX + type, p.getShortDescription().strip(),
                category == null ? p.getCategory() : category, p.getDetailText().strip(),
                p.getDetailPlainText().strip(), p.getUri().map(Object::toString).orElse(""),
                twin.map(BugTypes.Twin::concept), twin.map(BugTypes.Twin::ruleId)));
    }

    private String origin() {
        return "found by SpotBugs " + Version.VERSION_STRING + " on the compiled classes · category: " + category;
    }

    /** Why the finding is in Interleave's list and how it relates to Interleave's own rules. */
    private String relation() {
        String merged = "Interleave runs SpotBugs' thread and resource detectors on the project's compiled classes and"
                + " shows their findings beside its own, without quick fixes.";
        return twinRuleId.map(t -> merged + " Interleave's own rule for this bug class is " + t + "; where both"
                + " report one line, only Interleave's finding is kept.").orElse(merged);
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        sb.append("`").append(ruleId).append("` · ").append(origin()).append("\n\n");
        concept.ifPresent(c -> sb.append("**Lecture concept:** ").append(c).append("\n\n"));
        sb.append(relation()).append("\n\n");
        sb.append("## What SpotBugs says\n\n").append(detailText).append("\n\n");
        if (!moreUrl.isEmpty()) {
            sb.append("More: ").append(moreUrl).append('\n');
        }
        return sb.toString();
    }

    /** A self-contained HTML page; SpotBugs' description is its own HTML, the rest is escaped. */
    public String html() {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title><style>body{font-family:sans-serif;max-width:46em;margin:1em"
                        + " auto;line-height:1.45}pre{background:#f4f4f4;padding:.6em;overflow:auto}code{font-size:90%}"
                        + "</style></head><body>\n");
        sb.append("<h1>").append(escape(title)).append("</h1>\n");
        sb.append("<p><code>").append(escape(ruleId)).append("</code> · ").append(escape(origin())).append("</p>\n");
        concept.ifPresent(c -> sb.append("<p><strong>Lecture concept:</strong> ").append(escape(c)).append("</p>\n"));
        sb.append("<p>").append(escape(relation())).append("</p>\n");
        sb.append("<h2>What SpotBugs says</h2>\n").append(detailHtml).append('\n');
        if (!moreUrl.isEmpty()) {
            sb.append("<p>More: <a href=\"").append(escape(moreUrl)).append("\">").append(escape(moreUrl))
                    .append("</a></p>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
