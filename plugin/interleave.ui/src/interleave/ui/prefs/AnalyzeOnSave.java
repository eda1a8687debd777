package interleave.ui.prefs;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IResourceChangeEvent;
import org.eclipse.core.resources.IResourceChangeListener;
import org.eclipse.core.resources.IResourceDelta;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.ui.IStartup;

import interleave.ui.AnalysisJob;
import interleave.ui.WorkspaceSources;

/**
 * With the preference "analyze on save" on, a saved (changed) .c, .h or .java file has its project analyzed again by an
 * {@link AnalysisJob} in the background, shortly after the save, so a burst of saves gives one analysis. The listener
 * only looks at the delta; nothing runs on the UI thread.
 */
public final class AnalyzeOnSave implements IStartup, IResourceChangeListener {
    private static final long DELAY_MILLIS = 300;
    private static AnalyzeOnSave installed;

    @Override
    public void earlyStartup() {
        install();
    }

    /** Registers the listener once (at startup, and again harmlessly when the preference page turns it on). */
    public static synchronized void install() {
        if (installed == null) {
            installed = new AnalyzeOnSave();
            ResourcesPlugin.getWorkspace().addResourceChangeListener(installed, IResourceChangeEvent.POST_CHANGE);
        }
    }

    @Override
    public void resourceChanged(IResourceChangeEvent event) {
        if (!InterleavePreferences.analyzeOnSave() || event.getDelta() == null) {
            return;
        }
        Set<IProject> projects = new LinkedHashSet<>();
        try {
            event.getDelta().accept(delta -> {
                IResource r = delta.getResource();
                if (r instanceof IFile file) {
                    boolean contentChanged = delta.getKind() == IResourceDelta.CHANGED
                            && (delta.getFlags() & IResourceDelta.CONTENT) != 0;
                    if (contentChanged && WorkspaceSources.isSource(file) && !file.isDerived(IResource.CHECK_ANCESTORS)) {
                        projects.add(file.getProject());
                    }
                    return false;
                }
                return true;
            });
        } catch (CoreException e) {
            return; // a delta we cannot walk: the user can still analyze by hand
        }
        for (IProject p : projects) {
            if (p.isAccessible()) {
                AnalysisJob job = new AnalysisJob(List.of(p));
                job.setSystem(false);
                job.schedule(DELAY_MILLIS);
            }
        }
    }
}
