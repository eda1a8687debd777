package interleave.engine.rules;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import interleave.engine.finding.Severity;

/**
 * All metadata of a rule in one place, on the rule's class. The rule's documentation page ({@code <id>.md} beside the
 * class) holds only prose; its header is generated from this annotation so the two never drift.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RuleInfo {
    /** Stable kebab-case id, used in markers, SARIF, suppression and the fixture folders. */
    String id();

    /** Short title, e.g. "Stack address passed to a thread". */
    String title();

    /** One sentence shown in hovers and as SARIF's shortDescription. */
    String summary();

    Severity severity();

    /** The lecture concept the rule belongs to, in the lecture's words. */
    String concept();

    /** References such as "CERT POS50-C" or "signal-safety(7)", each "label|url" or just a label. */
    String[] references() default {};

    /** Which front end the rule runs on. */
    Language language() default Language.C;
}
