package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.ui.IWorkbenchPage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import interleave.engine.timeline.Row;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.TimelineCanvas;
import interleave.ui.timeline.TimelineView;

/**
 * The CPU Lanes toggle on recorded runs: one lane per CPU the run used, each stretch naming the thread that ran
 * there; none for a trace without CPU records; gone again when toggled off.
 */
class CpuLanesTest {
    private TimelineView view;

    @BeforeEach
    void showView() throws Exception {
        Workbench.window().getShell().setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        Workbench.processEvents(100);
    }

    @AfterEach
    void hideView() {
        if (view.cpuLanesAction().isChecked()) {
            toggle(false);
        }
        IWorkbenchPage page = Workbench.page();
        page.hideView(view);
        Workbench.processEvents(100);
    }

    private LoadedRun open(String name) {
        view.open(TimelineViewTest.trace(name));
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        settle();
        return view.run().orElseThrow(() -> new AssertionError("no run shown; status: " + view.statusText()));
    }

    private void settle() {
        for (int i = 0; i < 5; i++) {
            view.timeline().control().redraw();
            Workbench.processEvents(60);
            Workbench.waitForJobs(TimelineCanvas.FRAME_FAMILY);
        }
    }

    private void toggle(boolean on) {
        view.cpuLanesAction().setChecked(on);
        view.cpuLanesAction().run();
        settle();
    }

    /** The tooltips along the k-th CPU lane, one per distinct text. */
    private List<String> tipsAlong(int k) {
        TimelineCanvas canvas = view.timeline();
        int y = canvas.cpuLaneY(k);
        List<String> tips = new ArrayList<>();
        for (int x = 0; x < canvas.control().getSize().x; x++) {
            String tip = canvas.toolTipAt(x, y);
            if (!tips.contains(tip)) {
                tips.add(tip);
            }
        }
        return tips;
    }

    @Test
    void theToggleAddsALanePerCpuWhoseStretchesNameTheirThread() {
        LoadedRun run = open("badcnt-watched"); // two counting threads, recorded on CPUs 0 and 1
        TimelineCanvas canvas = view.timeline();
        int bottom = canvas.control().getSize().y - 9; // where the last CPU lane's middle would be
        assertEquals(List.of(), canvas.cpuLaneCpus(), "no CPU lanes before the toggle");
        assertFalse(canvas.toolTipAt(canvas.control().getSize().x / 2, bottom).startsWith("CPU "));

        toggle(true);
        assertEquals(List.of(0, 1), canvas.cpuLaneCpus());
        Set<String> threads = run.model().rows().stream().filter(r -> r.kind() == Row.Kind.THREAD)
                .map(r -> r.label() + " (pid " + r.pid() + ", tid " + r.tid() + ") ran here").collect(Collectors.toSet());
        Set<String> named = new java.util.HashSet<>();
        for (int k = 0; k < 2; k++) {
            List<String> tips = tipsAlong(k);
            String cpu = "CPU " + canvas.cpuLaneCpus().get(k);
            assertTrue(tips.stream().allMatch(t -> t.startsWith(cpu)), cpu + "'s lane: " + tips);
            for (String t : tips) {
                threads.stream().filter(t::contains).forEach(named::add);
            }
        }
        assertTrue(named.size() >= 2, "the CPU lanes name at least two threads of " + threads + ": " + named);

        toggle(false);
        assertEquals(List.of(), canvas.cpuLaneCpus());
        assertFalse(canvas.toolTipAt(canvas.control().getSize().x / 2, bottom).startsWith("CPU "));
    }

    @Test
    void aTraceWithoutCpuRecordsHasNoCpuLanes() {
        open("race");
        toggle(true);
        assertEquals(List.of(), view.timeline().cpuLaneCpus());
        assertTrue(view.timeline().frameSpanCount() > 0, "the timeline itself is drawn");
    }
}
