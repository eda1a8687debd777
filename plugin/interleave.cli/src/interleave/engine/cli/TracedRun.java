package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import interleave.engine.analysis.Notification;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.report.HtmlReport;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceRun;

/** A run directory read, modelled and checked by the detectors: what report, export and demo share. */
record TracedRun(TraceRun run, TimelineModel model, List<Finding> findings, List<Notification> notes,
        List<HtmlReport.Attachment> stacks) {

    /**
     * Spans and instants a report keeps before it counts plain I/O calls instead: about 100-300 bytes each, so a
     * report of any run fits a 1 GiB heap with room for the timeline. -Dinterleave.model.budget or --model-budget.
     */
    static final long DEFAULT_BUDGET = Long.getLong("interleave.model.budget", 2_000_000L);

    static TracedRun load(Path dir) throws TraceException {
        return load(dir, DEFAULT_BUDGET);
    }

    /** @param budget spans and instants kept before plain I/O calls are counted instead; 0: no limit */
    static TracedRun load(Path dir, long budget) throws TraceException {
        // read once, one file at a time: each file's records go to the event model, then are dropped
        var read = interleave.engine.trace.AgentTraceSource.readOnce(dir, budget);
        TraceRun run = read.run();
        TimelineModel model = TimelineModel.build(read.model(), run, interleave.engine.trace.Symbolizer.forRun(run));
        List<Finding> findings = DetectorRegistry.detectAll(run, model);
        List<Notification> notes = new ArrayList<>();
        for (TraceDamage d : run.damage()) {
            notes.add(Notification.warning(d.file(), "damaged at byte " + d.offset() + ": " + d.message()
                    + "; read up to the damage"));
        }
        if (run.lostEvents() > 0) {
            notes.add(Notification.warning(dir.toString(), "the agent could not store " + run.lostEvents()
                    + " event(s) (disk full, or trace files the program could no longer write); the timeline has"
                    + " gaps and findings may miss what happened there"));
        }
        for (String s : CountedCallsNote.lines(read.model())) {
            notes.add(Notification.warning(dir.toString(), s));
        }
        interleave.engine.detectors.JavaPrograms.of(run).forEach((img, why) -> notes.add(Notification.warning(
                dir.toString(), "pid " + img.pid() + " runs a Java virtual machine (" + why + "): shown on the"
                        + " timeline, but not judged by the native detectors (JDK Flight Recorder support comes later)")));
        List<HtmlReport.Attachment> stacks = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("stacks-\\d+\\.txt")).sorted()
                    .toList()) {
                stacks.add(new HtmlReport.Attachment("Thread stacks when the run was stopped at its time limit: "
                        + f.getFileName(), java.nio.file.Files.readString(f)));
            }
            if (!stacks.isEmpty()) {
                notes.add(Notification.warning(dir.toString(), "the program was still running at its time limit;"
                        + " every thread's stack at that moment is in stacks-PID.txt (" + stacks.size()
                        + " process(es))"));
            }
        } catch (java.io.IOException e) {
            // the stacks are optional evidence
        }
        return new TracedRun(run, model, findings, notes, stacks);
    }

    /** Loads the run and prints its notes; a run that cannot be read is explained on err and gives empty. */
    static java.util.Optional<TracedRun> loadOrExplain(Path dir, PrintWriter err) {
        return loadOrExplain(dir, err, DEFAULT_BUDGET);
    }

    static java.util.Optional<TracedRun> loadOrExplain(Path dir, PrintWriter err, long budget) {
        try {
            TracedRun traced = load(dir, budget);
            traced.printNotes(err);
            return java.util.Optional.of(traced);
        } catch (TraceException e) {
            err.println("interleave: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    void printNotes(PrintWriter err) {
        for (Notification n : notes) {
            err.println("interleave: " + n.describe());
        }
    }
}
