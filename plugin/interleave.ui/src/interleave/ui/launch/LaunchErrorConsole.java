package interleave.ui.launch;

import org.eclipse.core.runtime.ILog;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.IConsoleManager;
import org.eclipse.ui.console.MessageConsole;
import org.eclipse.ui.console.MessageConsoleStream;

/**
 * The Console of a traced launch whose program never started: there is no process, so no process console, yet the
 * user looks in the Console for what went wrong. One console per launch configuration, reused by the next attempt.
 */
public final class LaunchErrorConsole {
    private LaunchErrorConsole() {
    }

    /** The console's name for a launch configuration. */
    public static String nameOf(String launchName) {
        return launchName + " [Traced C Application]";
    }

    /** Appends the message to the launch's console and brings the Console view forward. */
    public static void write(String launchName, String message) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return; // headless: the launch error is all there is
        }
        try {
            IConsoleManager manager = ConsolePlugin.getDefault().getConsoleManager();
            MessageConsole console = null;
            for (IConsole c : manager.getConsoles()) {
                if (c instanceof MessageConsole m && m.getName().equals(nameOf(launchName))) {
                    console = m;
                }
            }
            if (console == null) {
                console = new MessageConsole(nameOf(launchName), null);
                manager.addConsoles(new IConsole[] { console });
            }
            try (MessageConsoleStream out = console.newMessageStream()) {
                out.println(message);
            }
            manager.showConsoleView(console);
        } catch (java.io.IOException | RuntimeException e) {
            ILog.of(LaunchErrorConsole.class).error("Could not write to the console: " + message, e);
        }
    }
}
