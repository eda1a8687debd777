package interleave.engine.cli;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "rules", description = "List the rules: id, severity, title.")
final class RulesCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        for (RuleDescriptor d : RuleRegistry.descriptors()) {
            spec.commandLine().getOut().printf("%-32s %-8s %s%n", d.id(), d.defaultSeverity().label(), d.title());
        }
    }
}
