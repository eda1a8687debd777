package interleave.ui;

import org.eclipse.core.resources.IMarker;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.IMarkerResolution2;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.statushandlers.StatusManager;

/** "Explain: pattern title (SpotBugs)": opens the SpotBugs pattern's page for one of its merged-in findings. */
final class ExplainPatternResolution implements IMarkerResolution2 {
    private final SpotBugsInWorkspace.Page page;

    ExplainPatternResolution(SpotBugsInWorkspace.Page page) {
        this.page = page;
    }

    @Override
    public String getLabel() {
        return "Explain: " + page.title() + " (" + SpotBugsInWorkspace.TOOL + ")";
    }

    @Override
    public String getDescription() {
        return "What SpotBugs' pattern " + page.ruleId() + " finds and why it matters; found by SpotBugs on the"
                + " project's compiled classes.";
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
        try {
            RuleDocumentationView view = (RuleDocumentationView) window.getActivePage()
                    .showView(RuleDocumentationView.ID);
            view.showPage(page.ruleId(), page.title(), page.markdown(), page.html(),
                    marker.getAttribute(InterleaveMarkers.EXPLANATION, ""));
        } catch (PartInitException e) {
            StatusManager.getManager().handle(e.getStatus(), StatusManager.SHOW | StatusManager.LOG);
        }
    }
}
