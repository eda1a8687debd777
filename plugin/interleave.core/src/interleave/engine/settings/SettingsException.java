package interleave.engine.settings;

/** A settings file that cannot be read or has a line Interleave does not understand; the message says which. */
public final class SettingsException extends Exception {
    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }
}
