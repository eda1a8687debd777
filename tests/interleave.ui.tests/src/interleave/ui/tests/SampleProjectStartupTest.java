package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IStatus;
import org.junit.jupiter.api.Test;

import interleave.ui.SampleProjectStartup;

/**
 * The startup hook. The test runtime is started with -Dinterleave.samples=target/samples (see the pom), so the hook
 * has already run when the workbench came up, as it does for {@code ./interleave ide}.
 */
class SampleProjectStartupTest {

    @Test
    void samplesFolderNamedAtStartupIsCopiedIntoTheWorkspaceAsTheProjectSampleServers() throws Exception {
        Path samples = Path.of(System.getProperty(SampleProjectStartup.PROPERTY)).toAbsolutePath().normalize();
        Workbench.waitForJobs(SampleProjectStartup.FAMILY);
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject(SampleProjectStartup.PROJECT_NAME);
        assertTrue(project.isOpen(), "project " + SampleProjectStartup.PROJECT_NAME + " open");
        assertEquals(ResourcesPlugin.getWorkspace().getRoot().getLocation().append(SampleProjectStartup.PROJECT_NAME),
                project.getLocation(), "a copy in the workspace, not a link to the shipped folder");
        assertEquals("UTF-8", project.getDefaultCharset());
        IFile copy = project.getFile("echo-server-threads.c");
        assertTrue(copy.exists(), "the sample's files are in the project");
        Path original = samples.resolve("echo-server-threads.c");
        String shipped = Files.readString(original);
        assertEquals(shipped, Workbench.read(copy));

        // an edit (a quick fix, say) changes the copy only
        Workbench.write(copy, shipped + "/* edited in the workspace */\n");
        assertEquals(shipped, Files.readString(original), "the shipped sample changed");
        Workbench.write(copy, shipped);
    }

    @Test
    void anExistingProjectOfThatNameIsLeftAlone() throws Exception {
        Workbench.waitForJobs(SampleProjectStartup.FAMILY);
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject(SampleProjectStartup.PROJECT_NAME);
        IPath before = project.getLocation();
        Path other = Files.createTempDirectory("other-samples");
        IStatus status = SampleProjectStartup.ensureSampleProject(other, null);
        assertEquals(IStatus.INFO, status.getSeverity(), status.toString());
        assertEquals(before, project.getLocation());
    }

    @Test
    void aMissingFolderIsReportedNotCreated() throws Exception {
        Workbench.waitForJobs(SampleProjectStartup.FAMILY);
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject(SampleProjectStartup.PROJECT_NAME);
        project.delete(false, true, null); // keeps the files; only the workspace forgets the project
        try {
            IStatus status = SampleProjectStartup.ensureSampleProject(Path.of("/nonexistent/samples"), null);
            assertEquals(IStatus.WARNING, status.getSeverity());
            assertTrue(status.getMessage().contains("/nonexistent/samples"), status.getMessage());
            assertTrue(!project.exists(), "no project for a missing folder");
        } finally {
            SampleProjectStartup.ensureSampleProject(
                    Path.of(System.getProperty(SampleProjectStartup.PROPERTY)), null); // restore for other tests
        }
    }
}
