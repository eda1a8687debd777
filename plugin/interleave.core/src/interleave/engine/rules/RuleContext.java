package interleave.engine.rules;

import interleave.engine.finding.Finding;

/**
 * What a rule gets besides the program: where to report, and its options as the user set them (in the settings file
 * as {@code <rule-id>.<option> = value}). A rule reads an option with its default; unknown values are the rule's to
 * reject with {@link #invalidOption}.
 */
public interface RuleContext {
    void report(Finding finding);

    /** The option's value from the settings, or {@code defaultValue} when it is not set. */
    String option(String name, String defaultValue);

    /** Tells the user that an option has a value the rule does not understand; the rule then uses its default. */
    void invalidOption(String name, String value, String expected);
}
