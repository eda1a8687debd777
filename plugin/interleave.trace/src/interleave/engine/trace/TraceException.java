package interleave.engine.trace;

/**
 * A run directory that cannot be read at all (missing, not a directory, no trace files). Damage inside files is not an
 * exception: it is reported by {@link TraceRun#damage()} and the rest is read.
 */
public class TraceException extends interleave.engine.events.SourceException {
    private static final long serialVersionUID = 1L;

    public TraceException(String message) {
        super(message);
    }

    public TraceException(String message, Throwable cause) {
        super(message, cause);
    }
}
