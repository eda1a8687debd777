package interleave.engine.events;

/**
 * Plain I/O calls of one kind of one thread (reads, writes, polls...) that the model counted instead of keeping as
 * spans, once its budget of kept events was reached ({@link ExecutionModel#budget()}). Only calls that closed with
 * nothing inside them are counted, so every span a detector walks (handlers, what they interrupted) is still there.
 */
public final class CountedCalls {
    private final String kind;
    long calls, failed, totalNs, firstStart = Long.MAX_VALUE, lastEnd = Long.MIN_VALUE;

    CountedCalls(String kind) {
        this.kind = kind;
    }

    /** The kind of the calls ({@link Kinds#READ}, {@link Kinds#POLL}, ...). */
    public String kind() {
        return kind;
    }

    /** How many calls were counted. */
    public long calls() {
        return calls;
    }

    /** How many of them returned an error. */
    public long failed() {
        return failed;
    }

    /** The time spent inside them, summed. */
    public long totalNs() {
        return totalNs;
    }

    /** When the first counted call began. */
    public long firstStart() {
        return firstStart;
    }

    /** When the last counted call ended. */
    public long lastEnd() {
        return lastEnd;
    }

    /**
     * "1,204,332 read/write calls after 12.3 s kept as counts (0.8 s inside them)" for the thread's counted calls,
     * times from {@code originNs}; "" when it has none.
     */
    public static String summary(ExecThread t, long originNs) {
        long calls = 0, first = Long.MAX_VALUE, ns = 0;
        StringBuilder kinds = new StringBuilder();
        for (CountedCalls c : t.countedCalls()) {
            calls += c.calls;
            first = Math.min(first, c.firstStart);
            ns += c.totalNs;
            kinds.append(kinds.isEmpty() ? "" : "/").append(c.kind);
        }
        if (calls == 0) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "%,d %s calls after %.1f s kept as counts (%.1f s inside them)",
                calls, kinds, (first - originNs) / 1e9, ns / 1e9);
    }

    void add(Span s) {
        calls++;
        if (s.err() != 0) {
            failed++;
        }
        totalNs += s.end() - s.start();
        firstStart = Math.min(firstStart, s.start());
        lastEnd = Math.max(lastEnd, s.end());
    }

    @Override
    public String toString() {
        return kind + " x" + calls + " (" + failed + " failed, " + totalNs + " ns) " + firstStart + ".." + lastEnd;
    }
}
