package interleave.ui.timeline;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import org.eclipse.swt.graphics.RGB;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;

/**
 * How the timeline looks: colours of states, instants and arrows, and how times are written. The model has no
 * colours; the HTML report has its own presentation with the same palette, so a run looks the same in both. Blocking
 * calls are blue, waiting on other threads teal/yellow, signal handling orange; red is kept for findings, so a thread
 * waiting for a lock is never mistaken for a bug.
 */
public final class TimelinePresentation {
    private static final Map<State, RGB> STATE = new EnumMap<>(State.class);

    static {
        put(0xc8e6c9, State.RUNNING);
        put(0x64b5f6, State.ACCEPT, State.CONNECT);
        put(0xbbdefb, State.READ, State.WRITE, State.RECV, State.SEND);
        put(0x81d4fa, State.SELECT, State.POLL, State.EPOLL);
        put(0x4db6ac, State.LOCK);
        put(0x80cbc4, State.COND_WAIT, State.SEM_WAIT);
        put(0xffd54f, State.JOIN, State.WAIT_CHILD);
        put(0xe0e0e0, State.SLEEP);
        put(0xce93d8, State.FORK, State.EXEC, State.CREATE_THREAD);
        put(0xff7043, State.SIGNAL_HANDLER, State.RAISE);
        put(0xffb74d, State.STDIO);
        put(0xa1887f, State.MALLOC, State.FREE);
    }

    public static final RGB FINDING = rgb(0xd50000);
    public static final RGB UNFINISHED = rgb(0xb71c1c);
    public static final RGB PROCESS_LIFE = rgb(0x9e9e9e);
    public static final RGB AXIS_BACKGROUND = rgb(0xf2f2f2);
    public static final RGB GRID = rgb(0xe6e6e6);
    public static final RGB LANE_STRIPE = rgb(0xfafafa);
    public static final RGB LANE_SELECTED = rgb(0xdcecff);
    public static final RGB TEXT = rgb(0x424242);
    /** The outline of events that match the filter: amber, apart from every state colour and the findings' red. */
    public static final RGB MATCH = rgb(0xff6f00);
    /** The outline of the selected event. */
    public static final RGB SELECTED_EVENT = rgb(0x000000);

    private TimelinePresentation() {
    }

    private static void put(int colour, State... states) {
        for (State s : states) {
            STATE.put(s, rgb(colour));
        }
    }

