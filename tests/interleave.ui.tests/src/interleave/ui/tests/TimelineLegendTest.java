package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import interleave.engine.timeline.State;
import interleave.ui.timeline.TimelineView;

/** The view's Legend toggle: hidden at first, then every state's meaning, the arrows and the finding's red. */
class TimelineLegendTest {
    private TimelineView view;

    @AfterEach
    void hide() {
        if (view != null) {
            Workbench.page().hideView(view);
        }
    }

    @Test
    void theLegendToggleShowsEveryStateTheLockHandOffAndFindings() throws Exception {
        view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        Workbench.processEvents(100);
        assertFalse(view.legend().control().isVisible(), "hidden until asked for");

        view.legendAction().setChecked(true);
        view.legendAction().run();
        Workbench.processEvents(100);
        assertTrue(view.legend().control().isVisible());
        assertTrue(view.legend().control().getSize().y > 0, "laid out with room");
        String all = String.join("\n", view.legend().entries());
        for (State s : State.values()) {
            assertTrue(all.contains(s.description()), s + " missing from " + all);
        }
        List<String> entries = view.legend().entries();
        assertTrue(entries.stream().anyMatch(e -> e.contains("lock hand-off")), all);
        assertTrue(entries.get(entries.size() - 1).startsWith("finding"), all);

        view.legendAction().setChecked(false);
        view.legendAction().run();
        Workbench.processEvents(100);
        assertFalse(view.legend().control().isVisible());
    }
}
