package interleave.ui;

import java.util.List;

import org.eclipse.core.resources.IMarker;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.IMarkerResolution2;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.statushandlers.StatusManager;

import interleave.engine.rules.RuleDescriptor;

/** "Explain: rule title": opens the rule's documentation, with this finding's evidence chain on top. */
final class ExplainRuleResolution implements IMarkerResolution2 {
    private final RuleDescriptor rule;
    private final List<String> evidence;

    ExplainRuleResolution(RuleDescriptor rule, List<String> evidence) {
        this.rule = rule;
        this.evidence = evidence;
    }

    @Override
    public String getLabel() {
        return "Explain: " + rule.title();
    }

    /** Shown beside the quick fix list: the rule in one sentence and how this finding came about. */
    @Override
    public String getDescription() {
        StringBuilder sb = new StringBuilder(escape(rule.summary()));
        if (!evidence.isEmpty()) {
            sb.append("<br><br>How Interleave got here:");
            for (String step : evidence) {
                sb.append("<br>&nbsp;&nbsp;").append(escape(step));
            }
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public Image getImage() {
        return null;
    }

    @Override
    public void run(IMarker marker) {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        if (window == null) {
            window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
        }
        IWorkbenchPage page = window.getActivePage();
        try {
            RuleDocumentationView view = (RuleDocumentationView) page.showView(RuleDocumentationView.ID);
            view.showRule(rule, marker.getAttribute(InterleaveMarkers.EXPLANATION, ""), evidence);
        } catch (PartInitException e) {
            StatusManager.getManager().handle(e.getStatus(), StatusManager.SHOW | StatusManager.LOG);
        }
    }
}