    private static RGB rgb(int c) {
        return new RGB((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
    }

    /** A colour washed out towards white: what does not match the filter. */
    public static RGB faded(RGB c) {
        return new RGB(c.red + (255 - c.red) * 3 / 4, c.green + (255 - c.green) * 3 / 4,
                c.blue + (255 - c.blue) * 3 / 4);
    }

    public static RGB of(State s) {
        return STATE.getOrDefault(s, rgb(0xbdbdbd));
    }

    public static RGB of(Instant.Kind k) {
        return switch (k) {
        case FORK, EXEC, THREAD_CREATE, THREAD_START, PROCESS_START -> rgb(0x6a1b9a);
        case ACCEPT, CLOSE -> rgb(0x1565c0);
        case SIGNAL_SENT, SIGNAL_DELIVERED -> rgb(0xd84315);
        case REAP, EXIT, THREAD_EXIT, DETACH -> rgb(0x424242);
        case LOCK_SUMMARY -> rgb(0x00796b);
        };
    }

    public static RGB of(Arrow.Kind k) {
        return switch (k) {
        case FORK, CREATE -> rgb(0x6a1b9a);
        case SIGNAL -> rgb(0xd84315);
        case LOCK_HANDOFF -> rgb(0x00796b);
        case CONNECTION -> rgb(0x1565c0);
        case REAP -> rgb(0x424242);
        };
    }

    /**
     * What a thread did during a span, in words, its lock by name: "waiting for mutex m1, held by tid 5", "in read
     * (fd 4)". The lock's variable comes from the program's symbols (the model's detail), its address otherwise.
     */
    public static String describe(StateSpan s) {
        String d = readable(s);
        return switch (s.state()) {
        case LOCK -> d.startsWith("mutex ") ? "waiting for " + d : s.state().description() + paren(d);
        case SEM_WAIT -> d.startsWith("sem ") ? "waiting on " + d : s.state().description() + paren(d);
        case COND_WAIT -> d.startsWith("cond ") ? "waiting on " + d.replace(", mutex ", " (releases mutex ")
                + (d.contains(", mutex ") ? ")" : "") : s.state().description() + paren(d);
        default -> s.state().description() + paren(d);
        };
    }

    /** The span's detail with a requested sleep in its best unit ("100 ms", not "100000000 ns"). */
    private static String readable(StateSpan s) {
        String d = s.detail();
        java.util.regex.Matcher m = SLEEP_NS.matcher(d);
        return s.state() == State.SLEEP && m.lookingAt() ? time(Long.parseLong(m.group(1))) + d.substring(m.end())
                : d;
    }

    private static final java.util.regex.Pattern SLEEP_NS = java.util.regex.Pattern.compile("(\\d{1,18}) ns");

    private static String paren(String detail) {
        return detail.isEmpty() ? "" : " (" + detail + ")";
    }

    /** The short text drawn inside a span wide enough for it: its object ("mutex m1", "fd 4"), else its state. */
    public static String laneLabel(StateSpan s) {
        if (s.mergedCount() > 1) {
            return "";
        }
        String d = readable(s);
        int comma = d.indexOf(", ");
        String first = comma < 0 ? d : d.substring(0, comma);
        if (first.startsWith("cpu ")) {
            first = "";
        }
        return switch (s.state()) {
        case RUNNING -> "";
        case LOCK, SEM_WAIT, COND_WAIT -> first;
        default -> first.isEmpty() ? s.state().name().toLowerCase(Locale.ROOT) : s.state().name()
                .toLowerCase(Locale.ROOT) + " " + first;
        };
    }

    /** A time or duration in ns, in the unit that reads best: "850 ns", "12.5 µs", "3.20 ms", "1.500 s". */
    public static String time(long ns) {
        long a = Math.abs(ns);
        if (a < 1_000) {
            return ns + " ns";
        }
        if (a < 1_000_000) {
            return trim(String.format(Locale.ROOT, "%.2f", ns / 1e3)) + " µs";
        }
        if (a < 1_000_000_000) {
            return trim(String.format(Locale.ROOT, "%.3f", ns / 1e6)) + " ms";
        }
        return trim(String.format(Locale.ROOT, "%.3f", ns / 1e9)) + " s";
    }

    /** An axis label for a tick at ns: in the unit of the larger of the time and the step, as precise as the step. */
    public static String tick(long ns, long step) {
        long magnitude = Math.max(Math.abs(ns), step);
        long unit;
        String name;
        if (magnitude >= 1_000_000_000) {
            unit = 1_000_000_000;
            name = " s";
        } else if (magnitude >= 1_000_000) {
            unit = 1_000_000;
            name = " ms";
        } else if (magnitude >= 1_000) {
            unit = 1_000;
            name = " µs";
        } else {
            return ns + " ns";
        }
        int decimals = 0;
        for (long u = unit; u > step && decimals < 9; u /= 10) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", ns / (double) unit) + name;
    }

    private static String trim(String number) {
        if (number.indexOf('.') < 0) {
            return number;
        }
        String s = number.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The axis step: 1, 2 or 5 times a power of ten ns, so that ticks are at least minNs apart. */
    public static long tickStep(double minNs) {
        long step = 1;
        while (true) {
            for (int m : new int[] { 1, 2, 5 }) {
                if (step * m >= minNs) {
                    return step * m;
                }
            }
            if (step > Long.MAX_VALUE / 100) {
                return step;
            }
            step *= 10;
        }
    }
}
