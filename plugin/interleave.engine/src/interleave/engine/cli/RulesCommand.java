package interleave.engine.cli;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "rules", description = "List the rules: id, severity, title.")
final class RulesCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The C rules, then the Java rules when the Java front end is installed. */
    static java.util.List<RuleDescriptor> withJava(java.util.List<RuleDescriptor> c) {
        java.util.List<RuleDescriptor> all = new java.util.ArrayList<>(c);
        all.addAll(JavaSupport.descriptorsIfInstalled());
        return all;
    }

    @Override
    public void run() {
        for (RuleDescriptor d : withJava(RuleRegistry.descriptors())) {
            spec.commandLine().getOut().printf("%-32s %-8s %s%n", d.id(), d.defaultSeverity().label(), d.title());
        }
    }
}
