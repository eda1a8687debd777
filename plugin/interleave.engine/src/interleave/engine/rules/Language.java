package interleave.engine.rules;

/** The source languages Interleave analyzes; each has its own front end and program model. */
public enum Language {
    C, JAVA
}
