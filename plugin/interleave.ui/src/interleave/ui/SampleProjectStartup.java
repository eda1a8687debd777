package interleave.ui;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.resources.WorkspaceJob;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.ui.IStartup;

/**
 * When Eclipse is started with {@code -Dinterleave.samples=<folder>} (as {@code ./interleave ide} does), opens that
 * folder as the project "sample-servers", so the samples are there to analyze. Does nothing without the property or
 * when the workspace already has a project of that name (the user's own choice wins).
 */
public final class SampleProjectStartup implements IStartup {
    public static final String PROPERTY = "interleave.samples";
    public static final String PROJECT_NAME = "sample-servers";
    public static final Object FAMILY = SampleProjectStartup.class;

    @Override
    public void earlyStartup() {
        String folder = System.getProperty(PROPERTY);
        if (folder == null || folder.isBlank()) {
            return;
        }
        WorkspaceJob job = new WorkspaceJob("Open the Interleave sample servers") {
            @Override
            public IStatus runInWorkspace(IProgressMonitor monitor) throws CoreException {
                IStatus status = ensureSampleProject(Path.of(folder), monitor);
                if (!status.isOK()) {
                    ILog.of(SampleProjectStartup.class).log(status); // a startup hook must never pop up dialogs
                }
                return Status.OK_STATUS;
            }

            @Override
            public boolean belongsTo(Object family) {
                return family == FAMILY;
            }
        };
        job.setRule(ResourcesPlugin.getWorkspace().getRoot());
        job.schedule();
    }

    /** Creates and opens "sample-servers" at the folder unless such a project exists; says why when it does not. */
    public static IStatus ensureSampleProject(Path folder, IProgressMonitor monitor) throws CoreException {
        IWorkspace workspace = ResourcesPlugin.getWorkspace();
        IProject project = workspace.getRoot().getProject(PROJECT_NAME);
        if (project.exists()) {
            return Status.info("The workspace already has a project " + PROJECT_NAME + "; left as it is.");
        }
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            return Status.warning("Interleave's sample servers were not opened: " + PROPERTY + "=" + folder
                    + " is not a folder.");
        }
        IProjectDescription description = workspace.newProjectDescription(PROJECT_NAME);
        IPath location = IPath.fromFile(dir.toFile());
        // A folder that is the project's default place in the workspace must be given as "no location".
        if (!location.equals(workspace.getRoot().getLocation().append(PROJECT_NAME))) {
            IStatus valid = workspace.validateProjectLocation(project, location);
            if (!valid.isOK()) {
                return Status.warning("Interleave's sample servers were not opened from " + dir + ": "
                        + valid.getMessage());
            }
            description.setLocation(location);
        }
        project.create(description, monitor);
        project.open(monitor);
        return Status.OK_STATUS;
    }
}
