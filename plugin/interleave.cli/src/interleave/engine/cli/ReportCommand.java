package interleave.engine.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.finding.Finding;
import interleave.engine.report.HtmlReport;
import interleave.engine.report.SarifReport;
import interleave.engine.report.TextReport;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Report a traced run: what happened and the bugs observed in it.",
        footer = "Exit status: 0 nothing found, 1 findings, 2 bad usage or a run that cannot be read, 3 the tool failed"
                + " (out of memory: the message says how to give it more).")
final class ReportCommand implements Callable<Integer> {
    enum Format {
        html, text, sarif
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", defaultValue = "html", description = "html (timeline + findings), text or sarif."
            + " Default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "Output file. Default: DIR/report.html for html, stdout otherwise.")
    Path out;

    @Option(names = "--source", paramLabel = "PATH", split = ",",
            description = "Also analyze these C sources and show their static findings beside the run.")
    List<Path> sources;

    @Mixin
    FinishedRunOptions run;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        var loaded = run.load(err);
        if (loaded.isEmpty()) {
            return 2;
        }
        TracedRun traced = loaded.get();
        List<Finding> staticFindings = new ArrayList<>();
        if (sources != null && !sources.isEmpty()) {
            Path cwd = Path.of("").toAbsolutePath();
            AnalysisResult a = new CAnalyzer().analyzeFiles(CAnalyzer.collectSources(sources),
                    p -> AnalyzeCommand.display(cwd, p), CAnalyzer.Progress.NONE, () -> false);
            staticFindings.addAll(a.findings());
        }
        List<Finding> all = new ArrayList<>(staticFindings);
        all.addAll(traced.findings());
        AnalysisResult result = new AnalysisResult(all, traced.notes(), List.of(run.dir.toString()));
        switch (format) {
        case html -> {
            Path file = out != null ? out : run.dir.resolve("report.html");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                List<String> notes = traced.notes().stream().map(n -> n.describe()).toList();
                HtmlReport.Section section = sources == null || sources.isEmpty()
                        ? HtmlReport.Section.withoutSource(describe(traced), "", traced.model(), traced.findings(),
                                notes, traced.stacks())
                        : new HtmlReport.Section(describe(traced), "", staticFindings, Optional.of(traced.model()),
                                traced.findings(), notes, traced.stacks());
                HtmlReport.write("Interleave report: " + run.dir.getFileName(), List.of(section), w);
            }
            err.println("interleave: report written to " + file.toAbsolutePath());
        }
        case text -> write(w -> TextReport.write(result, new PrintWriter(w, true)));
        case sarif -> write(w -> SarifReport.write(result, allDescriptors(), Main.VERSION, w));
        }
        return all.isEmpty() ? 0 : 1;
    }

    /** "the command line (2 processes, 5 threads)", for the section title. */
    static String describe(TracedRun t) {
        var images = t.run().images();
        if (images.isEmpty()) {
            return t.run().directory().toString();
        }
        var first = images.get(0);
        String command = first.argv().isEmpty() ? first.command() : String.join(" ", first.argv());
        int threads = t.run().threads().size();
        return command + " (" + plural(images.size(), "process", "processes") + ", "
                + plural(threads, "thread", "threads") + ")";
    }

    private static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static List<RuleDescriptor> allDescriptors() {
        return RuleRegistry.checks();
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private void write(Body body) throws IOException {
        if (out != null) {
            try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                body.write(w);
            }
        } else {
            PrintWriter o = spec.commandLine().getOut();
            body.write(o);
            o.flush();
        }
    }
}
