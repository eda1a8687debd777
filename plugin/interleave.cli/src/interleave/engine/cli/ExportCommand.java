package interleave.engine.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import interleave.engine.report.PerfettoExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", description = "Export a traced run for other tools: --perfetto writes Chrome/Perfetto"
        + " trace JSON (open it at ui.perfetto.dev or chrome://tracing).",
        footer = "Exit status: 0 written, 2 bad usage or a run that cannot be read, 3 the tool failed (out of memory).")
final class ExportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--perfetto", required = true, description = "Chrome/Perfetto trace-event JSON.")
    boolean perfetto;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Default: DIR/trace.perfetto.json")
    Path out;

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
        Path file = out != null ? out : run.dir.resolve("trace.perfetto.json");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            PerfettoExport.write(traced.model(), traced.findings(), w);
        }
        err.println("interleave: " + traced.run().eventCount() + " events exported to " + file.toAbsolutePath());
        return 0;
    }
}
