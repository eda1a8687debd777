package interleave.engine.events;

/** Bytes of memory as a source saw them: at an address, the first {@code bytes} (0–8) of {@code value}, little-endian. */
public record Memory(long address, long value, int bytes) {
    @Override
    public String toString() {
        return "mem[0x" + Long.toHexString(address) + "]=" + value + "/" + bytes;
    }
}
