package interleave.engine.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code interleave}: the headless front end. Exit status 0 = nothing found, 1 = findings, 2 = usage or input error. */
@Command(name = "interleave", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Finds and shows the classic bugs of concurrent C programs.",
        subcommands = {AnalyzeCommand.class, TraceCommand.class, ReportCommand.class, ExportCommand.class, DemoCommand.class, ExperimentCommand.class, RulesCommand.class, ExplainCommand.class})
public final class Main implements Runnable {
    public static final String VERSION = "0.1.0";

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Interleave " + VERSION};
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'interleave analyze PATH'");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, false, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Exit status of a tool failure (out of memory, an internal error): neither "findings" (1) nor "bad input" (2). */
    public static final int TOOL_FAILURE = 3;

    static int outOfMemory(PrintWriter err) {
        long mib = Runtime.getRuntime().maxMemory() >> 20;
        err.println("interleave: the trace is too large for the memory given (" + mib + " MiB of heap): give Java"
                + " more with JDK_JAVA_OPTIONS=-Xmx8g (or more), or trace a shorter run");
        return TOOL_FAILURE;
    }

    /** Runs a command line with the given streams; returns the exit status (used by tests too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // a bug of ours: say so in one line, keep the trace for a bug report only when asked
            err.println("interleave: internal error: " + ex);
            if (System.getenv("INTERLEAVE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            return TOOL_FAILURE;
        });
        int status;
        try {
            status = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // everything the command held is garbage once we are here, so the message can be printed
            status = outOfMemory(err);
        }
        out.flush();
        err.flush();
        return status;
    }
}
