package interleave.engine.rules.c;

import java.util.function.Consumer;

import interleave.engine.c.CProgram;
import interleave.engine.finding.Finding;

/**
 * A rule over C programs. Implementations are annotated with {@link interleave.engine.rules.RuleInfo}, keep their
 * syntactic matchers as constants, exit early, and report through the sink; they hold no state between runs.
 */
public interface CRule {
    void check(CProgram program, Consumer<Finding> sink);
}
