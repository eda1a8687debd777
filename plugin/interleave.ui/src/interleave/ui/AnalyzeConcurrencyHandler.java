package interleave.ui;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.expressions.IEvaluationContext;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.ISources;

/**
 * The command "Analyze concurrency": schedules an {@link AnalysisJob} for the selected projects, folders and C files
 * and returns it (so callers of {@code IHandlerService.executeCommand} can wait for it). From an editor (key binding,
 * toolbar, Interleave menu) it analyzes the edited file's project: a handler in one file and the code it interrupts in
 * another are only seen together.
 *
 * The selection is read from the evaluation context directly rather than through HandlerUtil, so the handler also
 * works headless (the self check runs it without a workbench).
 */
public class AnalyzeConcurrencyHandler extends AbstractHandler {
    public static final String COMMAND_ID = "interleave.ui.analyze";
    public static final String NOTHING_SELECTED = "Nothing to analyze: select a project, folder, package or .c/.h/.java file, or"
            + " open a C or Java file.";

    @Override
    public Object execute(ExecutionEvent event) {
        List<IResource> scope = selectedResources(event);
        if (scope.isEmpty()) {
            // nothing analyzable selected and no C editor active (toolbar or key binding elsewhere): say so
            AnalysisFeedback.tell(NOTHING_SELECTED);
            return null;
        }
        AnalysisJob job = new AnalysisJob(scope);
        job.setUser(true); // the user asked for it: show its progress (re-analyses after a quick fix run quietly)
        job.addJobChangeListener(new AnalysisFeedback());
        job.schedule();
        return job;
    }

    private static List<IResource> selectedResources(ExecutionEvent event) {
        if (event != null && event.getApplicationContext() instanceof IEvaluationContext context) {
            Object part = context.getVariable(ISources.ACTIVE_PART_NAME);
            Object editor = context.getVariable(ISources.ACTIVE_EDITOR_NAME);
            Object input = context.getVariable(ISources.ACTIVE_EDITOR_INPUT_NAME);
            if (part != null && part == editor && input instanceof IEditorInput editorInput) {
                IFile file = Adapters.adapt(editorInput, IFile.class);
                if (file != null && WorkspaceSources.isSource(file) && file.getProject().isAccessible()) {
                    return List.of(file.getProject());
                }
            }
            Object selection = context.getVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME);
            if (selection instanceof IStructuredSelection structured) {
                return AnalysisJob.analyzableResources(structured);
            }
        }
        return List.of();
    }
}
