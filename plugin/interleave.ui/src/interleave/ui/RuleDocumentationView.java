package interleave.ui;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.ILog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.SWTError;
import org.eclipse.swt.browser.Browser;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.part.ViewPart;

import interleave.engine.rules.RuleDescriptor;

/**
 * The view "Interleave Rule": a rule's documentation page. Rendered HTML in an SWT Browser where the machine has a
 * browser engine (WebKitGTK on Linux); otherwise the Markdown source in a read-only text widget, which reads well as
 * it is. Set -Dinterleave.noBrowser=true to force the text form.
 */
public class RuleDocumentationView extends ViewPart {
    public static final String ID = "interleave.ui.ruleDocumentation";
    private static final String NOTHING_SHOWN = "Interleave Rule\n\nChoose 'Explain: ...' in the quick fixes of an"
            + " Interleave problem (Ctrl+1 on the marker, or right-click it in the Problems view) to read what the"
            + " rule finds, why it matters and how to fix it.";

    private Composite container;
    private Browser browser;
    private StyledText text;
    private String ruleId;
    private String content = "";

    @Override
    public void createPartControl(Composite parent) {
        container = new Composite(parent, SWT.NONE);
        container.setLayout(new FillLayout());
        if (!Boolean.getBoolean("interleave.noBrowser")) {
            try {
                browser = new Browser(container, SWT.NONE);
            } catch (SWTError e) {
                // No browser engine installed (e.g. no WebKitGTK): the Markdown text is the documentation too.
                ILog.of(getClass()).info("Interleave Rule view shows plain text: no SWT Browser here ("
                        + e.getMessage() + ")");
                browser = null;
                for (var child : container.getChildren()) {
                    child.dispose();
                }
            }
        }
        if (browser == null) {
            text = new StyledText(container, SWT.READ_ONLY | SWT.MULTI | SWT.WRAP | SWT.V_SCROLL);
            text.setEditable(false);
            text.setMargins(8, 8, 8, 8);
        }
        setContent(NOTHING_SHOWN, "<p>" + NOTHING_SHOWN.replace("\n\n", "</p><p>") + "</p>");
    }

    /** Shows a rule's page; the finding's evidence chain (may be empty) goes on top. */
    public void showRule(RuleDescriptor rule, List<String> evidence) {
        showRule(rule, "", evidence);
    }

    /**
     * Shows a rule's page with, on top, the finding's whole message (the marker shows only its first clause; may be
     * empty) and its evidence chain (may be empty).
     */
    public void showRule(RuleDescriptor rule, String finding, List<String> evidence) {
        ruleId = rule.id();
        setPartName("Interleave Rule: " + rule.title());
        StringBuilder md = new StringBuilder();
        StringBuilder html = new StringBuilder();
        if (!evidence.isEmpty() || !finding.isEmpty()) {
            md.append("This finding:\n");
            html.append("<div style=\"background:#fff6e0;padding:.5em;border-left:4px solid #e0a000\"><b>This"
                    + " finding:</b>");
            if (!finding.isEmpty()) {
                md.append(finding).append("\n");
                html.append("<p>").append(escapeHtml(finding)).append("</p>");
            }
            html.append("<ul>");
            for (String step : evidence) {
                md.append("  - ").append(step).append('\n');
                html.append("<li><code>").append(escapeHtml(step)).append("</code></li>");
            }
            md.append("\n");
            html.append("</ul></div>");
        }
        md.append(rule.documentationMarkdown());
        String page = rule.documentationHtml();
        int body = page.indexOf("<body>");
        page = body < 0 ? html + page : page.substring(0, body + 6) + html + page.substring(body + 6);
        setContent(md.toString(), page);
    }

    /**
     * Shows the page of another tool's check (a SpotBugs pattern), with the finding's whole message on top (may be
     * empty).
     */
    public void showPage(String id, String title, String markdown, String html, String finding) {
        ruleId = id;
        setPartName("Interleave Rule: " + title);
        String md = finding.isEmpty() ? markdown : "This finding:\n" + finding + "\n\n" + markdown;
        String top = finding.isEmpty() ? "" : "<div style=\"background:#fff6e0;padding:.5em;border-left:4px solid"
                + " #e0a000\"><b>This finding:</b><p>" + escapeHtml(finding) + "</p></div>";
        int body = html.indexOf("<body>");
        setContent(md, body < 0 ? top + html : html.substring(0, body + 6) + top + html.substring(body + 6));
    }

    private void setContent(String markdown, String html) {
        if (browser != null) {
            content = html;
            browser.setText(html);
        } else {
            content = markdown;
            text.setText(markdown);
            text.setStyleRanges(headingStyles(markdown));
        }
    }

    /** Headings and the first line in bold, so the plain-text page still has a visible structure. */
    private static StyleRange[] headingStyles(String markdown) {
        List<StyleRange> ranges = new ArrayList<>();
        int lineStart = 0;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("#") || lineStart == 0) {
                ranges.add(new StyleRange(lineStart, line.length(), null, null, SWT.BOLD));
            }
            lineStart += line.length() + 1;
        }
        return ranges.toArray(StyleRange[]::new);
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The rule shown, or null before any. */
    public String shownRuleId() {
        return ruleId;
    }

    /** What the view was given to show: HTML for the browser, else the Markdown text. */
    public String shownContent() {
        return content;
    }

    /** True when the page is rendered as HTML in a browser, false for the plain-text fallback. */
    public boolean usesBrowser() {
        return browser != null;
    }

    /** The text widget of the fallback (null when a browser is used), for tests. */
    public StyledText textWidget() {
        return text;
    }

    @Override
    public void setFocus() {
        (browser != null ? browser : text).setFocus();
    }
}
