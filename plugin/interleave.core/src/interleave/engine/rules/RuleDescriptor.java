package interleave.engine.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import interleave.engine.finding.Severity;

/**
 * A check's metadata, read from its {@link RuleInfo}, plus its documentation page. Every check has one: static rules,
 * dynamic detectors, and imported patterns of other tools.
 *
 * @param ruleClass the rule's class, whose {@code <SimpleName>.md} is the page's prose; for an imported check, the
 *                  class of the provider that made it
 * @param kind      what sort of check it is (listed grouped by it)
 * @param page      the whole page in Markdown when the provider wrote it (an imported check's page comes from the
 *                  other tool's own texts), else empty: the page is generated from the metadata and the prose file
 */
public record RuleDescriptor(String id, String title, String summary, Severity defaultSeverity, String concept,
        List<Reference> references, Language language, Class<?> ruleClass, Kind kind, String page) {

    /** Where a check's findings come from. */
    public enum Kind {
        /** Reads source code: a rule of one language, or one written once over the neutral facts. */
        STATIC("static rules"),
        /** Reads what a traced run did. */
        DYNAMIC("dynamic detectors (traced runs)"),
        /** Another tool's check whose findings are merged in (SpotBugs patterns). */
        IMPORTED("imported checks");

        private final String heading;

        Kind(String heading) {
            this.heading = heading;
        }

        /** How listings head a group of them. */
        public String heading() {
            return heading;
        }
    }

    /** A citation: label such as "CERT SIG30-C" and, when there is one, a URL. */
    public record Reference(String label, String url) {
        static Reference parse(String s) {
            int bar = s.indexOf('|');
            return bar < 0 ? new Reference(s, "") : new Reference(s.substring(0, bar), s.substring(bar + 1));
        }
    }

    /** A static rule's descriptor. */
    public static RuleDescriptor of(Class<?> ruleClass) {
        return of(ruleClass, Kind.STATIC);
    }

    public RuleDescriptor {
        page = page == null ? "" : page;
    }

    public static RuleDescriptor of(Class<?> ruleClass, Kind kind) {
        RuleInfo info = ruleClass.getAnnotation(RuleInfo.class);
        if (info == null) {
            throw new IllegalArgumentException(ruleClass.getName() + " has no @RuleInfo");
        }
        List<Reference> refs = new ArrayList<>();
        for (String r : info.references()) {
            refs.add(Reference.parse(r));
        }
        return new RuleDescriptor(info.id(), info.title(), info.summary(), info.severity(), info.concept(),
                List.copyOf(refs), info.language(), ruleClass, kind, "");
    }

    /**
     * Another tool's check as its provider describes it ({@link CheckProvider}); {@code pageMarkdown} is its whole
     * page, header included.
     */
    public static RuleDescriptor imported(String id, String title, String summary, Severity defaultSeverity,
            String concept, List<Reference> references, Language language, Class<?> provider, String pageMarkdown) {
        if (pageMarkdown == null || pageMarkdown.isBlank()) {
            throw new IllegalArgumentException("imported check " + id + " has no page");
        }
        return new RuleDescriptor(id, title, summary, defaultSeverity, concept, List.copyOf(references), language,
                provider, Kind.IMPORTED, pageMarkdown);
    }

    /** The prose page {@code <SimpleName>.md} that lives beside the rule class (the provider's page, if it wrote one). */
    public String documentationProse() {
        if (!page.isEmpty()) {
            return page;
        }
        String name = ruleClass.getSimpleName() + ".md";
        try (InputStream in = ruleClass.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("rule " + id + " has no documentation page " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The full documentation page as a self-contained HTML page (for help views and the HTML report). */
    public String documentationHtml() {
        org.commonmark.node.Node doc = org.commonmark.parser.Parser.builder().build().parse(documentationMarkdown());
        String body = org.commonmark.renderer.html.HtmlRenderer.builder().escapeHtml(true).build().render(doc);
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title
                + "</title><style>body{font-family:sans-serif;max-width:46em;margin:1em auto;line-height:1.45}"
                + "pre{background:#f4f4f4;padding:.6em;overflow:auto}code{font-size:90%}</style></head><body>\n"
                + body + "</body></html>\n";
    }

    /**
     * The full documentation page in Markdown: a header generated from the metadata, then the prose; or the page its
     * provider wrote.
     */
    public String documentationMarkdown() {
        if (!page.isEmpty()) {
            return page;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        sb.append("`").append(id).append("` · default severity: ").append(defaultSeverity.label())
                .append(" · language: ").append(language.label()).append("\n\n");
        sb.append("*").append(summary).append("*\n\n");
        sb.append("**Lecture concept:** ").append(concept).append("\n\n");
        if (!references.isEmpty()) {
            sb.append("**References:** ");
            for (int i = 0; i < references.size(); i++) {
                Reference r = references.get(i);
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(r.url().isEmpty() ? r.label() : "[" + r.label() + "](" + r.url() + ")");
            }
            sb.append("\n\n");
        }
        sb.append(documentationProse());
        return sb.toString();
    }
}
