package interleave.engine.timeline;

/**
 * A thread's state over [startNs, endNs) (ns since the model's origin). Spans of one row at one depth never overlap;
 * depth 0 is the base line (running or blocked in a call), deeper spans are nested inside: a signal handler inside
 * {@code read}, {@code malloc} inside that handler.
 *
 * @param mergedCount how many spans a down-sampled answer merged into this one (1 = a real span)
 * @param unfinished  the call had not returned when the thread's trace ended (blocked, deadlocked, killed, exec)
 * @param detail      what the call was about, e.g. "fd 4", "mutex 0x5555...", "SIGCHLD"; "" if nothing
 */
public record StateSpan(int rowId, long startNs, long endNs, State state, int depth, int mergedCount,
        boolean unfinished, String detail) {
}
