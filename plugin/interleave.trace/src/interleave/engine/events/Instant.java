package interleave.engine.events;

/**
 * One moment of a thread: a process or thread starting or ending, a child reaped, a thread detached or joined, a
 * signal sent. {@code subject} and {@code result} mean what the kind says (a reap: the child's pid and its wait
 * status). Watch kinds ({@link Kinds#WATCH_READ}...) have the accessing instruction as their site.
 */
public record Instant(ExecThread thread, String kind, long ts, long subject, long result, int err, int flags, long site,
        long ref, int version, Memory memory, int cpu, Attributes attributes) {
    /** What memory the moment saw (a thread's argument bytes at its start, a watched access), if any. */
    public java.util.Optional<Memory> memoryOf() {
        return java.util.Optional.ofNullable(memory);
    }

    /** Named details ({@link Attributes}); never null. */
    @Override
    public Attributes attributes() {
        return attributes;
    }

    /** The CPU the thread ran on at that moment, -1 if the source does not know. */
    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public String toString() {
        return kind + " @" + ts + " subject=" + subject + " result=" + result + " err=" + err
                + (flags == 0 ? "" : " flags=" + flags) + " site=0x" + Long.toHexString(site)
                + (memory == null ? "" : " " + memory) + (cpu < 0 ? "" : " cpu=" + cpu)
                + (attributes.isEmpty() ? "" : " " + attributes);
    }
}
