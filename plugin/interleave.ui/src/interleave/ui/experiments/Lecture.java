package interleave.ui.experiments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Platform;
import org.eclipse.jface.notifications.NotificationPopup;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;

import interleave.engine.tracing.TracedLaunch;
import interleave.ui.launch.TracedLaunchDelegate;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.TimelineView;

/**
 * What the lecture's experiments and Show in Timeline share: where the samples are, building them, fresh run folders,
 * opening a run in the Concurrency Timeline, and telling the user what happened in a small popup.
 */
public final class Lecture {
    /** Job family of every experiment and Show in Timeline job (tests wait for it). */
    public static final Object FAMILY = new Object();
    private static final AtomicReference<String> LAST_MESSAGE = new AtomicReference<>("");
    private static volatile NotificationPopup lastPopup;

    private Lecture() {
    }

    /**
     * The folder of the lecture's samples holding these sources and a Makefile: an open workspace project (the
     * "sample-servers" project of {@code ./interleave ide}), else the folder of {@code -Dinterleave.samples}.
     */
    public static Optional<Path> samplesFolder(String... sources) {
        List<Path> candidates = new ArrayList<>();
        for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
            if (p.isOpen() && p.getLocation() != null) {
                candidates.add(p.getLocation().toPath());
            }
        }
        String property = System.getProperty("interleave.samples");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property));
        }
        for (Path dir : candidates) {
            if (Files.isRegularFile(dir.resolve("Makefile"))
                    && List.of(sources).stream().allMatch(s -> Files.isRegularFile(dir.resolve(s)))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** {@code make -C folder bin/NAME...}: builds what is missing or stale; a failure explains itself. */
    public static void make(Path folder, String... programs) throws CoreException {
        List<String> targets = new ArrayList<>();
        for (String p : programs) {
            targets.add("bin/" + p);
        }
        TracedLaunchDelegate.make(folder, targets);
    }

    /** The agent, or the reason it cannot be used. */
    public static Path agent() throws CoreException {
        try {
            return TracedLaunch.findAgent();
        } catch (TracedLaunch.LaunchException e) {
            throw new CoreException(org.eclipse.core.runtime.Status.error(e.getMessage()));
        }
    }

    /** A new folder under the plug-in's runs (where traced launches keep theirs): runs/NAME-TIME. */
    public static Path newRunDir(String name) {
        Path base;
        try {
            base = Path.of(Platform.getStateLocation(Platform.getBundle(TracedLaunchDelegate.PLUGIN_ID)).toOSString(),
                    "runs");
        } catch (RuntimeException e) {
            base = Path.of(System.getProperty("java.io.tmpdir"), "interleave-runs");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = base.resolve(name + "-" + stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = base.resolve(name + "-" + stamp + "-" + i);
        }
        return dir;
    }

    /** The folder of the runs, for finding the latest one of a program. */
    static Path runsBase() {
        return newRunDir("x").getParent();
    }

    /**
     * Opens the run in the Concurrency Timeline (on the UI thread) and waits, on the calling background thread, until
     * it is shown; returns the view, or empty when there is no workbench window.
     */
    static Optional<TimelineView> openAndWait(Path runDir) throws InterruptedException {
        Display display = PlatformUI.getWorkbench().getDisplay();
        AtomicReference<TimelineView> view = new AtomicReference<>();
        AtomicReference<LoadRunJob> job = new AtomicReference<>();
        display.syncExec(() -> {
            IWorkbenchPage page = page();
            if (page == null) {
                return;
            }
            try {
                TimelineView v = (TimelineView) page.showView(TimelineView.ID);
                view.set(v);
                job.set(v.open(runDir));
            } catch (PartInitException e) {
                org.eclipse.core.runtime.ILog.of(Lecture.class).error("Could not show " + runDir, e);
            }
        });
        if (job.get() == null) {
            return Optional.empty();
        }
        job.get().join();
        // the load applies its result with asyncExec before it ends; this runs after it
        display.syncExec(() -> {
        });
        return Optional.of(view.get());
    }

    static IWorkbenchPage page() {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        if (window == null && PlatformUI.getWorkbench().getWorkbenchWindows().length > 0) {
            window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
        }
        return window == null ? null : window.getActivePage();
    }

    /** Tells the user what happened (popup and the last message, which tests read); from any thread. */
    public static void tell(String title, String message) {
        LAST_MESSAGE.set(message);
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        display.asyncExec(() -> {
            IWorkbenchPage page = page();
            if (page == null) {
                return;
            }
            Shell shell = page.getWorkbenchWindow().getShell();
            NotificationPopup old = lastPopup;
            if (old != null && old.getShell() != null && !old.getShell().isDisposed()) {
                old.close();
            }
            NotificationPopup popup = NotificationPopup.forShell(shell).title(title, true).text(message).delay(10_000)
                    .build();
            popup.open();
            lastPopup = popup;
        });
    }

    /** The last thing an experiment or Show in Timeline told the user. */
    public static String lastMessage() {
        return LAST_MESSAGE.get();
    }
}
