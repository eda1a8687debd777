package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.engine.finding.TraceMoment;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.Symbolizer.SourceLine;

/** Shared by the detectors: code addresses to source locations, moments, and the finding itself. */
final class Evidence {
    private Evidence() {
    }

    /** A place in the program: a source line when the binary has debug info, else line 1 of the executable. */
    record Place(SourceRange range, String description, boolean hasLine) {
        String suffix() {
            return hasLine ? "" : " (no debug info)";
        }
    }

    static Place place(TimelineModel model, ProcessImage image, long address, boolean returnAddress) {
        if (address == 0) {
            String shown = interleave.engine.events.ProgramPath.shown(image.exe(), image.argv());
            String exe = shown.isEmpty() ? image.command() : shown;
            return new Place(SourceRange.line(exe, 1), image.command() + " (address not recorded)", false);
        }
        SourceLine line = model.symbolizer().symbolize(image, address, returnAddress);
        // the program itself under the name it was started as (a symlink's), its libraries as mapped
        String shown = interleave.engine.events.ProgramPath.shown(image.exe(), image.argv());
        String describe = !line.binary().isEmpty() && line.binary().equals(image.exe())
                ? line.describe().replace(line.binary(), shown) : line.describe();
        if (line.hasLine()) {
            return new Place(SourceRange.line(line.file(), line.line()), describe, true);
        }
        String file = line.binary().isEmpty() || line.binary().equals(image.exe())
                ? (shown.isEmpty() ? image.command() : shown) : line.binary();
        return new Place(SourceRange.line(file, 1), describe, false);
    }

    /** The same for a process of the event model. */
    static Place place(Locations at, ExecProcess process, long address, boolean returnAddress) {
        return at.place(process, address, returnAddress);
    }

    static TraceMoment moment(Locations at, ExecThread t, long ts) {
        return new TraceMoment(t.pid(), t.tid(), at.time(ts));
    }

    static RelatedLocation related(Place p, String message) {
        return new RelatedLocation(p.range(), message + " (" + p.description() + ")");
    }

    static Finding finding(String ruleId, Severity severity, String message, Place where,
            List<RelatedLocation> evidence, TraceMoment moment, String... anchor) {
        List<String> parts = new ArrayList<>(List.of(ruleId, where.description()));
        parts.addAll(List.of(anchor));
        return new Finding(ruleId, severity, message + where.suffix(), where.range(), evidence, List.of(),
                Optional.of(moment), Finding.fingerprint(parts.toArray(new String[0])));
    }

    static String ms(long ns) {
        return ns >= 10_000_000 ? (ns / 1_000_000) + " ms" : String.format("%.1f ms", ns / 1e6);
    }

    static String seconds(long ns) {
        return String.format("%.3f s", ns / 1e9);
    }

    /** "2×3, 5×4" for a histogram of values. */
    static String histogram(TreeMap<Long, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((v, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(v).append("×").append(n));
        return sb.toString();
    }
}
