package interleave.ui.timeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/**
 * What the canvas draws, asked of the model for the visible lanes in a time window at one sample per pixel. No SWT:
 * it runs on a background job. Spans come merged by the model; instants are thinned here to one per pixel
 * (per kind and lane), arrows to one per three pixels (per kind and pair of lanes), so the answer's size depends on
 * the window's width in pixels, not on the run's size.
 */
final class FrameQuery {
    /** At most this many arrows per frame; beyond it, the earliest are kept (a warning is drawn). */
    static final int MAX_ARROWS = 20_000;
    /** Arrows between the same lanes closer than this many pixels are drawn once. */
    static final int ARROW_PIXELS = 3;

    record Request(LoadedRun run, long t0, long t1, long resolutionNs, List<Integer> rowIds) {
        boolean covers(LoadedRun r, long from, long to, long resolution, List<Integer> rows) {
            return run == r && t0 <= from && t1 >= to && resolutionNs <= resolution * 3 / 2 + 1
                    && resolutionNs * 3 / 2 + 1 >= resolution && new HashSet<>(rowIds).containsAll(rows);
        }
    }

    record RowData(List<StateSpan> spans, List<Instant> instants) {
    }

    record Frame(Request request, Map<Integer, RowData> rows, List<Arrow> arrows, boolean arrowsThinned) {
        int spanCount() {
            return rows.values().stream().mapToInt(r -> r.spans().size()).sum();
        }
    }

    private FrameQuery() {
    }

    /** The frame, or null when cancelled. */
    static Frame run(Request q, BooleanSupplier cancelled) {
        TimelineModel m = q.run().model();
        long res = Math.max(1, q.resolutionNs());
        Map<Integer, RowData> rows = new LinkedHashMap<>();
        for (int id : q.rowIds()) {
            if (cancelled.getAsBoolean()) {
                return null;
            }
            List<StateSpan> spans = m.spans(id, q.t0(), q.t1(), res);
            List<Instant> instants = new ArrayList<>();
            long lastPixel = Long.MIN_VALUE;
            Set<Instant.Kind> inPixel = new HashSet<>();
            for (Instant i : m.instants(id, q.t0(), q.t1())) {
                long pixel = Math.floorDiv(i.timeNs(), res);
                if (pixel != lastPixel) {
                    lastPixel = pixel;
                    inPixel.clear();
                }
                if (inPixel.add(i.kind())) {
                    instants.add(i);
                }
            }
            rows.put(id, new RowData(spans, instants));
        }
        List<Arrow> arrows = new ArrayList<>();
        Set<List<Long>> seen = new HashSet<>();
        boolean thinned = false;
        // one arrow per pair of lanes, kind and ARROW_PIXELS-wide stretch at either end: closer ones would be drawn
        // over each other (a head is 7 pixels long), and a busy mutex hands off hundreds of times per pixel
        long bucket = res * ARROW_PIXELS;
        for (Arrow a : m.arrows(q.t0(), q.t1())) {
            if (seen.add(List.of((long) a.fromRow(), (long) a.toRow(), (long) a.kind().ordinal(),
                    Math.floorDiv(a.fromNs(), bucket), Math.floorDiv(a.toNs(), bucket)))) {
                if (arrows.size() == MAX_ARROWS) {
                    thinned = true;
                    break;
                }
                arrows.add(a);
            }
        }
        return new Frame(q, rows, arrows, thinned);
    }
}
