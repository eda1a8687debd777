package interleave.engine.trace;

/**
 * One record as a value, for code that wants objects (detectors, tests, the live tail). Bulk readers use the column
 * accessors of {@link ThreadTrace} instead, which allocate nothing.
 *
 * @param slot slot index in its file (the tie-breaker of the per-file order)
 */
public record TraceEvent(long ts, int type, int phase, int flags, int err, long ra, long a0, long a1, long a2,
        long a3, long a4, int slot) {

    public long arg(int k) {
        return switch (k) {
            case 0 -> a0;
            case 1 -> a1;
            case 2 -> a2;
            case 3 -> a3;
            case 4 -> a4;
            default -> throw new IndexOutOfBoundsException("record fields are a0..a4, not a" + k);
        };
    }

    @Override
    public String toString() {
        return "ts=" + ts + " " + RecordType.name(type) + "." + RecordType.phaseName(phase) + " flags=" + flags
                + " err=" + err + " a=[" + a0 + "," + a1 + "," + a2 + "," + a3 + "," + a4 + "] ra=0x"
                + Long.toHexString(ra) + " slot=" + slot;
    }
}
