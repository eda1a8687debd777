package interleave.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.core.resources.IContainer;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.resources.WorkspaceJob;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.ui.IStartup;

/**
 * When Eclipse is started with {@code -Dinterleave.samples=<folder>} (as {@code ./interleave ide} does), copies that
 * folder into the workspace as the project "sample-servers", so the samples are there to analyze and to fix. Does nothing without the property or
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

    /**
     * Creates "sample-servers" in the workspace and copies the folder's files into it, unless such a project exists;
     * says why when it does not. A copy, not a link: quick fixes and edits change the user's copy, never the shipped
     * samples. Files already in the project's folder (a project deleted earlier with its contents kept) are not
     * overwritten. The project's text encoding is UTF-8, which the samples are written in.
     */
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
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !skipped(dir.relativize(p))).limit(MAX_FILES + 1)
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return Status.warning("Interleave's sample servers were not opened: cannot list " + dir + " ("
                    + e.getMessage() + ")");
        }
        if (files.size() > MAX_FILES) {
            return Status.warning("Interleave's sample servers were not opened: " + dir + " holds more than "
                    + MAX_FILES + " files, which is not the samples folder.");
        }
        SubMonitor progress = SubMonitor.convert(monitor, "Copying the sample servers", files.size() + 3);
        project.create(progress.split(1));
        project.open(progress.split(1));
        project.setDefaultCharset(StandardCharsets.UTF_8.name(), progress.split(1));
        for (Path file : files) {
            IFile target = project.getFile(IPath.fromOSString(dir.relativize(file).toString()));
            createFolders(target.getParent(), progress);
            if (!target.exists()) {
                try (InputStream in = Files.newInputStream(file)) {
                    target.create(in, true, progress.split(1));
                } catch (IOException e) {
                    return Status.warning("Interleave's sample servers were copied only partly: " + file + " ("
                            + e.getMessage() + ")");
                }
            } else {
                progress.worked(1);
            }
        }
        return Status.OK_STATUS;
    }

    private static final int MAX_DEPTH = 6;
    private static final int MAX_FILES = 2000;

    /** Eclipse's own metadata of the source folder and version control stay behind. */
    private static boolean skipped(Path relative) {
        String first = relative.getName(0).toString();
        return relative.toString().equals(".project") || relative.toString().equals(".cproject")
                || first.equals(".settings") || first.equals(".git") || first.equals(".metadata");
    }

    private static void createFolders(IContainer container, IProgressMonitor monitor) throws CoreException {
        if (container instanceof IFolder folder && !folder.exists()) {
            createFolders(folder.getParent(), monitor);
            folder.create(true, true, monitor);
        }
    }
}
