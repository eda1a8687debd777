package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.demo.DemoRunner;
import interleave.engine.demo.DemoScenario;
import interleave.engine.finding.Finding;
import interleave.engine.tracing.TracedLaunch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", description = "Run the lecture's sample servers under the agent with a bounded load, analyze"
        + " their sources, and summarize each bug statically and as it happened.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--samples", paramLabel = "DIR", defaultValue = "sample-servers",
            description = "The sample-servers folder (built with make). Default: ${DEFAULT-VALUE}")
    Path samples;

    @Option(names = {"--out", "-o"}, paramLabel = "DIR", description = "Where the runs go. Default: interleave-runs/demo-TIME")
    Path out;

    @Option(names = "--only", paramLabel = "NAME", split = ",", description = "Run only these samples.")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        Path bin = samples.resolve("bin");
        if (!Files.isDirectory(bin)) {
            err.println("interleave: no built samples in " + bin + "; build them with: make -C " + samples);
            return 2;
        }
        Path agent;
        try {
            agent = TracedLaunch.findAgent();
        } catch (TracedLaunch.LaunchException e) {
            err.println("interleave: " + e.getMessage());
            return 2;
        }
        Path runs = out != null ? out : Path.of("interleave-runs", "demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        DemoRunner runner = new DemoRunner(bin.toAbsolutePath(), agent);
        List<String[]> rows = new ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (DemoScenario s : DemoScenario.lectureSamples()) {
            if (only != null && !only.contains(s.name())) {
                continue;
            }
            err.println("interleave: running " + s.name() + " under the agent...");
            err.flush();
            DemoRunner.ScenarioRun r = runner.run(s, runs.resolve(s.name()).toAbsolutePath());
            Path source = samples.resolve(s.name() + ".c");
            String staticFindings = "-";
            if (Files.isRegularFile(source)) {
                AnalysisResult a = new CAnalyzer().analyzeFiles(List.of(source),
                        p -> AnalyzeCommand.display(cwd, p), CAnalyzer.Progress.NONE, () -> false);
                staticFindings = summarize(a.findings());
            }
            rows.add(new String[] {s.name(), s.bug(), staticFindings,
                    r.problem().isEmpty() ? "ran, exit " + r.exitStatus() + ", " + TracedLaunch.traceFiles(r.runDir())
                            + " trace files" : r.problem()});
        }
        o.println();
        o.printf("%-22s %-48s %-40s %s%n", "sample", "bug", "static findings", "traced run");
        for (String[] row : rows) {
            o.printf("%-22s %-48s %-40s %s%n", (Object[]) row);
        }
        o.println();
        o.println("Runs are in " + runs.toAbsolutePath());
        o.flush();
        return 0;
    }

    private static String summarize(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "none";
        }
        java.util.Map<String, Integer> byRule = new java.util.TreeMap<>();
        findings.forEach(f -> byRule.merge(f.ruleId(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        byRule.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(v).append(" ").append(k));
        return sb.toString();
    }
}
