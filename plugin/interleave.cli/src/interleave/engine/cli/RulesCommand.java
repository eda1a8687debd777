package interleave.engine.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "rules", description = "List every check (static rules per language, dynamic detectors, SpotBugs'"
        + " patterns when its bundle is installed): id, severity, title. 'interleave explain ID' prints one's page.")
final class RulesCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        JavaSupport.registerIfInstalled(); // its rules join the registry
        String noSpotBugs = null;
        try {
            interleave.engine.external.ClassFileAnalyzers.spotBugsChecks(); // its patterns join the registry
        } catch (interleave.engine.external.ClassFileAnalyzers.NotInstalledException e) {
            noSpotBugs = e.getMessage();
        }
        Map<String, List<RuleDescriptor>> groups = new LinkedHashMap<>();
        for (RuleDescriptor d : RuleRegistry.checks()) {
            String heading = capitalized(d.kind().heading()) + ", " + d.language().label();
            groups.computeIfAbsent(heading, k -> new java.util.ArrayList<>()).add(d);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean first = true;
        for (Map.Entry<String, List<RuleDescriptor>> g : groups.entrySet()) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println(g.getKey() + ":");
            // per group: SpotBugs' long pattern names do not push the other groups' titles to the right
            int width = g.getValue().stream().mapToInt(d -> d.id().length()).max().orElse(0) + 1;
            for (RuleDescriptor d : g.getValue()) {
                out.printf("  %-" + width + "s %-8s %s%n", d.id(), d.defaultSeverity().label(), d.title());
            }
        }
        if (noSpotBugs != null) {
            out.println();
            out.println("SpotBugs' patterns (spotbugs:TYPE) are not listed: " + noSpotBugs + ".");
        }
        out.flush();
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
