package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import interleave.engine.tracing.TracedLaunch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "trace", description = "Run a program under the tracing agent: interleave trace [--out DIR] -- PROGRAM ARGS...",
        footer = "Exit status: the program's own, or 2 when it could not be started.")
final class TraceCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--out", "-o"}, paramLabel = "DIR",
            description = "Run directory (new or empty). Default: interleave-runs/PROGRAM-TIME")
    Path out;

    @Option(names = "--stdio", description = "Also record printf/puts and malloc/free (to see a handler nested inside them).")
    boolean stdio;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop the program (SIGTERM, then SIGKILL) after this many seconds; 0 = wait. Default: ${DEFAULT-VALUE}")
    double timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM ARGS", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path agent = TracedLaunch.findAgent();
            Path program = TracedLaunch.resolveProgram(command.get(0));
            Path runDir = TracedLaunch.prepareRunDir(out, command.get(0));
            err.println("interleave: tracing " + String.join(" ", command) + " into " + runDir);
            err.flush();
            TracedLaunch.Outcome o = TracedLaunch.run(agent, runDir, program, command.subList(1, command.size()),
                    stdio, Math.round(timeoutSeconds * 1000));
            err.println("interleave: " + (o.stoppedByUs() ? "stopped after the time limit" : "program exited with status "
                    + o.exitStatus()) + " after " + o.millis() + " ms; " + TracedLaunch.traceFiles(runDir)
                    + " trace file(s) in " + runDir);
            err.println("interleave: see it with: interleave report " + runDir);
            return o.stoppedByUs() ? 0 : o.exitStatus();
        } catch (TracedLaunch.LaunchException e) {
            err.println("interleave: " + e.getMessage());
            return 2;
        }
    }
}
