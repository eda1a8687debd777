package interleave.engine.analysis;

/**
 * Something the tool itself has to say about a run: a file it could not read, a file it read only in part. Reported
 * beside the findings (SARIF notifications), so a report never claims more coverage than it had.
 *
 * @param level "error" when input was skipped, "warning" when it was analyzed only in part
 */
public record Notification(String level, String file, String message) {
    public static Notification error(String file, String message) {
        return new Notification("error", file, message);
    }

    public static Notification warning(String file, String message) {
        return new Notification("warning", file, message);
    }

    static final String PARTIAL_PARSE = " syntax error(s)";

    /** A file that parsed only in part: {@code errors} syntax errors, then why and what it means. */
    public static Notification partialParse(String file, int errors, String explanation) {
        return warning(file, errors + PARTIAL_PARSE + explanation);
    }

    /** A file that parsed only in part; still analyzed. */
    public boolean isPartialParse() {
        return level.equals("warning") && message.contains(PARTIAL_PARSE);
    }

    /** {@code file: message}, or the message alone when the note concerns no file. */
    public String describe() {
        return file.isEmpty() ? message : file + ": " + message;
    }

    public boolean isError() {
        return level.equals("error");
    }
}
