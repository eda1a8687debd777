package interleave.ui.timeline;

import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/**
 * The window a finding's moment is shown in: centred on the moment, wide enough for the calls it happened in (a
 * thread blocked in a lock since long before, the other lock waits of its process at that moment) and the events
 * just around it, with a margin so that none of them is pressed against an edge. At least {@link #MIN_NS} or a
 * fortieth of the run; calls that began much earlier only widen it up to a limit, so the moment stays readable.
 */
final class MomentWindow {
    /** The narrowest window for a moment (ns). */
    static final long MIN_NS = 200_000;

    private MomentWindow() {
    }

    /** [from, to] in ns since the run's start around the moment t on row (-1: no row). */
    static long[] of(TimelineModel m, int row, long t) {
        long base = Math.max(MIN_NS, m.durationNs() / 40);
        long reach = 20 * base; // calls that began earlier than this do not widen the window further
        long from = t, to = t;
        if (row >= 0 && row < m.rows().size()) {
            Row r = m.row(row);
            for (Row other : m.rows()) {
                if (other.kind() != Row.Kind.THREAD || other.pid() != r.pid()
                        || other.startNs() > t || other.endNs() < t) {
                    continue;
                }
                boolean own = other.id() == row || other.parentId() == row;
                for (StateSpan s : m.spans(other.id(), t, t)) {
                    boolean waitsOnOthers = s.state() == State.LOCK || s.state() == State.COND_WAIT
                            || s.state() == State.SEM_WAIT || s.state() == State.JOIN;
                    if (s.state() == State.RUNNING || !(own || waitsOnOthers)) {
                        continue;
                    }
                    if (s.startNs() >= t - reach) {
                        from = Math.min(from, s.startNs());
                    }
                    if (s.endNs() <= t + base) {
                        to = Math.max(to, s.endNs());
                    }
                }
                if (own) {
                    for (Instant i : m.instants(other.id(), t - base / 2, t + base / 2)) {
                        from = Math.min(from, i.timeNs());
                        to = Math.max(to, i.timeNs());
                    }
                }
            }
        }
        // centred on the moment, each side as long as the longer one, plus a fifth for the margin
        long half = Math.max(Math.max(t - from, to - t) * 6 / 5, base / 2);
        return new long[] { t - half, t + half };
    }
}
