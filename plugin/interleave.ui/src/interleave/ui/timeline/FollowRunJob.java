package interleave.ui.timeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceException;
import interleave.engine.tracing.RunFollower;

/**
 * Follows a run directory in the background while the traced program writes it ({@link RunFollower}, polled every
 * {@link RunFollower#PERIOD_MS} ms) until the run ends or the job is cancelled; every snapshot goes to the consumer on
 * this job's thread. It belongs to {@link LoadRunJob#FAMILY} too: who waits for a run to be shown waits for its end.
 */
public final class FollowRunJob extends Job {
    /** Job family of the followers, for waiting in tests. */
    public static final Object FAMILY = FollowRunJob.class;
    /** A run directory without an end record whose files changed this recently is taken to be still written. */
    static final long RECENT_MS = 30_000;

    private final Path directory;
    private final Consumer<RunFollower.Snapshot> snapshots;
    private final Consumer<String> failed;

    FollowRunJob(Path directory, Consumer<RunFollower.Snapshot> snapshots, Consumer<String> failed) {
        super("Following trace run " + directory);
        this.directory = directory;
        this.snapshots = snapshots;
        this.failed = failed;
        setSystem(true);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY || family == LoadRunJob.FAMILY;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        try {
            RunFollower follower = new RunFollower(directory, new RunFollower.Listener() {
                @Override
                public void snapshot(RunFollower.Snapshot s) {
                    snapshots.accept(s);
                }

                @Override
                public void failed(String message) {
                    FollowRunJob.this.failed.accept("Stopped following " + directory + ": " + message);
                }
            });
            follower.run(RunFollower.PERIOD_MS, monitor::isCanceled);
        } catch (TraceException e) {
            failed.accept("Could not follow " + directory + ": " + e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            ILog.of(getClass()).error("Following the trace run " + directory + " failed", e);
            failed.accept("Stopped following " + directory + ": reading it failed (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). This is a bug in Interleave, not in"
                    + " your program; the details are in the Error Log.");
        }
        return monitor.isCanceled() ? Status.CANCEL_STATUS : Status.OK_STATUS;
    }

    /**
     * Whether a directory looks like a run still being written (by {@code interleave trace} in a terminal): no end
     * record, and a trace file (or the directory) changed in the last {@link #RECENT_MS} ms.
     */
    public static boolean looksLive(Path dir) {
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(RunEnd.FILE))) {
            return false;
        }
        long now = System.currentTimeMillis();
        try {
            if (now - Files.getLastModifiedTime(dir).toMillis() < RECENT_MS) {
                return true;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.trace")) {
                for (Path p : ds) {
                    if (now - Files.getLastModifiedTime(p).toMillis() < RECENT_MS) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false; // reading it will say what is wrong
        }
        return false;
    }
}
