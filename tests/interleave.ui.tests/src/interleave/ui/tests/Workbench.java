package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;

import interleave.ui.AnalysisJob;
import interleave.ui.InterleaveMarkers;

/**
 * What the UI tests share: projects with C files, waiting for jobs while the UI thread keeps dispatching events (the
 * tests run on the UI thread; a plain join there would stall the workbench), marker queries, screenshots and gcc.
 * SWTBot is not on Maven Central, so the tests drive the real workbench through its API and SWT events.
 */
final class Workbench {
    private Workbench() {
    }

    static IWorkbenchWindow window() {
        IWorkbenchWindow w = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        if (w == null) {
            w = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
        }
        assertNotNull(w, "no workbench window");
        return w;
    }

    static IWorkbenchPage page() {
        return window().getActivePage();
    }

    static Display display() {
        return PlatformUI.getWorkbench().getDisplay();
    }

    /** A fresh open project (an old one of the same name is deleted first) holding the given files. */
    static IProject project(String name, Map<String, String> files) throws CoreException {
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject(name);
        if (project.exists()) {
            project.delete(true, true, null);
        }
        project.create(null);
        project.open(null);
        for (Map.Entry<String, String> f : files.entrySet()) {
            write(project.getFile(f.getKey()), f.getValue());
        }
        return project;
    }

    static void write(IFile file, String text) throws CoreException {
        ByteArrayInputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        if (file.exists()) {
            file.setContents(in, true, false, null);
        } else {
            file.create(in, true, null);
        }
    }

    static String read(IFile file) throws IOException {
        return Files.readString(file.getLocation().toFile().toPath(), StandardCharsets.UTF_8);
    }

    /** Closes every shell other than the workbench window (e.g. the dialog that reports a refused fix). */
    static void closeDialogs() {
        Shell main = window().getShell();
        for (Shell s : display().getShells()) {
            if (s != main && !s.isDisposed() && s.isVisible()) {
                s.close();
            }
        }
        processEvents(100);
    }

    /** Dispatches UI events for a while, so the workbench reacts (selection service, menus, painting). */
    static void processEvents(long millis) {
        Display d = display();
        long end = System.currentTimeMillis() + millis;
        do {
            while (d.readAndDispatch()) {
                // drain
            }
            sleep(10);
        } while (System.currentTimeMillis() < end);
    }

    /** Waits until no job of the family is scheduled or running, dispatching UI events meanwhile. */
    static void waitForJobs(Object family) {
        Display d = display();
        long end = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(60);
        while (Job.getJobManager().find(family).length > 0) {
            if (System.currentTimeMillis() > end) {
                fail("jobs of " + family + " still running after 60 s: "
                        + Arrays.toString(Job.getJobManager().find(family)));
            }
            if (!d.readAndDispatch()) {
                sleep(10);
            }
        }
        processEvents(50);
    }

    static void waitForAnalysis() {
        waitForJobs(AnalysisJob.FAMILY);
    }

    static IMarker[] markers(IResource resource) throws CoreException {
        IMarker[] found = resource.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_INFINITE);
        Arrays.sort(found, Comparator.comparing((IMarker m) -> m.getResource().getName())
                .thenComparingInt(m -> m.getAttribute(IMarker.LINE_NUMBER, 0)));
        return found;
    }

    /** "file:line rule-id" for each marker, sorted: the form the tests compare. */
    static List<String> describe(IMarker[] markers) {
        List<String> out = new ArrayList<>();
        for (IMarker m : markers) {
            out.add(m.getResource().getName() + ":" + m.getAttribute(IMarker.LINE_NUMBER, -1) + " "
                    + m.getAttribute(InterleaveMarkers.RULE_ID, "?"));
        }
        return out;
    }

    /** 1-based number of the first line containing the text, so expectations follow the source they describe. */
    static int lineOf(String source, String text) {
        int at = source.indexOf(text);
        if (at < 0) {
            fail("'" + text + "' not in the source");
        }
        return (int) source.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    /** Runs gcc -fsyntax-only on the files; returns gcc's output, or null when gcc is not installed. */
    static String gccSyntaxErrors(List<IFile> files) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("gcc", "-fsyntax-only", "-pthread",
                "-Werror=implicit-function-declaration"));
        for (IFile f : files) {
            cmd.add(f.getLocation().toOSString());
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null; // no gcc on this machine
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "gcc did not finish");
        return p.exitValue() == 0 ? "" : "gcc exit " + p.exitValue() + ":\n" + out;
    }

    /** Saves a PNG of the workbench window (what a user would see) into target/screenshots. */
    static File screenshot(String name) throws IOException {
        processEvents(500); // let views paint
        return screenshot(name, window().getShell().getBounds());
    }

    /**
     * Saves a PNG of a dialog's client area. Without a window manager GTK counts a title bar in the bounds that is
     * not drawn, so the bounds would take in a strip of what lies below the dialog.
     */
    static File screenshot(String name, Shell shell) throws IOException {
        processEvents(500);
        return screenshot(name, display().map(shell, null, shell.getClientArea()));
    }

    private static File screenshot(String name, Rectangle b) throws IOException {
        Display d = display();
        Image image = new Image(d, b.width, b.height);
        GC gc = new GC(d);
        try {
            gc.copyArea(image, b.x, b.y);
        } finally {
            gc.dispose();
        }
        ImageLoader loader = new ImageLoader();
        loader.data = new ImageData[] { image.getImageData() };
        image.dispose();
        Path dir = Path.of(System.getProperty("interleave.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        File png = dir.resolve(name + ".png").toFile();
        loader.save(png.getAbsolutePath(), SWT.IMAGE_PNG);
        return png;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends SWT.Show as opening the menu would: the workbench then fills it for the current context. */
    static org.eclipse.swt.widgets.MenuItem showAndFind(org.eclipse.swt.widgets.Menu menu, String label) {
        menu.notifyListeners(SWT.Show, new org.eclipse.swt.widgets.Event());
        processEvents(50);
        for (org.eclipse.swt.widgets.MenuItem item : menu.getItems()) {
            if (item.getText().replace("&", "").startsWith(label)) {
                return item;
            }
        }
        return null;
    }

    static void hide(org.eclipse.swt.widgets.Menu menu) {
        menu.notifyListeners(SWT.Hide, new org.eclipse.swt.widgets.Event());
        processEvents(50);
    }

    /** The labels a menu shows, for failure messages. */
    static List<String> labels(org.eclipse.swt.widgets.Menu menu) {
        return Arrays.stream(menu.getItems()).map(org.eclipse.swt.widgets.MenuItem::getText).filter(s -> !s.isEmpty())
                .toList();
    }

    /** Waits, running the event loop, until the condition holds; fails the test after the given seconds. */
    static void until(String what, long seconds, java.util.function.BooleanSupplier condition) {
        long end = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(seconds);
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail(what + " did not happen within " + seconds + " s");
            }
            processEvents(20);
        }
    }

    /** The traced program of a Traced C Application launch. */
    static interleave.ui.launch.TracedProcess traced(org.eclipse.debug.core.ILaunch l) {
        for (org.eclipse.debug.core.model.IProcess p : l.getProcesses()) {
            if (p instanceof interleave.ui.launch.TracedProcess t) {
                return t;
            }
        }
        throw new AssertionError("no traced process in " + List.of(l.getProcesses()));
    }

    /** Running, not a zombie waiting for a parent (a container's init may not reap them at once). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
