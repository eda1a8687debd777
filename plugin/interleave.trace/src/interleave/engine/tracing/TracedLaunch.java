package interleave.engine.tracing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program under the tracing agent ({@code LD_PRELOAD}) with its output on the caller's terminal, and stops it
 * when asked: after a time limit or when the JVM is told to stop. Used by {@code interleave trace}, the demo and the
 * Eclipse launcher alike.
 */
public final class TracedLaunch {
    /** Where the agent library is: system property, environment, or the repository layout beside the engine. */
    public static final String AGENT_PROPERTY = "interleave.agent";
    public static final String AGENT_ENV = "INTERLEAVE_AGENT";

    /** What went wrong before the program could run; the message is for the user. */
    public static final class LaunchException extends Exception {
        private static final long serialVersionUID = 1L;

        public LaunchException(String message) {
            super(message);
        }
    }

    /** How the traced run ended; {@code pid} is the started program's. */
    public record Outcome(int exitStatus, boolean stoppedByUs, Path runDir, long millis, long pid) {
    }

    private TracedLaunch() {
    }

    public static Path findAgent() throws LaunchException {
        String configured = System.getProperty(AGENT_PROPERTY, System.getenv(AGENT_ENV));
        if (configured == null || configured.isBlank()) {
            throw new LaunchException("the tracing agent is not configured: set " + AGENT_ENV
                    + " to libinterleave-agent.so (the ./interleave launcher does this and builds it with make -C agent)");
        }
        Path agent = Path.of(configured).toAbsolutePath();
        if (!Files.isRegularFile(agent)) {
            throw new LaunchException("the tracing agent " + agent + " does not exist; build it with: make -C agent");
        }
        return agent;
    }

