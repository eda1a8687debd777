package interleave.ui.timeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/**
 * Reads a run directory off the UI thread: trace files, timeline model, detectors. The outcome (a run, or a message
 * saying why there is none) goes to the consumer, which the view uses to apply it on the UI thread. A run that cannot
 * be read is not an error dialog: the message says what happened and what to do, and the log keeps the details of a
 * failure that was not the input's fault.
 */
public final class LoadRunJob extends Job {
    /** Job family, for waiting in tests. */
    public static final Object FAMILY = LoadRunJob.class;

    /**
     * What came of it: a run, or a message (never both). A run comes twice: first its timeline, as soon as it is
     * built (not {@link LoadedRun#checked()}), then with the detectors' findings ({@code last}).
     */
    public record Outcome(Path directory, LoadedRun run, String error, boolean last) {
        Outcome(Path directory, LoadedRun run, String error) {
            this(directory, run, error, true);
        }
    }

    private final Path directory;
    private final Consumer<Outcome> done;

    public LoadRunJob(Path directory, Consumer<Outcome> done) {
        super("Opening trace run " + directory);
        this.directory = directory;
        this.done = done;
        setUser(false);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    private volatile long readNanos, modelNanos;

    /** How long reading the trace files took (ns; 0 before), for the speed benchmark. */
    public long readNanos() {
        return readNanos;
    }

    /** How long building the timeline model took (ns; 0 before), for the speed benchmark. */
    public long modelNanos() {
        return modelNanos;
    }

    /** The view painted a frame of this run (or cannot): the detectors may start. */
    public void framePainted() {
        firstFrame.countDown();
    }

    private final java.util.concurrent.CountDownLatch firstFrame = new java.util.concurrent.CountDownLatch(1);

    /** Waits for {@link #framePainted}, at most {@link #FIRST_FRAME_WAIT_MS} (a hidden view never paints). */
    private void awaitFirstFrame(IProgressMonitor monitor) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(FIRST_FRAME_WAIT_MS);
        try {
            while (!monitor.isCanceled() && System.nanoTime() < end
                    && !firstFrame.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // polled: a cancelled load stops waiting at once
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The longest the detectors wait for the first frame. */
    static final long FIRST_FRAME_WAIT_MS = 2_000;

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor sub = SubMonitor.convert(monitor, "Reading " + directory, 3);
        try {
            long start = System.nanoTime();
            TraceRun run = TraceReader.read(directory);
            readNanos = System.nanoTime() - start;
            if (sub.isCanceled()) {
                return Status.CANCEL_STATUS;
            }
            sub.worked(1);
            sub.subTask("Building the timeline");
            start = System.nanoTime();
            TimelineModel model = TimelineModel.build(run);
            modelNanos = System.nanoTime() - start;
            sub.worked(1);
            if (sub.isCanceled()) {
                return Status.CANCEL_STATUS;
            }
            ActivityWindow.of(model); // the first window, here rather than on the UI thread (cached by model)
            // the timeline first: a large run is readable while the detectors still work through it
            done.accept(new Outcome(directory, LoadedRun.unchecked(directory, run, model), null, false));
            // and painted before they start: on two cores they would slow the first frame's query and paint
            awaitFirstFrame(sub);
            if (sub.isCanceled()) {
                return Status.CANCEL_STATUS;
            }
            sub.subTask("Looking for concurrency bugs");
            List<Finding> findings = DetectorRegistry.detectAll(run, model);
            sub.worked(1);
            if (sub.isCanceled()) {
                return Status.CANCEL_STATUS;
            }
            done.accept(new Outcome(directory, LoadedRun.of(directory, run, model, findings), null));
        } catch (TraceException e) {
            done.accept(new Outcome(directory, null, "Could not open " + directory + ": " + e.getMessage()));
        } catch (RuntimeException | OutOfMemoryError e) {
            ILog.of(getClass()).error("Reading the trace run " + directory + " failed", e);
            done.accept(new Outcome(directory, null, "Could not open " + directory + ": reading it failed ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "). This is a bug in Interleave, not in your program; the details are in the Error Log."));
        } finally {
            monitor.done();
        }
        return Status.OK_STATUS;
    }
}
