package interleave.ui.experiments;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.jface.text.source.IVerticalRulerInfo;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchPart;
import org.eclipse.ui.handlers.HandlerUtil;

import interleave.ui.InterleaveMarkers;

/**
 * Show in Timeline on an Interleave marker: selected in the Problems view, or on the line of the editor ruler that was
 * last clicked. The work happens in a {@link ShowInTimelineJob}; the UI thread only picks the marker.
 */
public final class ShowInTimelineHandler extends AbstractHandler {
    @Override
    public Object execute(ExecutionEvent event) {
        List<IMarker> markers = markersOf(HandlerUtil.getActivePart(event), HandlerUtil.getCurrentSelection(event));
        if (markers.isEmpty()) {
            Lecture.tell("Interleave: Show in Timeline", "Select an Interleave finding (in the Problems view or on"
                    + " the editor's ruler) to show where it happened in a run.");
            return null;
        }
        ShowInTimelineJob.forMarker(markers.get(0)).ifPresentOrElse(job -> job.schedule(),
                () -> Lecture.tell("Interleave: Show in Timeline", "This is not an Interleave finding in a file on"
                        + " disk; only Interleave's findings can be shown on the timeline."));
        return null;
    }

    /** The Interleave markers the command is about: the selected ones, else those on the ruler's clicked line. */
    static List<IMarker> markersOf(IWorkbenchPart part, ISelection selection) {
        List<IMarker> markers = new ArrayList<>();
        if (!(part instanceof IEditorPart) && selection instanceof IStructuredSelection s) {
            for (Object o : s.toList()) {
                IMarker m = Adapters.adapt(o, IMarker.class);
                if (m != null && isInterleave(m)) {
                    markers.add(m);
                }
            }
            return markers;
        }
        if (part instanceof IEditorPart editor) {
            IVerticalRulerInfo ruler = Adapters.adapt(editor, IVerticalRulerInfo.class);
            IFile file = Adapters.adapt(editor.getEditorInput(), IFile.class);
            if (ruler == null || file == null) {
                return markers;
            }
            int line = ruler.getLineOfLastMouseButtonActivity() + 1;
            try {
                for (IMarker m : file.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO)) {
                    if (m.getAttribute(IMarker.LINE_NUMBER, -1) == line) {
                        markers.add(m);
                    }
                }
            } catch (CoreException e) {
                // the file is gone: nothing to show
            }
        }
        return markers;
    }

    private static boolean isInterleave(IMarker m) {
        try {
            return m.exists() && InterleaveMarkers.TYPE.equals(m.getType());
        } catch (CoreException e) {
            return false;
        }
    }
}
