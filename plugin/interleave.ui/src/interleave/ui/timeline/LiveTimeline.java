package interleave.ui.timeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Listener;

import interleave.engine.tracing.RunFollower.Snapshot;

/**
 * The timeline view following a run live: snapshots come from a {@link FollowRunJob} on its thread; only the newest
 * is kept and applied on the UI thread (a slow paint skips the ones in between, never queues them). While paused,
 * snapshots are still read but not shown; Resume shows the newest. The window: the whole run so far, growing, until
 * the user zooms or pans; then the user's zoom is kept, and if the window's right edge was at the run's end ("now"),
 * it slides along with the end.
 */
public final class LiveTimeline {
    /** A window ending within this fraction of its width of the run's end is "at now". */
    private static final double AT_END = 0.02;

    private final TimelineView view;
    private final Path directory;
    private final Display display;
    private final FollowRunJob job;
    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<long[]> latencies = new ArrayList<>();
    private final Listener paintProbe;
    private boolean paused;
    private boolean userMoved;
    private boolean applying;
    private boolean ended;
    private Snapshot shown;
    private LoadedRun shownRun;
    private int applied;
    private long previousNewestNs = Long.MIN_VALUE;

    LiveTimeline(TimelineView view, Path directory) {
        this.view = view;
        this.directory = directory;
        this.display = view.timeline().control().getDisplay();
        this.job = new FollowRunJob(directory, this::arrived, this::failed);
        view.timeline().addWindowListener(() -> {
            if (!applying) {
                userMoved = true;
            }
        });
        // when the canvas has drawn a snapshot's frame: that snapshot's events are on screen
        paintProbe = e -> painted();
        view.timeline().control().addListener(SWT.Paint, paintProbe);
    }

    void start() {
        job.schedule();
    }

    /** Stops following (another run opened, the view closed); what is shown stays. */
    void stop() {
        job.cancel();
        if (!view.timeline().control().isDisposed()) {
            view.timeline().control().removeListener(SWT.Paint, paintProbe);
        }
    }

    private void arrived(Snapshot s) {
        pending.set(s);
        if (scheduled.compareAndSet(false, true) && !display.isDisposed()) {
            display.asyncExec(this::applyNewest);
        }
    }

    private void failed(String message) {
        if (!display.isDisposed()) {
            display.asyncExec(() -> view.liveFailed(this, message));
        }
    }

    private void applyNewest() {
        scheduled.set(false);
        if (paused || view.timeline().control().isDisposed()) {
            return; // kept in pending: Resume shows it
        }
        Snapshot s = pending.getAndSet(null);
        if (s == null) {
            return;
        }
        shown = s;
        applied++;
        ended = !s.provisional();
        if (!s.hasEvents()) {
            view.liveWithoutEvents(this, s);
            return;
        }
        LoadedRun loaded = LoadedRun.of(directory, s.run(), s.timeline(), s.findings());
        TimelineCanvas c = view.timeline();
        boolean first = shownRun == null;
        long oldStart = c.visibleStartNs(), oldEnd = c.visibleEndNs();
        long oldDuration = shownRun == null ? 0 : shownRun.model().durationNs();
        boolean atEnd = oldEnd >= oldDuration - (oldEnd - oldStart) * AT_END;
        shownRun = loaded;
        applying = true;
        try {
            view.showLive(this, loaded, s, first);
            long d = loaded.model().durationNs();
            if (!s.provisional() && !userMoved) {
                c.zoomToActivity(); // ended: framed as the run opened from its directory is
            } else if (first || !userMoved) {
                c.zoomToFit(); // the whole run so far
            } else {
                if (atEnd) {
                    c.setWindow(d - (oldEnd - oldStart), d); // the user's zoom, sliding with "now"
                } else {
                    c.setWindow(oldStart, oldEnd);
                }
            }
        } finally {
            applying = false;
        }
    }

    private void painted() {
        LoadedRun r = shownRun;
        if (r == null || shown == null || view.timeline().paintedRun() != r || shown.timeline() != r.model()) {
            return;
        }
        if (latencies.isEmpty() || latencies.get(latencies.size() - 1)[0] != shown.version()) {
            long now = System.nanoTime();
            // the newest event of this snapshot reached the screen now; the first event after the previous
            // snapshot's newest waited at most this long
            latencies.add(new long[] {shown.version(), now - shown.newestEventNs(),
                    previousNewestNs == Long.MIN_VALUE ? now - shown.newestEventNs() : now - previousNewestNs});
            previousNewestNs = shown.newestEventNs();
        }
    }

    // ---------------------------------------------------------------- the view's toolbar and tests

    public Path directory() {
        return directory;
    }

    public FollowRunJob job() {
        return job;
    }

    public boolean paused() {
        return paused;
    }

    /** Pause: keep reading, stop showing. Resume: show the newest at once. */
    public void setPaused(boolean pause) {
        paused = pause;
        previousNewestNs = Long.MIN_VALUE; // what waited during a pause is not latency
        if (!pause && pending.get() != null) {
            applyNewest();
        }
        view.liveStatus(this);
    }

    /** Back to showing the whole run as it grows (Zoom to Fit). */
    void fitAgain() {
        userMoved = false;
    }

    /** The run has ended and its last snapshot is shown. */
    public boolean ended() {
        return ended;
    }

    /** The snapshot shown (null before the first). */
    public Snapshot shown() {
        return shown;
    }

    /** How many snapshots were shown. */
    public int appliedCount() {
        return applied;
    }

    /**
     * For each snapshot painted: {version, ns from its newest event to its paint, ns from the previous snapshot's
     * newest event to this paint (what an event written just after the previous snapshot waited)}.
     */
    public List<long[]> latencies() {
        return List.copyOf(latencies);
    }
}
