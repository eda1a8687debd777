package interleave.ui.tests;

import static interleave.ui.launch.TracedLaunchConfig.*;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.MessageConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.ui.launch.LaunchErrorConsole;
import interleave.ui.timeline.TimelineView;

/**
 * A traced launch whose program cannot be started (missing, not executable, not a program at all): the reason is in
 * the Console under the launch's name, on the timeline's status line, and in the launch's error; nothing is run.
 */
class LaunchNotStartedTest {
    @TempDir
    Path dir;

    @AfterEach
    void clean() {
        var manager = ConsolePlugin.getDefault().getConsoleManager();
        for (IConsole c : manager.getConsoles()) {
            if (c instanceof MessageConsole && c.getName().endsWith("[Traced C Application]")) {
                manager.removeConsoles(new IConsole[] { c });
            }
        }
        Workbench.closeDialogs();
    }

    private void expectNotStarted(String program, String fragment) throws Exception {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = m.getLaunchConfigurationType(TYPE_ID).newInstance(null,
                m.generateLaunchConfigurationName("not-started"));
        wc.setAttribute(PROGRAM, program);
        wc.setAttribute(WORKING_DIRECTORY, dir.toString());
        String message = null;
        try {
            wc.launch(ILaunchManager.RUN_MODE, null);
            fail("the launch of " + program + " did not fail");
        } catch (CoreException e) {
            message = e.getStatus().getMessage();
        }
        assertTrue(message.contains(fragment), message);

        String name = LaunchErrorConsole.nameOf(wc.getName());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String text = "";
        String said = message;
        while (!text.contains(said)) {
            for (IConsole c : ConsolePlugin.getDefault().getConsoleManager().getConsoles()) {
                if (c instanceof MessageConsole mc && mc.getName().equals(name)) {
                    text = mc.getDocument().get();
                }
            }
            if (System.nanoTime() > end) {
                fail("the console " + name + " does not say: " + message + "; it says: " + text);
            }
            Workbench.processEvents(50);
        }
        TimelineView view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        while (view == null || !view.statusText().equals(said)) {
            if (System.nanoTime() > end) {
                fail("the timeline's status line does not say: " + message + "; it says: "
                        + (view == null ? "(no view)" : view.statusText()));
            }
            Workbench.processEvents(50);
            view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        }
    }

    @Test
    void aMissingProgramIsExplainedInTheConsole() throws Exception {
        expectNotStarted(dir.resolve("no-such-server").toString(), "no such file");
    }

    @Test
    void aFileWithoutExecutePermissionIsExplainedInTheConsole() throws Exception {
        Path p = Files.copy(Path.of("/bin/true"), dir.resolve("server"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        expectNotStarted(p.toString(), "not an executable file");
    }

    @Test
    void anExecutableSourceFileIsNotHandedToTheShell() throws Exception {
        Path p = Files.writeString(dir.resolve("server.c"), "int main(void) { return 0; }\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        expectNotStarted(p.toString(), "neither an ELF binary nor a script");
    }
}
