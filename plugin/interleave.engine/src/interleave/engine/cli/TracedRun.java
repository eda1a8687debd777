package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import interleave.engine.analysis.Notification;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/** A run directory read, modelled and checked by the detectors: what report, export and demo share. */
record TracedRun(TraceRun run, TimelineModel model, List<Finding> findings, List<Notification> notes) {

    static TracedRun load(Path dir) throws TraceException {
        TraceRun run = TraceReader.read(dir);
        TimelineModel model = TimelineModel.build(run);
        List<Finding> findings = DetectorRegistry.detectAll(run, model);
        List<Notification> notes = new ArrayList<>();
        for (TraceDamage d : run.damage()) {
            notes.add(Notification.warning(d.file(), "damaged at byte " + d.offset() + ": " + d.message()
                    + "; read up to the damage"));
        }
        if (run.lostEvents() > 0) {
            notes.add(Notification.warning(dir.toString(), "the agent could not store " + run.lostEvents()
                    + " event(s) (disk full?); the timeline has gaps"));
        }
        return new TracedRun(run, model, findings, notes);
    }

    void printNotes(PrintWriter err) {
        for (Notification n : notes) {
            err.println("interleave: " + n.describe());
        }
    }
}
