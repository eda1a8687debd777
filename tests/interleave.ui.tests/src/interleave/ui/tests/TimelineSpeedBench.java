package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.widgets.Display;
import org.junit.jupiter.api.Test;

import interleave.engine.timeline.Row;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.TimelineCanvas;
import interleave.ui.timeline.TimelineView;

/**
 * Not a test: the timeline's speed benchmark, run by bench/timeline.sh (surefire's default names leave it out; the
 * script names it with -Dtest). On the run directory given by -Dinterleave.bench.run it measures, in the real SWT
 * canvas of a workbench under Xvfb: opening the run until the first frame with its spans is painted (read, model,
 * detectors, frame query, paint), and the repaint after a pan or a zoom (the paint the user sees at once, drawn from
 * the frame at hand) plus the time until the repaint with a freshly queried frame. Figures are printed and written to
 * -Dinterleave.bench.out; speed is measured here, never asserted.
 */
class TimelineSpeedBench {
    private static final int OPENS = 3;
    private static final int STEPS = 200;

    private final StringBuilder out = new StringBuilder();

    private void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        out.append(line).append('\n');
    }

    private static double ms(long ns) {
        return ns / 1e6;
    }

    private static String stats(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median %.2f ms, p95 %.2f ms, max %.2f ms (n=%d)", ms(s[s.length / 2]),
                ms(s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)]), ms(s[s.length - 1]), s.length);
    }

    @Test
    void measure() throws Exception {
        String dir = System.getProperty("interleave.bench.run");
        assertNotNull(dir, "a benchmark: give it -Dinterleave.bench.run=RUN_DIR (bench/timeline.sh does)");
        Path runDir = Path.of(dir);
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        TimelineView view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        Workbench.page().setPartState(Workbench.page().getReference(view),
                org.eclipse.ui.IWorkbenchPage.STATE_MAXIMIZED); // the canvas as large as the screen allows
        Workbench.processEvents(300);
        TimelineCanvas canvas = view.timeline();

        // opening: from the request to the first painted frame with the run's spans; the first open warms the JIT
        long[] open = new long[OPENS], load = new long[OPENS], checked = new long[OPENS];
        long[] read = new long[OPENS], model = new long[OPENS], show = new long[OPENS];
        LoadedRun run = null;
        for (int k = -1; k < OPENS; k++) {
            LoadedRun before = view.run().orElse(null);
            System.gc();
            long t0 = System.nanoTime();
            var job = view.open(runDir);
            long shown = 0;
            long loaded = 0, painted = 0, done = 0;
            long end = t0 + TimeUnit.SECONDS.toNanos(120);
            while (painted == 0 || done == 0) {
                if (!Workbench.display().readAndDispatch()) {
                    sleep(Workbench.display()); // until an event or an asyncExec: no spinning beside the jobs
                }
                if (loaded == 0 && view.run().filter(r -> r != before).isPresent()) {
                    loaded = System.nanoTime();
                    shown = view.lastShowNanos();
                }
                if (loaded != 0 && painted == 0 && canvas.frameSpanCount() > 0 && paintedAfterFrame(canvas)) {
                    painted = System.nanoTime();
                }
                if (done == 0 && view.run().filter(r -> r != before && r.checked()).isPresent()) {
                    done = System.nanoTime();
                }
                assertTrue(System.nanoTime() < end, "the run did not show within 120 s: " + view.statusText());
            }
            if (k >= 0) {
                open[k] = painted - t0;
                load[k] = loaded - t0;
                checked[k] = done - t0;
                read[k] = job.readNanos();
                model[k] = job.modelNanos();
                show[k] = shown;
            }
            run = view.run().orElseThrow();
        }
        long rows = run.model().rows().stream().filter(r -> r.kind() == Row.Kind.THREAD).count();
        say("run %s: %d events, %d processes, %d threads, %.3f s long; canvas %dx%d px, %d lanes on screen",
                runDir.getFileName(), run.run().eventCount(), run.model().rows().size() - rows, rows,
                run.model().durationNs() / 1e9, canvas.control().getSize().x, canvas.control().getSize().y,
                canvas.visibleRowIds().size());
        say("open to first painted frame: %s", stats(open));
        say("  of which read + timeline model (until the run is shown): %s", stats(load));
        say("    reading the trace files: %s", stats(read));
        say("    building the timeline model: %s", stats(model));
        say("    putting it on screen (lanes, findings table; UI thread): %s", stats(show));
        say("open until the detectors' findings are shown (the timeline is usable before): %s", stats(checked));

        repaint(canvas, "whole run", () -> canvas.zoomToFit());
        long d = run.model().durationNs();
        repaint(canvas, "1% of the run", () -> canvas.setWindow(d / 2 - d / 200, d / 2 + d / 200));
        repaint(canvas, "0.01% of the run", () -> canvas.setWindow(d / 2 - d / 20_000, d / 2 + d / 20_000));

        String file = System.getProperty("interleave.bench.out");
        if (file != null) {
            Files.writeString(Path.of(file), out.toString());
        }
    }

    private static final Runnable WAKE = () -> {
    };

    /** Display.sleep, woken at the latest after 50 ms (so the time limits of the loops still hold). */
    private static void sleep(Display display) {
        display.timerExec(50, WAKE);
        display.sleep();
    }

    private long framesSeen = -1;

    /** True once a paint happened after the frame's arrival (the frame count moved and a paint followed). */
    private boolean paintedAfterFrame(TimelineCanvas canvas) {
        long p = canvas.paintCount();
        if (framesSeen < 0) {
            framesSeen = p;
            canvas.control().redraw();
            return false;
        }
        boolean done = p > framesSeen;
        framesSeen = done ? -1 : framesSeen;
        return done;
    }

    /**
     * Pans and zooms around the window and times each repaint: the paint itself (the handler), the synchronous
     * redraw + update as the UI thread sees it, and the wait until a fresh frame for the new window is painted.
     */
    private void repaint(TimelineCanvas canvas, String where, Runnable window) {
        window.run();
        settle(canvas);
        int w = canvas.control().getClientArea().width;
        long[] paint = new long[STEPS], paintCpu = new long[STEPS], update = new long[STEPS],
                fresh = new long[STEPS / 4];
        List<Long> spans = new ArrayList<>(), arrows = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            switch (i % 4) {
            case 0 -> canvas.pan(w / 20);
            case 1 -> canvas.zoom(0.8, w / 2);
            case 2 -> canvas.pan(-w / 20);
            default -> canvas.zoom(1 / 0.8, w / 2);
            }
            long before = canvas.paintCount();
            long t0 = System.nanoTime();
            canvas.control().redraw();
            canvas.control().update();
            Display d = canvas.control().getDisplay();
            long giveUp = t0 + TimeUnit.SECONDS.toNanos(5);
            while (canvas.paintCount() == before && System.nanoTime() < giveUp) { // GTK paints from the event loop
                if (!d.readAndDispatch()) {
                    sleep(d);
                }
            }
            update[i] = System.nanoTime() - t0;
            assertTrue(canvas.paintCount() > before, "painted within 5 s");
            paint[i] = canvas.lastPaintNanos();
            paintCpu[i] = canvas.lastPaintCpuNanos();
            if (i % 4 == 3) { // now the whole time until the new window's own frame is on screen
                long f0 = System.nanoTime();
                canvas.zoom(0.5, w / 3); // twice as fine: the frame at hand does not do, a new one is queried
                canvas.control().redraw();
                canvas.control().update();
                Display display = canvas.control().getDisplay();
                long res = Math.max(1, (long) Math.floor(canvas.nsPerPixel()));
                long limit = f0 + TimeUnit.SECONDS.toNanos(30);
                while ((canvas.frameWindow() == null || canvas.frameWindow()[2] != res)
                        && System.nanoTime() < limit) { // the query job, then the frame applied (asyncExec)
                    if (!display.readAndDispatch()) {
                        sleep(display);
                    }
                }
                long applied = canvas.paintCount();
                canvas.control().redraw();
                while (canvas.paintCount() == applied && System.nanoTime() < limit) { // and painted
                    if (!display.readAndDispatch()) {
                        sleep(display);
                    }
                }
                assertTrue(System.nanoTime() < limit, "a fresh frame within 30 s");
                fresh[i / 4] = System.nanoTime() - f0;
                spans.add((long) canvas.frameSpanCount());
                arrows.add((long) canvas.frameArrowCount());
                canvas.zoom(2, w / 3);
                settle(canvas);
            }
        }
        say("%s: repaint after pan/zoom, paint handler wall: %s", where, stats(paint));
        say("%s: repaint after pan/zoom, paint handler CPU of the UI thread: %s", where, stats(paintCpu));
        say("%s: repaint after pan/zoom, from redraw() until painted (event loop, X server): %s", where,
                stats(update));
        say("%s: zoom until the fresh frame is painted (query + paint): %s; %d spans and %d arrows per frame"
                + " (median)", where, stats(fresh), spans.stream().sorted().toList().get(spans.size() / 2),
                arrows.stream().sorted().toList().get(arrows.size() / 2));
    }

    private static void settle(TimelineCanvas canvas) {
        for (int i = 0; i < 3; i++) {
            canvas.control().redraw();
            Workbench.processEvents(30);
            Workbench.waitForJobs(TimelineCanvas.FRAME_FAMILY);
        }
    }
}
