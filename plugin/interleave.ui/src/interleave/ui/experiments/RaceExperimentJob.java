package interleave.ui.experiments;

import java.nio.file.Path;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.ui.PlatformUI;

import interleave.engine.experiments.ExperimentProgress;
import interleave.ui.launch.TracedRuns;
import interleave.engine.experiments.RaceExperiment;

/**
 * The race experiment in the background: the race sample run N times under the agent (progress per run, Cancel stops
 * the run going on and every process it started), then the histogram in a {@link RaceHistogramDialog}.
 */
public final class RaceExperimentJob extends Job {
    private final int runs;
    private volatile RaceExperiment.Result result;

    public RaceExperimentJob(int runs) {
        super("Race experiment: " + runs + " runs of race " + RaceExperiment.DEFAULT_THREADS);
        this.runs = runs;
        setUser(true);
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == Lecture.FAMILY;
    }

    /** What the experiment gave, once the job is done (empty before, or when it could not start). */
    public java.util.Optional<RaceExperiment.Result> result() {
        return java.util.Optional.ofNullable(result);
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor sub = SubMonitor.convert(monitor, runs + 1);
        Path folder = Lecture.samplesFolder("race.c").orElse(null);
        if (folder == null) {
            Lecture.tell("Interleave: race experiment", "No folder of the lecture's samples (race.c with its Makefile)"
                    + " is open: ./interleave ide adds it as the project sample-servers; or import sample-servers/ as"
                    + " a project.");
            return Status.OK_STATUS;
        }
        try {
            sub.subTask("make race");
            Lecture.make(folder, "race");
            sub.worked(1);
            Path work = Lecture.newRunDir("race-experiment");
            RaceExperiment.Result r = new RaceExperiment(folder.resolve("bin/race"), Lecture.agent()).run(work, runs,
                    RaceExperiment.DEFAULT_THREADS, new ExperimentProgress() {
                        @Override
                        public void step(int done, int total, String what) {
                            sub.subTask(what);
                            if (done > 0) {
                                sub.worked(1);
                            }
                        }

                        @Override
                        public boolean cancelled() {
                            return monitor.isCanceled();
                        }

                        @Override
                        public void started(Process process) {
                            TracedRuns.started(process); // closing Eclipse stops it too
                        }
                    });
            result = r;
            if (r.cancelled()) {
                return Status.CANCEL_STATUS;
            }
            PlatformUI.getWorkbench().getDisplay().asyncExec(() -> RaceHistogramDialog.open(r, work));
            return Status.OK_STATUS;
        } catch (CoreException e) {
            Lecture.tell("Interleave: race experiment", "The race experiment could not run: "
                    + e.getStatus().getMessage());
            return Status.OK_STATUS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.CANCEL_STATUS;
        }
    }
}
