package interleave.ui;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.jface.action.IStatusLineManager;
import org.eclipse.jface.notifications.NotificationPopup;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IEditorSite;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IViewSite;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchPart;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;

/**
 * What the user sees when an analysis they asked for ends: the Problems view brought to the front (without taking the
 * focus from the editor or explorer they are in) when there are findings, the one-line summary in the status line,
 * and a small notification popup that fades away, so that "no findings" is never mistaken for "nothing happened".
 */
public final class AnalysisFeedback extends JobChangeAdapter {
    private static final long POPUP_MILLIS = 6000;
    private static volatile NotificationPopup lastPopup;

    @Override
    public void done(IJobChangeEvent event) {
        if (!(event.getJob() instanceof AnalysisJob job) || event.getResult().getSeverity() == IStatus.CANCEL
                || !PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        if (!display.isDisposed()) {
            display.asyncExec(() -> show(job, event.getResult()));
        }
    }

    /** Shows a one-line message in the same popup (e.g. why nothing was analyzed); only with a workbench. */
    static void tell(String message) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return; // the headless self check
        }
        IWorkbench workbench = PlatformUI.getWorkbench();
        IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
        if (window == null) {
            return;
        }
        popup(window.getShell(), "Interleave", message);
    }

    private static void popup(Shell shell, String title, String text) {
        NotificationPopup old = lastPopup;
        if (old != null && old.getShell() != null && !old.getShell().isDisposed()) {
            old.close(); // one popup at a time, not a growing stack
        }
        NotificationPopup popup = NotificationPopup.forShell(shell).title(title, true).text(text).delay(POPUP_MILLIS)
                .build();
        popup.open();
        lastPopup = popup;
    }

    /** The popup of the last analysis, while it is open (tests read it). */
    public static NotificationPopup lastPopup() {
        return lastPopup;
    }

    private static void show(AnalysisJob job, IStatus result) {
        IWorkbench workbench = PlatformUI.getWorkbench();
        IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
        if (window == null && workbench.getWorkbenchWindows().length > 0) {
            window = workbench.getWorkbenchWindows()[0];
        }
        if (window == null || window.getActivePage() == null) {
            return;
        }
        IWorkbenchPage page = window.getActivePage();
        String summary = job.summary().isEmpty() ? result.getMessage() : job.summary();
        if (job.markersCreated() > 0) {
            try {
                page.showView(IPageLayout.ID_PROBLEM_VIEW, null, IWorkbenchPage.VIEW_VISIBLE);
            } catch (PartInitException e) {
                // the summary below still tells the user what was found
            }
        }
        IStatusLineManager statusLine = statusLine(page.getActivePart());
        if (statusLine != null) {
            statusLine.setMessage("Interleave: " + summary);
        }
        String detail = result.getSeverity() == IStatus.WARNING
                ? "\nSome input could not be read; see the Error Log."
                : job.markersCreated() > 0 ? "\nSee the Problems view; Ctrl+1 on a marker offers fixes." : "";
        popup(window.getShell(), "Interleave: analysis done", summary + detail);
    }

    private static IStatusLineManager statusLine(IWorkbenchPart part) {
        if (part == null) {
            return null;
        }
        if (part.getSite() instanceof IViewSite view) {
            return view.getActionBars().getStatusLineManager();
        }
        if (part.getSite() instanceof IEditorSite editor) {
            return editor.getActionBars().getStatusLineManager();
        }
        return null;
    }
}
