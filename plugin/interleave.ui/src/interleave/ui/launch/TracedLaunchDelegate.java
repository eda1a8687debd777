package interleave.ui.launch;

import static interleave.ui.launch.TracedLaunchConfig.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.LaunchConfigurationDelegate;
import org.eclipse.ui.PlatformUI;

import interleave.engine.tracing.TracedLaunch;
import interleave.engine.tracing.TracedLaunch.LaunchException;
import interleave.ui.timeline.TimelineView;

/**
 * Runs a C program under the tracing agent like {@code interleave trace}: its output goes to a console, Terminate
 * stops it with its children, an optional load (the sample echo client) is started against the port the program
 * announces, and when it ends the run is opened in the Concurrency Timeline view.
 */
public class TracedLaunchDelegate extends LaunchConfigurationDelegate {
    public static final String PLUGIN_ID = "interleave.ui";
    /** The sample servers' announcement, see sample-servers/common.c. */
    static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @Override
    public void launch(ILaunchConfiguration config, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        SubMonitor sub = SubMonitor.convert(monitor, "Starting " + config.getName() + " traced", 3);
        String programText = substitute(config.getAttribute(PROGRAM, "")).strip();
        if (programText.isEmpty()) {
            throw abort("No program given: choose the executable to trace on the Main tab.");
        }
        String makeDir = substitute(config.getAttribute(MAKE_DIRECTORY, "")).strip();
        if (!makeDir.isEmpty()) {
            sub.subTask("make -C " + makeDir);
            Path dir = Path.of(makeDir);
            List<String> targets = new ArrayList<>();
            targets.add(dir.relativize(dir.resolve(programText)).toString());
            String client = substitute(config.getAttribute(LOAD_CLIENT, "")).strip();
            if (config.getAttribute(LOAD_ENABLED, false) && !client.isEmpty()) {
                Path c = dir.resolve(client).normalize();
                if (c.startsWith(dir)) { // the sample client is built by the same Makefile
                    targets.add(dir.relativize(c).toString());
                }
            }
            try {
                make(dir, targets);
            } catch (CoreException e) {
                throw notStarted(config, e.getStatus().getMessage());
            }
        }
        sub.worked(1);
        String workText = substitute(config.getAttribute(WORKING_DIRECTORY, "")).strip();
        Path program;
        Path agent;
        try {
            Path asGiven = Path.of(programText);
            if (!asGiven.isAbsolute() && programText.contains("/") && !workText.isEmpty()) {
                programText = Path.of(workText).resolve(programText).toString();
            }
            program = TracedLaunch.resolveProgram(programText);
            String notRunnable = notRunnable(program);
            if (notRunnable != null) {
                throw notStarted(config, notRunnable);
            }
            agent = TracedLaunch.findAgent();
        } catch (LaunchException e) {
            throw notStarted(config, capitalized(e.getMessage()) + ".");
        }
        Path workDir = workText.isEmpty() ? program.getParent() : Path.of(workText);
        if (!Files.isDirectory(workDir)) {
            throw abort("The working directory " + workDir + " does not exist.");
        }
        Path runDir;
        try {
            runDir = TracedLaunch.prepareRunDir(newRunDir(program), program.getFileName().toString());
        } catch (LaunchException e) {
            throw abort(capitalized(e.getMessage()) + ".");
        }

        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(DebugPlugin.parseArguments(substitute(config.getAttribute(ARGUMENTS, "")))));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        String[] env = DebugPlugin.getDefault().getLaunchManager().getEnvironment(config);
        if (env != null) { // null: Eclipse's own environment, as the builder has it
            pb.environment().clear();
            for (String kv : env) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        TracedLaunch.tracingEnvironment(pb.environment(), agent, runDir, config.getAttribute(TRACE_STDIO, false));
        sub.worked(1);

        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw notStarted(config, "Cannot run " + program + ": " + e.getMessage());
        }
        TracedRuns.started(process);
        launch.setAttribute(RUN_DIRECTORY, runDir.toString());
        boolean open = config.getAttribute(OPEN_TIMELINE, true);
        // the view follows the run while it is written: it fills as the program runs
        onTimeline(open, view -> view.follow(runDir));
        Map<String, String> attributes = new HashMap<>();
        attributes.put(IProcess.ATTR_PROCESS_TYPE, "interleave.traced");
        attributes.put(IProcess.ATTR_CMDLINE, String.join(" ", command));
        TracedProcess traced = new TracedProcess(launch, process,
                program.getFileName() + " (traced, pid " + process.pid() + ")", attributes);
        // before the load can start: a load that is done at once stops the program, which needs the run directory
        traced.afterEnd(runDir, config.getAttribute(KEEP_STACKS, false), () -> ended(launch, runDir, open));
        if (config.getAttribute(LOAD_ENABLED, false)) {
            startLoadWhenListening(config, launch, traced, workDir);
        }
        sub.worked(1);
    }

    /**
     * The program could not be started: the message goes to the launch's Console (where a user looks for a
     * program's output), to the timeline's status line, and back as the launch's error.
     */
    private static CoreException notStarted(ILaunchConfiguration config, String why) throws CoreException {
        LaunchErrorConsole.write(config.getName(), why);
        onTimeline(config.getAttribute(OPEN_TIMELINE, true), view -> view.notStarted(why));
        return abort(why);
    }

    /**
     * Why the file cannot be run as a program, or null: neither an ELF executable nor a script with {@code #!} (the
     * JDK would hand such a file to /bin/sh, which would trace the shell reading garbage).
     */
    static String notRunnable(Path program) {
        byte[] head = new byte[4];
        int n;
        try (var in = Files.newInputStream(program)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            return "Cannot run " + program + ": cannot read it (" + e.getMessage() + ").";
        }
        boolean elf = n == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        boolean script = n >= 2 && head[0] == '#' && head[1] == '!';
        return elf || script ? null
                : "Cannot run " + program + ": it is not an executable program (neither an ELF binary nor a script"
                        + " starting with #!). Choose the compiled program, not its source.";
    }

    /** Stops the load client and shows the run once the traced program has ended. */
    private static void ended(ILaunch launch, Path runDir, boolean open) {
        for (IProcess p : launch.getProcesses()) {
            if (p instanceof LoadProcess load) {
                load.stop();
            }
        }
        onTimeline(open, view -> {
            boolean following = view.live().map(l -> l.directory().equals(runDir)).orElse(false);
            boolean shown = view.run().map(r -> r.directory().equals(runDir)).orElse(false);
            if (!following && !shown) {
                view.open(runDir); // the view was not following it (closed meanwhile, or another run opened)
            }
        });
    }

    /** Runs {@code action} on the UI thread with the timeline view (opened if needed), when there is a workbench. */
    private static void onTimeline(boolean open, java.util.function.Consumer<TimelineView> action) {
        if (!open || !PlatformUI.isWorkbenchRunning()) {
            return;
        }
        var display = PlatformUI.getWorkbench().getDisplay();
        display.asyncExec(() -> {
            var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
            if (window == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
                window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
            }
            if (window == null || window.getActivePage() == null) {
                return;
            }
            try {
                action.accept((TimelineView) window.getActivePage().showView(TimelineView.ID));
            } catch (org.eclipse.ui.PartInitException e) {
                org.eclipse.core.runtime.ILog.of(TracedLaunchDelegate.class).error("Could not show the timeline", e);
            }
        });
    }

    /** Watches the program's output for its "listening on 127.0.0.1:PORT" line, then starts the echo client. */
    private static void startLoadWhenListening(ILaunchConfiguration config, ILaunch launch, TracedProcess traced,
            Path workDir) throws CoreException {
        String client = substitute(config.getAttribute(LOAD_CLIENT, "")).strip();
        if (client.isEmpty()) {
            throw abort("A load is asked for but no load client is given (the sample echo-client).");
        }
        Path clientPath = Path.of(client).isAbsolute() ? Path.of(client) : workDir.resolve(client);
        if (!Files.isExecutable(clientPath)) {
            traced.stop("no load client");
            throw abort("The load client " + clientPath + " is not an executable file (build the samples with make).");
        }
        List<String> args = new ArrayList<>(List.of(clientPath.toString(), "-c",
                Integer.toString(config.getAttribute(LOAD_CLIENTS, DEFAULT_CLIENTS))));
        if (MODE_REQUESTS.equals(config.getAttribute(LOAD_MODE, MODE_TIME))) {
            args.addAll(List.of("-n", Integer.toString(config.getAttribute(LOAD_REQUESTS, DEFAULT_REQUESTS))));
        } else {
            args.addAll(List.of("-t", Integer.toString(config.getAttribute(LOAD_SECONDS, DEFAULT_SECONDS)),
                    "-n", "10000000")); // the client's largest count: the time limit ends it
        }
        boolean stopsProgram = config.getAttribute(LOAD_STOPS_PROGRAM, true);
        traced.whenOutputMatches(LISTENING, m -> {
            List<String> command = new ArrayList<>(args);
            command.addAll(List.of("-p", m.group(1)));
            try {
                Process p = new ProcessBuilder(command).directory(workDir.toFile()).start();
                TracedRuns.started(p);
                Map<String, String> attributes = Map.of(IProcess.ATTR_CMDLINE, String.join(" ", command));
                new LoadProcess(launch, p, "load: " + clientPath.getFileName() + " (pid " + p.pid() + ")",
                        attributes);
                if (stopsProgram) {
                    // the load is done: stop the program so that the run ends and is shown
                    p.onExit().thenRun(() -> traced.stop("load done"));
                }
            } catch (IOException e) {
                org.eclipse.core.runtime.ILog.of(TracedLaunchDelegate.class)
                        .error("Could not start the load client " + clientPath, e);
            }
        });
    }

    /** {@code make -C dir target}; fails the launch with make's output when the build fails. */
    public static void make(Path dir, List<String> targets) throws CoreException {
        String target = String.join(" ", targets);
        if (!Files.isRegularFile(dir.resolve("Makefile"))) {
            throw abort("Cannot build " + target + ": " + dir + " has no Makefile.");
        }
        try {
            Process make = new ProcessBuilder(makeCommand(dir, targets)).redirectErrorStream(true).start();
            byte[] output = make.getInputStream().readAllBytes();
            if (!make.waitFor(300, TimeUnit.SECONDS)) {
                make.destroyForcibly();
                throw abort("make -C " + dir + " " + target + " took more than 5 minutes; stopped.");
            }
            if (make.exitValue() != 0) {
                throw abort("make -C " + dir + " " + target + " failed:\n"
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw abort("Cannot run make (is it installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw abort("Interrupted while building " + target + ".");
        }
    }

    private static List<String> makeCommand(Path dir, List<String> targets) {
        List<String> command = new ArrayList<>(List.of("make", "-C", dir.toString()));
        command.addAll(targets);
        return command;
    }

    /** interleave-runs/NAME-TIME in the plug-in's state area: runs do not clutter the workspace. */
    private static Path newRunDir(Path program) {
        Path base;
        try {
            base = Path.of(Platform.getStateLocation(Platform.getBundle(PLUGIN_ID)).toOSString(), "runs");
        } catch (RuntimeException e) {
            base = Path.of(System.getProperty("java.io.tmpdir"), "interleave-runs");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = base.resolve(program.getFileName() + "-" + stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = base.resolve(program.getFileName() + "-" + stamp + "-" + i);
        }
        return dir;
    }

    private static String substitute(String text) throws CoreException {
        return VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(text);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static CoreException abort(String message) {
        return new CoreException(Status.error(message));
    }

    @SuppressWarnings("unused")
    private static final int ERROR = IStatus.ERROR;
}
