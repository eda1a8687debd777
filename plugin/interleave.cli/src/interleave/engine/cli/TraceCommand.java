package interleave.engine.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import interleave.engine.detectors.JavaPrograms;
import interleave.engine.tracing.TracedLaunch;
import interleave.engine.tracing.WatchedVariables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "trace", description = "Run a program under the tracing agent: interleave trace [--out DIR] [--source FILE|DIR]..."
        + " -- PROGRAM ARGS...",
        footer = "Exit status: the program's own (128+N when a signal N killed it), 124 when it had to be stopped at"
                + " --timeout, 2 when it could not be started.")
final class TraceCommand implements Callable<Integer> {
    /** As timeout(1): the program was stopped at its time limit. */
    static final int STOPPED_AT_TIMEOUT = 124;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--out", "-o"}, paramLabel = "DIR",
            description = "Run directory (new or empty). Default: interleave-runs/PROGRAM-TIME")
    Path out;

    @Option(names = "--stdio", description = "Also record printf/puts and malloc/free outside signal handlers (inside"
            + " handlers they are always recorded).")
    boolean stdio;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop the program (SIGTERM, then SIGKILL) after this many seconds; 0 = wait. Default: ${DEFAULT-VALUE}")
    double timeoutSeconds;

    @Option(names = "--source", paramLabel = "FILE|DIR",
            description = "The program's C sources: the shared variables the static analysis finds written without a"
                    + " lock (unsynchronized-shared-write) are watched in every thread with hardware watchpoints (at"
                    + " most " + WatchedVariables.MAX + "), so the report shows who wrote them, holding which locks."
                    + " Repeatable.")
    List<Path> sources;

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
            if (JavaPrograms.isJavaLauncher(program)) {
                err.println("interleave: " + program.getFileName() + " runs a Java virtual machine: it is recorded for"
                        + " the timeline, but the native detectors do not judge Java programs (JDK Flight Recorder"
                        + " support comes later)");
            }
            Map<String, String> env = Map.of();
            if (sources != null && !sources.isEmpty()) {
                env = watchPlan(program, err);
                if (env == null) {
                    return 2;
                }
            }
            err.flush();
            TracedLaunch.Outcome o = TracedLaunch.run(agent, runDir, program, command.subList(1, command.size()),
                    stdio, Math.round(timeoutSeconds * 1000), env);
            err.println("interleave: " + ending(o, TracedLaunch.exitedWith(runDir, o.pid(), o.exitStatus()))
                    + " after " + o.millis() + " ms; " + TracedLaunch.traceFiles(runDir)
                    + " trace file(s) in " + runDir);
            long lost = TracedLaunch.lostEvents(runDir);
            if (lost > 0) {
                err.println("interleave: warning: the agent could not store " + lost + " event(s); the timeline has"
                        + " gaps (INTERLEAVE_TRACE_DEBUG=1 says why)");
                // the likely cause when root traces a server that switches user
                TracedLaunch.unreachableAfterUserSwitch(runDir).ifPresent(dir -> err.println("interleave: note: "
                        + dir + " cannot be entered by other users, so a program that switched user (setuid, nginx"
                        + " 'user', memcached -u) could not record after the switch: use a run directory under /tmp"
                        + " or /dev/shm"));
            }
            err.println("interleave: see it with: interleave report " + runDir);
            return o.stoppedByUs() ? STOPPED_AT_TIMEOUT : o.exitStatus();
        } catch (TracedLaunch.LaunchException e) {
            err.println("interleave: " + e.getMessage());
            return 2;
        }
    }

    /** Runs the static analysis on --source and says what will be watched; null when the sources cannot be read. */
    private Map<String, String> watchPlan(Path program, PrintWriter err) {
        for (Path p : sources) {
            if (!Files.exists(p)) {
                err.println("interleave: --source " + p + ": no such file or directory");
                return null;
            }
        }
        WatchedVariables.Plan plan;
        try {
            plan = WatchedVariables.plan(sources, program);
        } catch (IOException e) {
            err.println("interleave: --source: " + e.getMessage());
            return null;
        }
        if (plan.flagged() == 0) {
            err.println("interleave: the sources have no unsynchronized-shared-write finding: no variable to watch");
        }
        for (WatchedVariables.Variable v : plan.watched()) {
            err.println("interleave: watching " + v.name() + " (" + v.size() + " bytes) in every thread");
        }
        for (String s : plan.skipped()) {
            err.println("interleave: not watching " + s);
        }
        return plan.environment(program);
    }

    /** "program exited with status 3", "program was killed by SIGKILL", "stopped after the time limit". */
    static String ending(TracedLaunch.Outcome o, boolean exitedOnPurpose) {
        if (o.stoppedByUs()) {
            return "stopped after the time limit (exit status " + STOPPED_AT_TIMEOUT + ")";
        }
        // Java reports a program killed by signal N as status 128 + N, as shells do
        int s = o.exitStatus();
        if (s > 128 && s < 128 + 65 && !exitedOnPurpose) {
            return "program was killed by " + interleave.engine.events.Signals.name(s - 128) + " (exit status " + s + ")";
        }
        return "program exited with status " + s;
    }
}
