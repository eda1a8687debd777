package interleave.ui.timeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.finding.Finding;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceRun;

/**
 * A run directory read, modelled and checked by the detectors, ready for the view: immutable, so the UI thread and
 * the background queries share it freely.
 *
 * @param findingRows for each finding (same index), the row its moment is on, -1 when it has none
 * @param checked     the detectors have run (false: the timeline is shown while they still look for bugs)
 */
public record LoadedRun(Path directory, TraceRun run, TimelineModel model, List<Finding> findings,
        List<Integer> findingRows, boolean checked) {

    static LoadedRun of(Path directory, TraceRun run, TimelineModel model, List<Finding> findings) {
        List<Integer> rows = new ArrayList<>();
        for (Finding f : findings) {
            rows.add(f.moment().map(m -> rowOf(model, m)).orElse(-1));
        }
        return new LoadedRun(directory, run, model, List.copyOf(findings), List.copyOf(rows), true);
    }

    /** The run and its timeline before the detectors have looked at it. */
    static LoadedRun unchecked(Path directory, TraceRun run, TimelineModel model) {
        return new LoadedRun(directory, run, model, List.of(), List.of(), false);
    }

    /** The thread row of the moment (the one alive at its time when a tid was reused), else its process's row. */
    static int rowOf(TimelineModel model, TraceMoment m) {
        int any = -1, process = -1;
        for (Row r : model.rows()) {
            if (r.pid() != m.pid()) {
                continue;
            }
            if (r.kind() == Row.Kind.THREAD && r.tid() == m.tid()) {
                if (r.startNs() <= m.timeNanos() && m.timeNanos() <= r.endNs()) {
                    return r.id();
                }
                any = any < 0 ? r.id() : any;
            } else if (r.kind() == Row.Kind.PROCESS && process < 0) {
                process = r.id();
            }
        }
        return any >= 0 ? any : process;
    }

    public Optional<TraceMoment> moment(int finding) {
        return findings.get(finding).moment();
    }

    public boolean damaged() {
        return !run.damage().isEmpty() || run.lostEvents() > 0;
    }

    /** One paragraph for the status line: what was read, and what was not. */
    public String summary() {
        long processes = model.rows().stream().filter(r -> r.kind() == Row.Kind.PROCESS).count();
        long threads = model.rows().size() - processes;
        StringBuilder s = new StringBuilder();
        s.append(directory.getFileName() == null ? directory.toString() : directory.getFileName().toString())
                .append(": ").append(processes).append(processes == 1 ? " process, " : " processes, ").append(threads)
                .append(threads == 1 ? " thread, " : " threads, ").append(run.eventCount()).append(" events over ")
                .append(TimelinePresentation.time(model.durationNs())).append("; ")
                .append(!checked ? "looking for concurrency bugs..." : findings.isEmpty() ? "no concurrency bug observed."
                        : findings.size() + (findings.size() == 1 ? " finding" : " findings")
                                + " (red marks; select one below to zoom to it).");
        for (TraceDamage d : run.damage()) {
            s.append(" Damaged: ").append(d.file()).append(" at byte ").append(d.offset()).append(": ")
                    .append(d.message()).append("; everything before it is shown.");
        }
        if (run.lostEvents() > 0) {
            s.append(" The agent could not store ").append(run.lostEvents())
                    .append(" event(s) (disk full?), so the timeline has gaps.");
        }
        return s.toString();
    }
}
