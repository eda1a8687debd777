package interleave.engine.rules;

/** The source languages Interleave analyzes; each has its own front end and program model. */
public enum Language {
    C, JAVA,
    /** A rule written once over the neutral concurrency facts: it runs on every language's programs. */
    ANY;

    /** How pages and listings name it. */
    public String label() {
        return switch (this) {
        case C -> "C";
        case JAVA -> "Java";
        case ANY -> "every language (written once over the concurrency facts)";
        };
    }
}
