package interleave.ui.launch;

/** Attribute names of a "Traced C Application" launch configuration, and their defaults. */
public final class TracedLaunchConfig {
    public static final String TYPE_ID = "interleave.ui.launch.traced";
    private static final String P = "interleave.ui.launch.";
    /** The executable: a file system path (variables such as ${workspace_loc:...} allowed), or a name in PATH. */
    public static final String PROGRAM = P + "program";
    public static final String ARGUMENTS = P + "arguments";
    /** Working directory; empty = the program's folder. */
    public static final String WORKING_DIRECTORY = P + "workingDirectory";
    /** When set, the folder whose Makefile builds the program: {@code make -C DIR bin/NAME} runs before each launch. */
    public static final String MAKE_DIRECTORY = P + "makeDirectory";
    /** Also record stdio calls (printf, fputs, ...): {@code interleave trace --stdio}. */
    public static final String TRACE_STDIO = P + "traceStdio";
    /** Before stopping the program at the user's request, keep every thread's stack (gdb or /proc). */
    public static final String KEEP_STACKS = P + "keepStacks";
    /** Open the run in the Concurrency Timeline view when the launch ends. */
    public static final String OPEN_TIMELINE = P + "openTimeline";

    /** The load: the sample echo client against the port the server announces. */
    public static final String LOAD_ENABLED = P + "load";
    public static final String LOAD_CLIENT = P + "loadClient";
    public static final String LOAD_CLIENTS = P + "loadClients";
    /** "time": run for LOAD_SECONDS; "requests": send LOAD_REQUESTS requests in all. */
    public static final String LOAD_MODE = P + "loadMode";
    public static final String LOAD_SECONDS = P + "loadSeconds";
    public static final String LOAD_REQUESTS = P + "loadRequests";
    /** Stop the program once the load client is done, so that the run ends and is shown. */
    public static final String LOAD_STOPS_PROGRAM = P + "loadStopsProgram";

    public static final String MODE_TIME = "time";
    public static final String MODE_REQUESTS = "requests";
    public static final int DEFAULT_CLIENTS = 4;
    public static final int DEFAULT_SECONDS = 3;
    public static final int DEFAULT_REQUESTS = 200;

    /** Launch attribute: the run directory of a started launch. */
    public static final String RUN_DIRECTORY = P + "runDirectory";

    private TracedLaunchConfig() {
    }
}
