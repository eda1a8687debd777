package interleave.engine.cli;

import java.util.concurrent.Callable;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", description = "Print a check's documentation page (Markdown): a static rule, a dynamic detector or a"
        + " SpotBugs pattern (spotbugs:TYPE).")
final class ExplainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RULE-ID")
    String id;

    @Override
    public Integer call() {
        JavaSupport.registerIfInstalled(); // its rules join the registry
        String noSpotBugs = null;
        if (id.startsWith("spotbugs:")) { // loaded only for its own patterns: other pages open without SpotBugs
            try {
                interleave.engine.external.ClassFileAnalyzers.spotBugsChecks();
            } catch (interleave.engine.external.ClassFileAnalyzers.NotInstalledException e) {
                noSpotBugs = e.getMessage();
            }
        }
        var d = RuleRegistry.descriptor(id);
        if (d.isEmpty() && noSpotBugs != null) {
            spec.commandLine().getErr().println("interleave: cannot explain " + id + ": " + noSpotBugs);
            return 2;
        }
        if (d.isEmpty()) {
            spec.commandLine().getErr().println("interleave: no rule or detector '" + id + "'; 'interleave rules' lists them");
            return 2;
        }
        RuleDescriptor rd = d.get();
        spec.commandLine().getOut().print(rd.documentationMarkdown());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
