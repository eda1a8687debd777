package interleave.ui.experiments;

import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.PlatformUI;

import interleave.engine.experiments.ExperimentProgress;
import interleave.ui.launch.TracedRuns;
import interleave.engine.experiments.SecondClientBlock;
import interleave.engine.experiments.SecondClientExperiment;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.ui.timeline.TimelineView;

/**
 * "Where does the second client block?" in the background: echo-iterative and two echo clients traced, the run opened
 * in the Concurrency Timeline framed on the second client's wait with its lane selected, and the answer (from the
 * trace) in a popup.
 */
public final class SecondClientJob extends Job {
    private volatile SecondClientExperiment.Result result;

    public SecondClientJob() {
        super("Where does the second client block? (echo-iterative with two clients, traced)");
        setUser(true);
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == Lecture.FAMILY;
    }

    public Optional<SecondClientExperiment.Result> result() {
        return Optional.ofNullable(result);
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor sub = SubMonitor.convert(monitor, 5);
        Path folder = Lecture.samplesFolder("echo-iterative.c", "echo-client.c").orElse(null);
        if (folder == null) {
            Lecture.tell("Interleave: second client", "No folder of the lecture's samples (echo-iterative.c and"
                    + " echo-client.c with their Makefile) is open: ./interleave ide adds it as the project"
                    + " sample-servers; or import sample-servers/ as a project.");
            return Status.OK_STATUS;
        }
        try {
            sub.subTask("make echo-iterative echo-client");
            Lecture.make(folder, "echo-iterative", "echo-client");
            sub.worked(1);
            SecondClientExperiment.Result r = new SecondClientExperiment(folder.resolve("bin"), Lecture.agent()).run(
                    Lecture.newRunDir("echo-iterative-second-client"), SecondClientExperiment.DEFAULT_HOLD_MILLIS,
                    new ExperimentProgress() {
                        @Override
                        public void step(int done, int total, String what) {
                            sub.subTask(what);
                            sub.worked(1);
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
            if (monitor.isCanceled()) {
                return Status.CANCEL_STATUS;
            }
            Optional<TimelineView> view = Lecture.openAndWait(r.runDir());
            r.derivation().block().ifPresent(b -> view.ifPresent(v -> PlatformUI.getWorkbench().getDisplay()
                    .syncExec(() -> frame(v, b))));
            Lecture.tell("Interleave: where does the second client block?", r.describe());
            return Status.OK_STATUS;
        } catch (CoreException e) {
            Lecture.tell("Interleave: second client", "The experiment could not run: " + e.getStatus().getMessage());
            return Status.OK_STATUS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.CANCEL_STATUS;
        }
    }

    /** The wait with a margin on both sides (its start and end visible), and the waiting client's lane selected. */
    static void frame(TimelineView v, SecondClientBlock b) {
        if (v.run().isEmpty() || v.lanesTree().isDisposed()) {
            return;
        }
        TimelineModel m = v.run().get().model();
        long from = m.time(b.blockedFromNs()), to = m.time(b.blockedUntilNs());
        long margin = Math.max((to - from) / 5, 1_000_000);
        v.timeline().setWindow(from - margin, to + margin);
        for (TreeItem item : allItems(v.lanesTree().getItems())) {
            if (item.getData() instanceof Row row && row.kind() == Row.Kind.THREAD && row.pid() == b.secondPid()
                    && row.tid() == b.secondTid()) {
                if (item.getParentItem() != null) {
                    item.getParentItem().setExpanded(true);
                }
                v.lanesTree().showItem(item);
                v.lanesTree().setSelection(item);
                break;
            }
        }
        v.timeline().control().redraw();
    }

    private static java.util.List<TreeItem> allItems(TreeItem[] items) {
        java.util.List<TreeItem> all = new java.util.ArrayList<>();
        for (TreeItem i : items) {
            all.add(i);
            all.addAll(allItems(i.getItems()));
        }
        return all;
    }
}
