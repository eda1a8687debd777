package interleave.engine.rules;

import java.util.List;

/**
 * Checks that are not static rules of a front end, contributed by a bundle the core does not depend on: the dynamic
 * detectors of interleave.trace. Found like front ends ({@link CheckProviders}): a services file
 * {@code META-INF/services/interleave.engine.rules.CheckProvider} on the class path, or {@link CheckProviders#register}.
 */
public interface CheckProvider {

    /** The descriptors of the checks, in the order the {@code rules} listing shows them. */
    List<RuleDescriptor> checks();
}
