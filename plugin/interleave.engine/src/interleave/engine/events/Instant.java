package interleave.engine.events;

/**
 * One moment of a thread: a process or thread starting or ending, a child reaped, a thread detached or joined, a
 * signal sent. {@code subject} and {@code result} mean what the kind says (a reap: the child's pid and its wait
 * status).
 */
public record Instant(ExecThread thread, String kind, long ts, long subject, long result, int err, int flags, long site,
        long ref, int version) {
    @Override
    public String toString() {
        return kind + " @" + ts + " subject=" + subject + " result=" + result + " err=" + err
                + (flags == 0 ? "" : " flags=" + flags) + " site=0x" + Long.toHexString(site);
    }
}
