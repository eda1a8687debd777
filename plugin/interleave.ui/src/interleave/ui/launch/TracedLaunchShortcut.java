package interleave.ui.launch;

import static interleave.ui.launch.TracedLaunchConfig.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.ILaunchShortcut;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.IEditorPart;

/**
 * Run As → Traced C Application: on an executable file it runs that file; on a {@code .c} file of a folder with a
 * Makefile (the samples) it runs {@code bin/NAME}, built with make first when missing or stale. A server of the
 * samples gets {@code -p 0} and the sample echo client as its load. An existing configuration for the same program is
 * reused, so settings made in the dialog stay.
 */
public class TracedLaunchShortcut implements ILaunchShortcut {
    @Override
    public void launch(ISelection selection, String mode) {
        if (selection instanceof IStructuredSelection s && !s.isEmpty()) {
            IFile file = Adapters.adapt(s.getFirstElement(), IFile.class);
            if (file != null) {
                launch(file, mode);
            }
        }
    }

    @Override
    public void launch(IEditorPart editor, String mode) {
        IFile file = Adapters.adapt(editor.getEditorInput(), IFile.class);
        if (file != null) {
            launch(file, mode);
        }
    }

    private static void launch(IFile file, String mode) {
        try {
            configurationFor(file).ifPresent(c -> DebugUITools.launch(c, mode));
        } catch (CoreException e) {
            org.eclipse.core.runtime.ILog.of(TracedLaunchShortcut.class).error("Run traced failed", e);
        }
    }

    /** The configuration for this file: an existing one for the same program, or a new saved one. */
    public static Optional<ILaunchConfiguration> configurationFor(IResource resource) throws CoreException {
        if (!(resource instanceof IFile file) || file.getLocation() == null) {
            return Optional.empty();
        }
        Path path = file.getLocation().toPath();
        Path folder = path.getParent();
        String program;
        String makeDir = null;
        if (TracedLaunchPropertyTester.isSampleSource(file)) {
            String name = path.getFileName().toString().replaceFirst("\\.c$", "");
            program = folder.resolve("bin").resolve(name).toString();
            makeDir = folder.toString();
        } else if (TracedLaunchPropertyTester.isExecutable(file)) {
            program = path.toString();
        } else {
            return Optional.empty();
        }
        ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType type = manager.getLaunchConfigurationType(TYPE_ID);
        for (ILaunchConfiguration c : manager.getLaunchConfigurations(type)) {
            if (program.equals(c.getAttribute(PROGRAM, ""))) {
                return Optional.of(c);
            }
        }
        String base = Path.of(program).getFileName().toString();
        ILaunchConfigurationWorkingCopy wc = type.newInstance(null,
                manager.generateLaunchConfigurationName(base + " (traced)"));
        wc.setAttribute(PROGRAM, program);
        wc.setAttribute(WORKING_DIRECTORY, folder.toString());
        wc.setAttribute(OPEN_TIMELINE, true);
        if (makeDir != null) {
            wc.setAttribute(MAKE_DIRECTORY, makeDir);
            // a server of the samples: any free port, and the sample client as its load for a few seconds
            if (base.startsWith("echo-") && !base.equals("echo-client")
                    && Files.isRegularFile(folder.resolve("echo-client.c"))) {
                wc.setAttribute(ARGUMENTS, "-p 0");
                wc.setAttribute(LOAD_ENABLED, true);
                wc.setAttribute(LOAD_CLIENT, "bin/echo-client");
                wc.setAttribute(LOAD_CLIENTS, DEFAULT_CLIENTS);
                wc.setAttribute(LOAD_MODE, MODE_TIME);
                wc.setAttribute(LOAD_SECONDS, DEFAULT_SECONDS);
                wc.setAttribute(LOAD_STOPS_PROGRAM, true);
            }
        }
        wc.setMappedResources(new IResource[] { file });
        return Optional.of(wc.doSave());
    }
}
