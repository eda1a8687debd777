package interleave.engine.timeline;

/**
 * The whole model as plain text, one line per row, span, instant and arrow: for golden tests and for reading a run
 * in a terminal. Times in ns since the origin.
 */
public final class TimelineText {
    private TimelineText() {
    }

    public static String write(TimelineModel m) {
        StringBuilder sb = new StringBuilder();
        long end = m.durationNs();
        for (Row r : m.rows()) {
            sb.append("row ").append(r.id()).append(' ').append(r.kind().name().toLowerCase())
                    .append(r.parentId() >= 0 ? " in " + r.parentId() : "").append(" \"").append(r.label())
                    .append("\" ").append(r.startNs()).append("..").append(r.endNs()).append('\n');
            for (StateSpan s : m.spans(r.id(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                sb.append("  span d").append(s.depth()).append(' ').append(s.startNs()).append("..")
                        .append(s.endNs()).append(' ').append(s.state().name())
                        .append(s.detail().isEmpty() ? "" : " [" + s.detail() + "]")
                        .append(s.unfinished() ? " unfinished" : "").append('\n');
            }
            for (Instant i : m.instants(r.id(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                sb.append("  instant ").append(i.timeNs()).append(' ').append(i.kind().name()).append(" \"")
                        .append(i.label()).append("\"\n");
            }
        }
        for (Arrow a : m.arrows(0, end)) {
            sb.append("arrow ").append(a.kind().name()).append(' ').append(a.fromRow()).append('@')
                    .append(a.fromNs()).append(" -> ").append(a.toRow()).append('@').append(a.toNs()).append(" \"")
                    .append(a.label()).append("\"\n");
        }
        return sb.toString();
    }
}
