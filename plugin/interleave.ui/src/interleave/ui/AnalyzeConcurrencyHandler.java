package interleave.ui;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.expressions.IEvaluationContext;
import org.eclipse.core.resources.IResource;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.ISources;

/**
 * The command "Analyze concurrency": schedules an {@link AnalysisJob} for the selected projects, folders and C files
 * and returns it (so callers of {@code IHandlerService.executeCommand} can wait for it).
 *
 * The selection is read from the evaluation context directly rather than through HandlerUtil, so the handler also
 * works headless (the self check runs it without a workbench).
 */
public class AnalyzeConcurrencyHandler extends AbstractHandler {
    public static final String COMMAND_ID = "interleave.ui.analyze";

    @Override
    public Object execute(ExecutionEvent event) {
        List<IResource> scope = selectedResources(event);
        if (scope.isEmpty()) {
            return null; // the menu entry is only shown for resources; a key binding elsewhere does nothing
        }
        AnalysisJob job = new AnalysisJob(scope);
        job.setUser(true); // the user asked for it: show its progress (re-analyses after a quick fix run quietly)
        job.schedule();
        return job;
    }

    private static List<IResource> selectedResources(ExecutionEvent event) {
        if (event != null && event.getApplicationContext() instanceof IEvaluationContext context) {
            Object selection = context.getVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME);
            if (selection instanceof IStructuredSelection structured) {
                return AnalysisJob.analyzableResources(structured);
            }
        }
        return List.of();
    }
}
