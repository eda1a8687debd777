package interleave.engine.finding;

/** How sure and how bad: the same three levels as SARIF's {@code error}, {@code warning} and {@code note}. */
public enum Severity {
    ERROR("error"), WARNING("warning"), NOTE("note");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The lower-case word compilers and SARIF use. */
    public String label() {
        return label;
    }
}
