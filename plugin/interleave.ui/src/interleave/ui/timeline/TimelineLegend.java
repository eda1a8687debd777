package interleave.ui.timeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.RowData;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.State;

/**
 * What the colours of the Concurrency Timeline mean, as in the HTML report's legend: one swatch per colour of a state
 * (states sharing a colour share the entry), then instants, arrows and findings.
 */
public final class TimelineLegend {
    private final Composite control;
    private final List<String> entries = new ArrayList<>();

    TimelineLegend(Composite parent) {
        control = new Composite(parent, SWT.NONE);
        RowLayout layout = new RowLayout(SWT.HORIZONTAL);
        layout.wrap = true;
        layout.center = true;
        layout.marginTop = layout.marginBottom = 2;
        control.setLayout(layout);
        control.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));

        Map<RGB, List<String>> states = new LinkedHashMap<>();
        for (State s : State.values()) {
            states.computeIfAbsent(TimelinePresentation.of(s), k -> new ArrayList<>()).add(s.description());
        }
        states.forEach((rgb, names) -> entry(rgb, String.join(", ", names), 12));
        entry(TimelinePresentation.of(Instant.Kind.FORK), "tick: fork, thread start", 3);
        entry(TimelinePresentation.of(Instant.Kind.ACCEPT), "tick: accept, close", 3);
        entry(TimelinePresentation.of(Instant.Kind.SIGNAL_SENT), "tick/arrow: signal sent → handler", 3);
        entry(TimelinePresentation.of(Instant.Kind.EXIT), "tick/arrow: exit, reap", 3);
        entry(TimelinePresentation.of(Arrow.Kind.LOCK_HANDOFF), "arrow: lock hand-off (and lock counts)", 3);
        entry(TimelinePresentation.of(Arrow.Kind.CONNECTION), "arrow: accept → close of a connection", 3);
        entry(TimelinePresentation.FINDING, "finding (a bug observed at that moment)", 6);
    }

    private void entry(RGB rgb, String text, int width) {
        Label swatch = new Label(control, SWT.NONE);
        swatch.setBackground(new Color(rgb));
        swatch.setLayoutData(new RowData(width, 12));
        Label label = new Label(control, SWT.NONE);
        label.setText(text + "   ");
        entries.add(text);
    }

    public Composite control() {
        return control;
    }

    /** The entries' texts, in order (for tests). */
    public List<String> entries() {
        return List.copyOf(entries);
    }

    void setVisible(boolean visible) {
        control.setVisible(visible);
        ((GridData) control.getLayoutData()).exclude = !visible;
        control.getParent().layout(true, true);
    }
}
