package interleave.engine.trace;

/**
 * Where a run's files are damaged and what was lost: the file name inside the run directory, the byte offset where
 * the damage starts, and a message in the user's terms. Everything before the offset was read.
 */
public record TraceDamage(String file, long offset, String message) {
    @Override
    public String toString() {
        return file + " at offset " + offset + ": " + message;
    }
}