    /** The program as the shell would find it: a path, or a name looked up in PATH. */
    public static Path resolveProgram(String program) throws LaunchException {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.exists(p)) {
                throw new LaunchException("cannot run '" + program + "': no such file");
            }
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new LaunchException("cannot run '" + program + "': not an executable file");
            }
            return p.toAbsolutePath();
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new LaunchException("cannot run '" + program + "': no such program in PATH");
    }

    /** A fresh run directory: the one given (must be absent or empty), or interleave-runs/NAME-TIME in the cwd. */
    public static Path prepareRunDir(Path requested, String programName) throws LaunchException {
        Path dir = requested;
        if (dir == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            dir = Path.of("interleave-runs", Path.of(programName).getFileName() + "-" + stamp);
            for (int i = 2; Files.exists(dir); i++) {
                dir = Path.of("interleave-runs", Path.of(programName).getFileName() + "-" + stamp + "-" + i);
            }
        }
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new LaunchException("cannot write the trace to " + dir + ": it is a file");
                }
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new LaunchException("the run directory " + dir
                                + " is not empty; give a new one with --out (runs are never mixed)");
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LaunchException("cannot create the run directory " + dir + ": " + e.getMessage());
        }
        return dir.toAbsolutePath();
    }

    /**
     * The command and environment that run the program under the agent (its environment is the builder's: change it
     * before, the agent's variables are set here). The Eclipse launcher starts it with pipes for its console.
     */
    public static ProcessBuilder processBuilder(Path agent, Path runDir, Path program, List<String> args,
            boolean traceStdio) {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        tracingEnvironment(pb.environment(), agent, runDir, traceStdio);
        return pb;
    }

    /** Adds the agent's variables to an environment (keeping a preload the user set, after the agent). */
    public static void tracingEnvironment(Map<String, String> env, Path agent, Path runDir, boolean traceStdio) {
        String preload = env.get("LD_PRELOAD");
        env.put("LD_PRELOAD", preload == null || preload.isBlank() ? agent.toString() : agent + ":" + preload);
        env.put("INTERLEAVE_TRACE_DIR", runDir.toString());
        if (traceStdio) {
            env.put("INTERLEAVE_TRACE_STDIO", "1");
        } else {
            env.remove("INTERLEAVE_TRACE_STDIO");
        }
        env.remove(WatchedVariables.ENV); // a value from the caller's environment is for some other program
    }

    /**
     * Starts the program under the agent, waits for it (or stops it after {@code timeoutMillis} with SIGTERM, then
     * SIGKILL two seconds later) and returns how it ended. The program inherits stdin, stdout and stderr.
     */
    public static Outcome run(Path agent, Path runDir, Path program, List<String> args, boolean traceStdio,
            long timeoutMillis) throws LaunchException, InterruptedException {
        return run(agent, runDir, program, args, traceStdio, timeoutMillis, Map.of());
    }

    /** As above, with more variables in the program's environment (the agent's INTERLEAVE_TRACE_WATCH_VARS). */
    public static Outcome run(Path agent, Path runDir, Path program, List<String> args, boolean traceStdio,
            long timeoutMillis, Map<String, String> extraEnv) throws LaunchException, InterruptedException {
        ProcessBuilder pb = processBuilder(agent, runDir, program, args, traceStdio).inheritIO();
        pb.environment().putAll(extraEnv);
        long start = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot run '" + program + "': " + e.getMessage());
        }
        // Interleave stops what it starts: Ctrl-C or a killed CLI must not leave the program behind.
        Thread stopper = new Thread(() -> stop(process), "interleave-stop-traced-program");
        Runtime.getRuntime().addShutdownHook(stopper);
        boolean stoppedByUs = false;
        try {
            if (timeoutMillis > 0) {
                if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    stoppedByUs = true;
                    interleave.engine.trace.RunEnd.write(runDir, System.nanoTime(), "timeout", -1);
                    // still running at the limit: maybe hung; keep every thread's stack before stopping it
                    StackCapture.captureTree(process.toHandle(), runDir);
                    stop(process);
                }
            }
            int status = process.waitFor();
            if (!stoppedByUs) {
                interleave.engine.trace.RunEnd.write(runDir, System.nanoTime(), "exit", status);
            }
            return new Outcome(status, stoppedByUs, runDir, (System.nanoTime() - start) / 1_000_000, process.pid());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** SIGTERM to the program (and its children through their own handling), SIGKILL if it does not go. */
    public static void stop(Process process) {
        stopTree(process.toHandle());
    }

    /**
     * SIGTERM to a process and all its descendants, SIGKILL to those still there two seconds later. The descendants
     * are listed before the first signal: once their parent is gone they are no longer its descendants, and a
     * forking server's children must not be left behind.
     */
    public static void stopTree(ProcessHandle process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process);
        if (tree.stream().noneMatch(ProcessHandle::isAlive)) {
            return;
        }
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    try {
                        h.onExit().get(left, TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                        // killed below
                    }
                }
            }
            // children forked while we were stopping the others are killed too
            for (ProcessHandle h : process.descendants().toList()) {
                if (!tree.contains(h)) {
                    tree.add(h);
                }
            }
            List<ProcessHandle> still = tree.stream().filter(ProcessHandle::isAlive).toList();
            still.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : still) {
                try {
                    h.onExit().get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // the kernel has it; nothing more we can do
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Events the agent could not store, summed over the headers of the run's trace files (field lost_events, format
     * §3): read right after the run, so the user learns of gaps without a report.
     */
    public static long lostEvents(Path runDir) {
        return interleave.engine.trace.RunEnd.lostEvents(runDir);
    }

    /**
     * When Interleave runs as root, the first directory on the way to the run directory that other users cannot
     * enter (no x for others): a traced program that switches to another user could not reach its files there.
     */
    public static Optional<Path> unreachableAfterUserSwitch(Path runDir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.empty();
        }
        for (Path p = runDir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the program's main thread recorded an exit with this status: Java reports a program killed by signal N
     * as status 128 + N, the same number a program may pass to exit() itself; the trace tells the two apart.
     */
    public static boolean exitedWith(Path runDir, long pid, int status) {
        return interleave.engine.trace.RunEnd.exitedWith(runDir, pid, status);
    }

    /** Number of trace files the agent wrote, for the one-line summary. */
    public static long traceFiles(Path runDir) {
        try (var files = Files.list(runDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".trace")).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
