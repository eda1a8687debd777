package interleave.engine.trace;

/** One event of one thread, by index: a pointer into the run that costs two words. */
public record EventRef(ThreadTrace thread, int index) {
    public long ts() {
        return thread.ts(index);
    }

    public TraceEvent event() {
        return thread.event(index);
    }

    public int pid() {
        return thread.pid();
    }

    public int tid() {
        return thread.tid();
    }
}
