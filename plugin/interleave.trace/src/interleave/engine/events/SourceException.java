package interleave.engine.events;

/** A run that cannot be read at all (missing, unreadable); damage inside it is a model problem, not an exception. */
public class SourceException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
