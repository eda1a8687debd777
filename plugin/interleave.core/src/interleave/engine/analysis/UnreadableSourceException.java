package interleave.engine.analysis;

/** A source file that cannot be analyzed at all; the message names the file and says why. */
public final class UnreadableSourceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String reason;

    public UnreadableSourceException(String file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.reason = reason;
    }

    /** Why, without the file name. */
    public String reason() {
        return reason;
    }

    public String file() {
        return file;
    }
}
