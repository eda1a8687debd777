package interleave.ui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.eclipse.core.commands.Command;
import org.eclipse.core.runtime.IProduct;
import org.eclipse.core.runtime.Platform;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IStartup;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;

/**
 * Two hooks for the launcher script {@code ./interleave ide}, both off unless their system property is set.
 * <ul>
 * <li>{@code -Dinterleave.exitdata=FILE}: when the JVM ends, writes Eclipse's relaunch command line (the
 * {@code eclipse.exitdata} property, set by File &gt; Switch Workspace) to FILE. Without the native launcher nobody
 * else receives it, and the script needs it to restart in the chosen workspace.</li>
 * <li>{@code -Dinterleave.productcheck=FILE}: appends one line per start saying what the user sees (product name,
 * window title, workspace, whether Install New Software is there), restarts the workbench after the first start
 * (File &gt; Restart), switches to the workspace {@code -Dinterleave.productcheck.switchto=DIR} after the second if
 * that is set (File &gt; Switch Workspace), and closes it after the last. tests/ide-restart-test.sh uses it to check
 * that both bring the product back.</li>
 * </ul>
 */
public final class ProductCheck implements IStartup {
    static final String INSTALL_COMMAND = "org.eclipse.equinox.p2.ui.sdk.install";

    @Override
    public void earlyStartup() {
        String exitData = System.getProperty("interleave.exitdata");
        if (exitData != null && !exitData.isBlank()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> writeExitData(Path.of(exitData)), "exitdata"));
        }
        String check = System.getProperty("interleave.productcheck");
        if (check != null && !check.isBlank()) {
            Display display = PlatformUI.getWorkbench().getDisplay();
            // a moment after startup, so that the window has its final title
            display.asyncExec(() -> display.timerExec(1500, () -> check(Path.of(check))));
        }
    }

    private static void writeExitData(Path file) {
        String data = System.getProperty("eclipse.exitdata");
        try {
            Files.writeString(file, data == null ? "" : data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the script then restarts in the same workspace, which is the best it can do
        }
    }

    private static void check(Path file) {
        IWorkbench workbench = PlatformUI.getWorkbench();
        try {
            int starts = Files.exists(file) ? (int) Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith("start ")).count() : 0;
            IProduct product = Platform.getProduct();
            IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
            if (window == null && workbench.getWorkbenchWindowCount() > 0) {
                window = workbench.getWorkbenchWindows()[0];
            }
            Shell shell = window == null ? null : window.getShell();
            Command install = workbench.getService(ICommandService.class).getCommand(INSTALL_COMMAND);
            String line = "start " + (starts + 1)
                    + "\tproduct=" + (product == null ? "-" : product.getId() + "|" + product.getName())
                    + "\tabout=" + (product != null && product.getProperty("aboutText") != null)
                    + "\twindowImages=" + (shell != null && shell.getImages().length > 0)
                    + "\tinstall=" + (install.isDefined() && install.isHandled())
                    + "\tworkspace=" + Path.of(Platform.getInstanceLocation().getURL().getPath())
                    + "\ttitle=" + (shell == null ? "-" : shell.getText()) + "\n";
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            String switchTo = System.getProperty("interleave.productcheck.switchto");
            if (starts == 0) {
                workbench.restart(); // File > Restart: exit code 23
            } else if (starts == 1 && switchTo != null && !switchTo.isBlank()) {
                // what File > Switch Workspace does once a folder is chosen: exit code 24 with the new command line
                Object result = org.eclipse.ui.internal.Workbench.setRestartArguments(switchTo);
                if (result == null) {
                    throw new IllegalStateException("cannot switch to " + switchTo);
                }
                workbench.restart();
            } else {
                workbench.close();
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.write(file, List.of("error " + e), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException ignored) {
                // nothing left to report to
            }
            workbench.close();
        }
    }
}
