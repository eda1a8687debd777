package interleave.engine.detectors;

import java.util.Optional;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecutionModel;
import interleave.engine.finding.SourceRange;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.ProcessImage;

/**
 * What a detector needs besides the events: the run's time origin for moments, and code addresses turned into places
 * (source lines through the symbolizer of the run's timeline, or bare addresses when there is none: a model built by
 * hand, a source without binaries).
 */
public final class Locations {
    private final ExecutionModel run;
    private final TimelineModel timeline;

    private Locations(ExecutionModel run, TimelineModel timeline) {
        this.run = run;
        this.timeline = timeline;
    }

    /** Places and times as the timeline shows them (its symbolizer, its origin). */
    public static Locations of(TimelineModel timeline) {
        return new Locations(timeline.events(), timeline);
    }

    /** Addresses as they are, times from the model's first event. */
    public static Locations addressesOnly(ExecutionModel run) {
        return new Locations(run, null);
    }

    /** Nanoseconds since the run's start. */
    public long time(long monotonicNs) {
        return timeline != null ? timeline.time(monotonicNs) : monotonicNs - run.startNs();
    }

    /** The timeline behind it, for the detectors that still read the agent's records. */
    Optional<TimelineModel> timeline() {
        return Optional.ofNullable(timeline);
    }

    /** The agent's image of the process, when the model came from the agent's run (for its symbolizer). */
    ProcessImage image(ExecProcess process) {
        return timeline == null ? null : timeline.run().image(process.pid(), process.startNs()).orElse(null);
    }

    /** The global variable at a data address of the process, from the symbols, if any. */
    Optional<String> dataName(ExecProcess process, long address) {
        ProcessImage image = image(process);
        return image == null ? Optional.empty() : timeline.symbolizer().dataName(image, address);
    }

    Evidence.Place place(ExecProcess process, long address, boolean returnAddress) {
        ProcessImage image = image(process);
        if (image != null) {
            return Evidence.place(timeline, image, address, returnAddress);
        }
        String shown = interleave.engine.events.ProgramPath.shown(process.exe(), process.argv());
        String exe = shown.isEmpty() ? process.command() : shown;
        if (address == 0) {
            return new Evidence.Place(SourceRange.line(exe, 1), process.command() + " (address not recorded)", false);
        }
        return new Evidence.Place(SourceRange.line(exe, 1), "0x" + Long.toHexString(address) + " in " + exe, false);
    }
}
