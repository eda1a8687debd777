package interleave.ui.timeline;

import java.util.Arrays;
import java.util.Optional;

import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;

/**
 * Where a run's activity is, for the view's first window: a server that handles its clients in the first 20 ms and
 * then waits 3 s to be stopped should open on those 20 ms, not on a bar of idle time. When all the instants (forks,
 * accepts, closes, signals, exits) fit in a quarter of the run, the window holds them all; otherwise it is the
 * shortest one holding 90% of them, grown over the instants that continue it without a long quiet gap. With a
 * margin; empty when the activity fills most of the run anyway or there is too little of it to tell.
 */
public final class ActivityWindow {
    /** Fewer instants than this: show the whole run. */
    static final int MIN_INSTANTS = 20;
    /** Above this many instants only this many rows are sampled, so that opening stays quick. */
    private static final int MAX_ROWS = 2_000;

    private ActivityWindow() {
    }

    /** [from, to] in ns since the run's start, or empty for "the whole run". */
    public static Optional<long[]> of(TimelineModel model) {
        return KNOWN.computeIfAbsent(model, ActivityWindow::compute);
    }

    /**
     * Windows already computed, by model: the loader computes a run's window in the background, so that showing it
     * on the UI thread does not go through its instants again. Weak: a model forgotten by the view goes.
     */
    private static final java.util.Map<TimelineModel, Optional<long[]>> KNOWN = java.util.Collections
            .synchronizedMap(new java.util.WeakHashMap<>());

    private static Optional<long[]> compute(TimelineModel model) {
        long d = model.durationNs();
        if (d <= 0) {
            return Optional.empty();
        }
        long[] times = new long[1024];
        int n = 0;
        int rows = 0;
        for (Row r : model.rows()) {
            if (rows++ >= MAX_ROWS) {
                break;
            }
            for (Instant i : model.instants(r.id(), 0, d)) {
                if (n == times.length) {
                    if (n >= 4_000_000) {
                        break;
                    }
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n++] = i.timeNs();
            }
        }
        if (n < MIN_INSTANTS) {
            return Optional.empty();
        }
        Arrays.sort(times, 0, n);
        if (times[n - 1] - times[0] <= d / 4) {
            // all the activity is in one short stretch (a burst, then idle): show all of it, no instant left out
            return Optional.of(withMargin(times[0], times[n - 1], d));
        }
        int k = (int) Math.ceil(n * 0.9);
        long best = Long.MAX_VALUE;
        int bestStart = 0;
        for (int i = 0; i + k - 1 < n; i++) {
            long w = times[i + k - 1] - times[i];
            if (w < best) {
                best = w;
                bestStart = i;
            }
        }
        // grow the dense core over the instants that continue it (gaps small next to it), so a burst's tail is kept;
        // a long quiet gap (the idle second) stops it
        int lo = bestStart, hi = bestStart + k - 1;
        long gap = Math.max(Math.max(best / 4, 1_000_000), d / 200); // a busy machine spreads a burst a little
        while (lo > 0 && times[lo] - times[lo - 1] <= gap) {
            lo--;
        }
        while (hi < n - 1 && times[hi + 1] - times[hi] <= gap) {
            hi++;
        }
        long from = times[lo], to = times[hi];
        if (to - from > d / 4) {
            return Optional.empty(); // the activity is spread over the run: show all of it
        }
        return Optional.of(withMargin(from, to, d));
    }

    private static long[] withMargin(long from, long to, long d) {
        long margin = Math.max((to - from) / 10, 20_000);
        return new long[] { Math.max(0, from - margin), Math.min(d, to + margin) };
    }
}
