package interleave.ui.timeline;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;

/**
 * "Open Trace Run...": asks for a run directory and shows it in the Concurrency Timeline view (reading happens in the
 * background; see {@link TimelineView#open(Path)}, which tests call directly). Returns the load job, or null when
 * the dialog was cancelled.
 */
public final class OpenTraceRunHandler extends AbstractHandler {
    public static final String COMMAND_ID = "interleave.ui.openTraceRun";
    private static String lastDirectory;

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        IWorkbenchWindow window = HandlerUtil.getActiveWorkbenchWindowChecked(event);
        DirectoryDialog dialog = new DirectoryDialog(window.getShell(), SWT.OPEN);
        dialog.setText("Open Trace Run");
        dialog.setMessage("Choose the directory a traced run was written to ('interleave trace --out DIR'): it holds"
                + " one .trace file per thread.");
        if (lastDirectory != null) {
            dialog.setFilterPath(lastDirectory);
        }
        String chosen = dialog.open();
        if (chosen == null) {
            return null;
        }
        lastDirectory = chosen;
        try {
            TimelineView view = (TimelineView) window.getActivePage().showView(TimelineView.ID);
            Path dir = Path.of(chosen);
            // a run still being written ('interleave trace' in a terminal): follow it as it grows
            return FollowRunJob.looksLive(dir) ? view.follow(dir) : view.open(dir);
        } catch (PartInitException e) {
            throw new ExecutionException("Could not open the Concurrency Timeline view: " + e.getMessage(), e);
        }
    }
}
