package interleave.ui.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/**
 * What the filter field of the timeline asks for, and the events that answer it. Terms, all of which must hold:
 * {@code pid 123} and {@code tid 124} pick lanes; {@code fd 4} a descriptor (not fd 40), {@code cpu 1} what ran on that
 * core (traces of format 1.2 and later record each event's CPU); any other word is looked for,
 * ignoring case, in what an event says (its call, state and object: {@code m1}, {@code mutex}, {@code accept},
 * {@code SIGCHLD}) or in its lane's name ({@code worker}). No SWT: the search runs on a background job.
 */
public final class TimelineFilter {
    private static final Pattern TERM = Pattern.compile("(?i)\\b(pid|tid|fd|cpu)\\s*[:= ]?\\s*(-?\\d+)\\b");

    /** An event (span or instant) that matches, or a whole lane for a filter of pids and tids only. */
    public record Match(int rowId, long startNs, long endNs, StateSpan span, Instant instant) {
    }

    private final String text;
    private final List<Long> pids = new ArrayList<>(), tids = new ArrayList<>();
    private final List<Pattern> fds = new ArrayList<>();
    private final List<String> words = new ArrayList<>();

    private TimelineFilter(String text) {
        this.text = text.trim();
        Matcher m = TERM.matcher(this.text);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (m.find()) {
            rest.append(this.text, last, m.start()).append(' ');
            last = m.end();
            long n;
            try {
                n = Long.parseLong(m.group(2));
            } catch (NumberFormatException e) {
                n = Long.MIN_VALUE; // more digits than any pid, fd or cpu: matches nothing
            }
            switch (m.group(1).toLowerCase(Locale.ROOT)) {
            case "pid" -> pids.add(n);
            case "tid" -> tids.add(n);
            default -> fds.add(Pattern.compile("\\b" + m.group(1).toLowerCase(Locale.ROOT) + " " + n + "\\b"));
            }
        }
        rest.append(this.text.substring(last));
        for (String w : rest.toString().toLowerCase(Locale.ROOT).split("[\\s,]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
    }

    public static TimelineFilter parse(String text) {
        return new TimelineFilter(text == null ? "" : text);
    }

    public String text() {
        return text;
    }

    public boolean isEmpty() {
        return pids.isEmpty() && tids.isEmpty() && fds.isEmpty() && words.isEmpty();
    }

    /** Only pids and tids: the answer is lanes, not events. */
    public boolean lanesOnly() {
        return !isEmpty() && fds.isEmpty() && words.isEmpty();
    }

    /** The lane passes the pid and tid terms (a process lane passes a tid term of one of its threads' pid). */
    public boolean matchesLane(Row r) {
        return (pids.isEmpty() || pids.contains((long) r.pid())) && (tids.isEmpty() || tids.contains((long) r.tid())
                || r.kind() == Row.Kind.PROCESS && tids.contains((long) r.pid()));
    }

    /** The lane matches as a whole: its pid/tid, and its name holds every word (and no fd is asked). */
    public boolean matchesWholeLane(Row r) {
        if (!matchesLane(r) || !fds.isEmpty()) {
            return false;
        }
        String label = r.label().toLowerCase(Locale.ROOT);
        return words.stream().allMatch(label::contains);
    }

    public boolean matches(Row r, StateSpan s) {
        if (!matchesLane(r)) {
            return false;
        }
        if (lanesOnly() || matchesWholeLane(r)) {
            return true;
        }
        String said = s.state().name() + " " + TimelinePresentation.describe(s);
        return textMatches(said.toLowerCase(Locale.ROOT), r);
    }

    public boolean matches(Row r, Instant i) {
        if (!matchesLane(r)) {
            return false;
        }
        if (lanesOnly() || matchesWholeLane(r)) {
            return true;
        }
        return textMatches((i.kind().name() + " " + i.label()).toLowerCase(Locale.ROOT), r);
    }

    private boolean textMatches(String said, Row r) {
        String label = r.label().toLowerCase(Locale.ROOT);
        for (Pattern fd : fds) {
            if (!fd.matcher(said).find()) {
                return false;
            }
        }
        for (String w : words) {
            if (!said.contains(w) && !label.contains(w)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every match in the model by time (then lane), at most {@code limit}; for a filter of pids and tids only, the
     * lanes. Running stretches are not matches unless the words ask for them. Null when cancelled.
     */
    public List<Match> search(TimelineModel m, int limit, BooleanSupplier cancelled) {
        List<Match> out = new ArrayList<>();
        if (isEmpty()) {
            return out;
        }
        boolean running = words.stream().anyMatch("running"::startsWith);
        for (Row r : m.rows()) {
            if (cancelled.getAsBoolean()) {
                return null;
            }
            if (!matchesLane(r)) {
                continue;
            }
            if (lanesOnly()) {
                out.add(new Match(r.id(), r.startNs(), r.endNs(), null, null));
                continue;
            }
            if (r.kind() == Row.Kind.PROCESS) {
                continue; // a process lane's events are its threads'
            }
            for (StateSpan s : m.spans(r.id(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                if ((running || s.state() != State.RUNNING) && matches(r, s)) {
                    out.add(new Match(r.id(), s.startNs(), s.endNs(), s, null));
                }
            }
            for (Instant i : m.instants(r.id(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                if (matches(r, i)) {
                    out.add(new Match(r.id(), i.timeNs(), i.timeNs(), null, i));
                }
            }
            if (out.size() > limit * 2) {
                break; // enough to walk through; the count says "at least"
            }
        }
        out.sort(Comparator.comparingLong(Match::startNs).thenComparingInt(Match::rowId));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
}
