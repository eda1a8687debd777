package interleave.ui.timeline;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.ui.IWorkbenchPart;
import org.eclipse.ui.handlers.HandlerUtil;

/** "Reload": reads the run shown in the Concurrency Timeline view again (a run written since, or re-recorded). */
public final class ReloadTraceRunHandler extends AbstractHandler {
    public static final String COMMAND_ID = "interleave.ui.reloadTraceRun";

    @Override
    public Object execute(ExecutionEvent event) {
        IWorkbenchPart part = HandlerUtil.getActivePart(event);
        if (!(part instanceof TimelineView)) {
            part = HandlerUtil.getActiveWorkbenchWindow(event) == null ? null
                    : HandlerUtil.getActiveWorkbenchWindow(event).getActivePage().findView(TimelineView.ID);
        }
        if (part instanceof TimelineView view) {
            return view.reload();
        }
        return null;
    }
}
