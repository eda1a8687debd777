package interleave.engine.report;

import java.util.EnumMap;
import java.util.Map;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.State;

/**
 * The presentation of timeline states for the HTML report: colours live here, never in the model (the Eclipse view
 * has its own). Blocking states are blue, waiting on others yellow/red, signal handling orange.
 */
final class TimelineColors {
    private static final Map<State, String> STATE = new EnumMap<>(State.class);

    static {
        put("#c8e6c9", State.RUNNING);
        put("#64b5f6", State.ACCEPT, State.CONNECT);
        put("#bbdefb", State.READ, State.WRITE, State.RECV, State.SEND);
        put("#81d4fa", State.SELECT, State.POLL, State.EPOLL);
        put("#4db6ac", State.LOCK);
        put("#80cbc4", State.COND_WAIT, State.SEM_WAIT);
        put("#ffd54f", State.JOIN, State.WAIT_CHILD);
        put("#e0e0e0", State.SLEEP);
        put("#ce93d8", State.FORK, State.EXEC, State.CREATE_THREAD);
        put("#ff7043", State.SIGNAL_HANDLER, State.RAISE);
        put("#ffb74d", State.STDIO);
        put("#a1887f", State.MALLOC, State.FREE);
    }

    private static void put(String colour, State... states) {
        for (State s : states) {
            STATE.put(s, colour);
        }
    }

    private TimelineColors() {
    }

    static String of(State s) {
        return STATE.getOrDefault(s, "#bdbdbd");
    }

    static String of(Instant.Kind k) {
        return switch (k) {
        case FORK, EXEC, THREAD_CREATE, THREAD_START, PROCESS_START -> "#6a1b9a";
        case ACCEPT, CLOSE -> "#1565c0";
        case SIGNAL_SENT, SIGNAL_DELIVERED -> "#d84315";
        case REAP, EXIT, THREAD_EXIT, DETACH -> "#424242";
        case LOCK_SUMMARY -> "#00796b";
        };
    }

    static String of(Arrow.Kind k) {
        return switch (k) {
        case FORK, CREATE -> "#6a1b9a";
        case SIGNAL -> "#d84315";
        case LOCK_HANDOFF -> "#00796b";
        case CONNECTION -> "#1565c0";
        case REAP -> "#424242";
        };
    }
}
