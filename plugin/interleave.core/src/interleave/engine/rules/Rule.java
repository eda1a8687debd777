package interleave.engine.rules;

import interleave.engine.analysis.ProgramModel;

/**
 * A static check over one program model. Metadata lives in the class's {@link RuleInfo} annotation.
 *
 * @param <M> the model it reads: a language's own model, or {@link ProgramModel} for rules written once over the
 *            neutral concurrency facts
 */
public interface Rule<M extends ProgramModel> {
    /** The model class this rule reads; the analyzer runs it on every program whose model is an instance of it. */
    Class<M> model();

    void check(M program, RuleContext context);
}
