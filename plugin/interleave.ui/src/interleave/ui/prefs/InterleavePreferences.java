package interleave.ui.prefs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.prefs.BackingStoreException;

import interleave.engine.settings.Settings;

/**
 * Where Interleave's settings live in Eclipse. The rule settings are the same text the command line reads: a project's
 * own {@code .interleave} at its root overrides the workspace defaults, which are kept in the same format in the
 * workspace's metadata ({@code .metadata/.plugins/interleave.ui/workspace.interleave}, usable with
 * {@code interleave analyze --config}). "Analyze on save" is an ordinary workspace preference.
 */
public final class InterleavePreferences {
    public static final String NODE = "interleave.ui";
    public static final String ANALYZE_ON_SAVE = "analyzeOnSave";
    public static final String WORKSPACE_FILE = "workspace.interleave";

    private InterleavePreferences() {
    }

    public static boolean analyzeOnSave() {
        return InstanceScope.INSTANCE.getNode(NODE).getBoolean(ANALYZE_ON_SAVE, false);
    }

    public static void setAnalyzeOnSave(boolean on) {
        IEclipsePreferences node = InstanceScope.INSTANCE.getNode(NODE);
        node.putBoolean(ANALYZE_ON_SAVE, on);
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // kept in memory for this session; Eclipse retries on shutdown
        }
    }

    /** The workspace defaults file (it may not exist yet). */
    public static Path workspaceFile() {
        return Platform.getStateLocation(FrameworkUtil.getBundle(InterleavePreferences.class)).toFile().toPath()
                .resolve(WORKSPACE_FILE);
    }

    public static String workspaceText() {
        Path file = workspaceFile();
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public static void writeWorkspaceText(String text) throws IOException {
        Path file = workspaceFile();
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    public static IFile projectFile(IProject project) {
        return project.getFile(Settings.FILE_NAME);
    }

    public static String projectText(IProject project) throws CoreException {
        IFile file = projectFile(project);
        if (!file.exists()) {
            return "";
        }
        try (var in = file.getContents(true)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Writes the project's settings file through the workspace, so that editors and the explorer see it at once. */
    public static void writeProjectText(IProject project, String text) throws CoreException {
        IFile file = projectFile(project);
        ByteArrayInputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        if (file.exists()) {
            file.setContents(in, true, true, null);
        } else {
            file.create(in, true, null);
            file.setCharset(StandardCharsets.UTF_8.name(), null);
        }
    }
}
