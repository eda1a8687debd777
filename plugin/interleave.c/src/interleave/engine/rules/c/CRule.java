package interleave.engine.rules.c;

import interleave.engine.c.CProgram;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleContext;

/**
 * A rule over C programs. Implementations are annotated with {@link interleave.engine.rules.RuleInfo}, keep their
 * syntactic matchers as constants, exit early, and report through the context; they hold no state between runs.
 */
public interface CRule extends Rule<CProgram> {
    @Override
    default Class<CProgram> model() {
        return CProgram.class;
    }

    @Override
    void check(CProgram program, RuleContext context);
}
