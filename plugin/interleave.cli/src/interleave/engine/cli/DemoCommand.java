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
import interleave.engine.demo.JavaDemo;
import interleave.engine.external.ClassFileAnalyzers;
import interleave.engine.demo.DemoScenario;
import interleave.engine.experiments.ExperimentProgress;
import interleave.engine.experiments.RaceExperiment;
import interleave.engine.experiments.SecondClientExperiment;
import interleave.engine.finding.Finding;
import interleave.engine.report.HtmlReport;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceException;
import java.util.Optional;
import interleave.engine.tracing.TracedLaunch;
import interleave.engine.tracing.WatchedVariables;
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

    @Option(names = "--only", paramLabel = "NAME", split = ",", description = "Run only these samples (the two"
            + " experiments are named race-experiment and second-client).")
    List<String> only;

    @Option(names = "--race-runs", paramLabel = "N", defaultValue = "" + RaceExperiment.DEFAULT_RUNS,
            description = "Runs of the race experiment (1..1000). Default: ${DEFAULT-VALUE}")
    int raceRuns;

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
        List<HtmlReport.Section> sections = new ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (DemoScenario s : DemoScenario.lectureSamples()) {
            if (only != null && !only.contains(s.name())) {
                continue;
            }
            err.println("interleave: running " + s.name() + " under the agent...");
            err.flush();
            Path source = samples.resolve(s.sample() + ".c");
            List<Finding> staticFindings = List.of();
            if (Files.isRegularFile(source)) {
                // the program as the Makefile links it: the sample and, for the servers, the shared plumbing
                List<Path> program = new ArrayList<>(List.of(source));
                Path common = samples.resolve("common.c");
                if (s.isServer() && Files.isRegularFile(common)) {
                    program.add(common);
                }
                AnalysisResult a = new CAnalyzer().analyzeFiles(program, p -> AnalyzeCommand.display(cwd, p),
                        CAnalyzer.Progress.NONE, () -> false);
                staticFindings = a.findings().stream()
                        .filter(f -> f.location().file().equals(AnalyzeCommand.display(cwd, source))).toList();
            }
            // the variables the source writes without a lock are watched in the run (the agent's watchpoints)
            WatchedVariables.Plan watch = WatchedVariables.resolve(WatchedVariables.flaggedNames(staticFindings),
                    bin.resolve(s.sample()), 0);
            DemoRunner.ScenarioRun r = runner.run(s, runs.resolve(s.name()).toAbsolutePath(),
                    watch.environment(bin.resolve(s.sample())));
            List<String> notes = new ArrayList<>();
            if (!watch.watched().isEmpty()) {
                notes.add("Watched with hardware watchpoints in every thread: "
                        + String.join(", ", watch.watched().stream().map(WatchedVariables.Variable::name).toList())
                        + " (flagged by unsynchronized-shared-write).");
            }
            if (!r.problem().isEmpty()) {
                notes.add("The run did not go as planned: " + r.problem());
            }
            notes.add("Ran " + String.join(" ", s.args()) + (s.isServer() ? " with " + s.load().get() : "")
                    + " under the agent; exit status " + r.exitStatus() + ", " + r.millis() + " ms.");
            Optional<TimelineModel> model = Optional.empty();
            List<HtmlReport.Attachment> stacks = List.of();
            List<Finding> observed = List.of();
            try {
                TracedRun traced = TracedRun.load(r.runDir());
                model = Optional.of(traced.model());
                observed = traced.findings();
                stacks = traced.stacks();
                traced.notes().forEach(n -> notes.add(n.describe()));
            } catch (TraceException e) {
                notes.add("The trace could not be read: " + e.getMessage());
            }
            sections.add(new HtmlReport.Section(s.name(), s.bug(), staticFindings, model, observed, notes, stacks));
            rows.add(new String[] {s.name(), s.bug(), summarize(staticFindings), summarize(observed)});
        }
        experiments(bin, agent, runs, sections, rows, err);
        List<String[]> javaRows = javaSamples(bin, err);
        Files.createDirectories(runs);
        Path report = runs.resolve("report.html");
        try (java.io.Writer w = Files.newBufferedWriter(report, java.nio.charset.StandardCharsets.UTF_8)) {
            HtmlReport.write("Interleave demo: the lecture's concurrency bugs, statically and as they happened",
                    sections, w);
        }
        if (!rows.isEmpty()) {
            o.println();
            o.printf("%-26s %-50s %-32s %s%n", "sample", "bug", "found in the source", "observed in the trace");
            for (String[] row : rows) {
                o.printf("%-26s %-50s %-32s %s%n", (Object[]) row);
            }
        }
        if (!javaRows.isEmpty()) {
            o.println();
            o.printf("%-26s %-38s %-52s %s%n", "Java sample", "bug", javaFrontEnd
                    ? "found in the source and classes" : "found in the classes (SpotBugs)", "observed");
            for (String[] row : javaRows) {
                o.printf("%-26s %-38s %-52s %s%n", (Object[]) row);
            }
            if (!javaFrontEnd) {
                o.println("Java analysis not installed: the Java front end's own rules are not part of this run; the"
                        + " static column shows SpotBugs only.");
            }
        }
        o.println();
        o.println("Report: " + report.toAbsolutePath());
        o.println("Runs:   " + runs.toAbsolutePath() + " (interleave report DIR, interleave export --perfetto DIR)");
        o.flush();
        return 0;
    }

    /** The lecture's two experiments, after the samples: the race test's histogram and the second client's wait. */
    private void experiments(Path bin, Path agent, Path runs, List<HtmlReport.Section> sections, List<String[]> rows,
            PrintWriter err) throws InterruptedException {
        if ((only == null || only.contains("race-experiment")) && Files.isExecutable(bin.resolve("race"))) {
            int n = Math.max(1, Math.min(1000, raceRuns));
            err.println("interleave: running the race experiment (" + n + " runs of race "
                    + RaceExperiment.DEFAULT_THREADS + ")...");
            err.flush();
            RaceExperiment.Result r = new RaceExperiment(bin.resolve("race").toAbsolutePath(), agent)
                    .run(runs.resolve("race-experiment").toAbsolutePath(), n, RaceExperiment.DEFAULT_THREADS,
                            ExperimentProgress.NONE);
            List<String> notes = new ArrayList<>();
            notes.add(r.histogram().summary());
            r.problems().forEach(p -> notes.add("Not as planned: " + p));
            sections.add(new HtmlReport.Section("race experiment", "The lecture's race test: &i handed to "
                    + RaceExperiment.DEFAULT_THREADS + " threads, run " + n + " times; how many threads saw each value"
                    + " of i, next to what no race would give", List.of(), Optional.empty(), List.of(), notes,
                    List.of(new HtmlReport.Attachment("Histogram: threads that saw each value, over all runs ('|' marks"
                            + " what no race would give)", r.histogram().render(), true))));
            rows.add(new String[] {"race-experiment", n + " runs of race " + RaceExperiment.DEFAULT_THREADS,
                    "-", r.histogram().mismatched() + " of " + r.histogram().readCount() + " threads saw another i"});
        }
        if ((only == null || only.contains("second-client")) && Files.isExecutable(bin.resolve("echo-iterative"))) {
            err.println("interleave: running the iterative server with two clients...");
            err.flush();
            SecondClientExperiment.Result r = new SecondClientExperiment(bin.toAbsolutePath(), agent).run(
                    runs.resolve("second-client").toAbsolutePath(), SecondClientExperiment.DEFAULT_HOLD_MILLIS,
                    ExperimentProgress.NONE);
            List<String> notes = new ArrayList<>();
            notes.add(r.describe());
            if (!r.problem().isEmpty() && r.derivation().block().isPresent()) {
                notes.add("Not as planned: " + r.problem());
            }
            Optional<TimelineModel> model = Optional.empty();
            List<Finding> observed = List.of();
            try {
                TracedRun traced = TracedRun.load(r.runDir());
                model = Optional.of(traced.model());
                observed = traced.findings();
            } catch (TraceException e) {
                notes.add("The trace could not be read: " + e.getMessage());
            }
            sections.add(new HtmlReport.Section("second-client", "Where does the second client block? The iterative"
                    + " server with two clients: the first stays connected "
                    + SecondClientExperiment.DEFAULT_HOLD_MILLIS + " ms", List.of(), model, observed, notes));
            rows.add(new String[] {"second-client", "iterative server, second client waits", "-",
                    r.derivation().block().map(b -> "blocked " + b.blockedNs() / 1_000_000 + " ms in " + b.waitCall())
                            .orElse("no answer")});
        }
    }

    /** The Java samples: SpotBugs on their classes (when the bundle is there), then each run under a bounded load. */
    /** Whether the Java front end took part in this demo (set by {@link #javaSamples}). */
    private boolean javaFrontEnd;

    private List<String[]> javaSamples(Path bin, PrintWriter err) throws Exception {
        Path classes = bin.resolve("java").resolve("classes");
        if (!Files.isDirectory(classes)) {
            return List.of();
        }
        List<JavaDemo.Sample> chosen = JavaDemo.samples().stream()
                .filter(j -> only == null || only.contains("java/" + j.name())).toList();
        if (chosen.isEmpty()) {
            return List.of();
        }
        Path cwd = Path.of("").toAbsolutePath();
        List<Finding> found = List.of();
        String staticNote = "";
        javaFrontEnd = JavaSupport.registerIfInstalled();
        if (javaFrontEnd) {
            // the Java front end's rules, through the same analyzer as every other language
            err.println("interleave: analyzing the Java samples' sources...");
            err.flush();
            var frontEnds = interleave.engine.analysis.FrontEnds.all();
            List<Path> sources = interleave.engine.analysis.Analyzer.collectSources(List.of(samples.resolve("java")),
                    frontEnds);
            found = new interleave.engine.analysis.Analyzer().analyzeFiles(sources,
                    p -> AnalyzeCommand.display(cwd, p), interleave.engine.analysis.Analyzer.Progress.NONE,
                    () -> false).findings();
        }
        try {
            err.println("interleave: SpotBugs on the Java samples' classes...");
            err.flush();
            var spotBugs = ClassFileAnalyzers.spotBugs();
            List<Finding> theirs = spotBugs.analyze(List.of(classes), List.of(samples.resolve("java")),
                    p -> AnalyzeCommand.display(cwd, p));
            // what both see is said once, by Interleave
            found = interleave.engine.external.ExternalFindings.merge(found, theirs, spotBugs).findings();
        } catch (ClassFileAnalyzers.NotInstalledException | java.io.IOException e) {
            staticNote = found.isEmpty() && !javaFrontEnd ? "(SpotBugs not available)" : "";
            err.println("interleave: " + e.getMessage());
        }
        JavaDemo demo = new JavaDemo(bin.toAbsolutePath());
        List<String[]> rows = new ArrayList<>();
        for (JavaDemo.Sample j : chosen) {
            err.println("interleave: running java/" + j.name() + "...");
            err.flush();
            List<Finding> mine = found.stream().filter(f -> f.location().file().endsWith("/" + j.source())).toList();
            rows.add(new String[] {"java/" + j.name(), j.bug(), staticNote.isEmpty() ? summarize(mine) : staticNote,
                    demo.run(j)});
        }
        return rows;
    }

    private static String summarize(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "-";
        }
        java.util.Map<String, Integer> byRule = new java.util.TreeMap<>();
        findings.forEach(f -> byRule.merge(f.ruleId(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        byRule.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(v).append(" ").append(k));
        return sb.toString();
    }
}
