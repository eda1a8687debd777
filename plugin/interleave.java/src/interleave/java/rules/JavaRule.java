package interleave.java.rules;

import interleave.engine.rules.Rule;
import interleave.java.JavaProgram;

/** A rule that reads a Java program (JDT trees with bindings, and the facts derived from them). */
public interface JavaRule extends Rule<JavaProgram> {
    @Override
    default Class<JavaProgram> model() {
        return JavaProgram.class;
    }
}
