package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eclipse.ui.IViewPart;
import org.junit.jupiter.api.Test;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.ui.RuleDocumentationView;

/** The "Interleave Rule" view shows every check's page (rules and detectors), as HTML when a browser exists, else as Markdown text. */
class RuleDocumentationViewTest {

    @Test
    void everyRulesPageCanBeShown() throws Exception {
        IViewPart part = Workbench.page().showView(RuleDocumentationView.ID);
        RuleDocumentationView view = (RuleDocumentationView) part;
        System.out.println("Interleave Rule view renders with " + (view.usesBrowser() ? "an SWT Browser" : "plain text"));
        for (RuleDescriptor rule : RuleRegistry.checks()) { // static rules and dynamic detectors alike
            view.showRule(rule, List.of());
            Workbench.processEvents(50);
            assertEquals(rule.id(), view.shownRuleId());
            String expected = view.usesBrowser() ? rule.documentationHtml() : rule.documentationMarkdown();
            assertEquals(expected, view.shownContent(), "the page, unchanged when there is no evidence to add");
            assertTrue(view.getPartName().endsWith(rule.title()), view.getPartName());
            if (!view.usesBrowser()) {
                assertEquals(expected, view.textWidget().getText());
            }
        }
        Workbench.page().hideView(part);
    }
}
