package interleave.ui.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IStreamsProxy;
import org.eclipse.debug.core.model.RuntimeProcess;

import interleave.engine.trace.RunEnd;
import interleave.engine.tracing.StackCapture;
import interleave.engine.tracing.TracedLaunch;

/**
 * A program started under the tracing agent, as the Debug framework sees it (console, Terminate button). Terminating
 * stops the whole process tree, not only the program: a forking server's children go too. The run's end (who stopped
 * it, the status) is written to the run directory before the trace is read.
 */
public class TracedProcess extends RuntimeProcess {
    private final Process process;
    // no initializers: createStreamsProxy sets them while the superclass constructor runs
    private StringBuilder output;
    private List<Map.Entry<Pattern, Consumer<Matcher>>> waiting;
    private Path runDir;
    private boolean keepStacks;
    private boolean stoppedByUs;
    private boolean ended;
    private Runnable whenEnded;

    TracedProcess(ILaunch launch, Process process, String name, Map<String, String> attributes) {
        super(launch, process, name, attributes);
        this.process = process;
    }

    /**
     * Called by the superclass constructor, before the console is attached: the console turns the monitor's buffer
     * off, so our copy of the output (what the program announces, e.g. its port) must listen from the start.
     */
    @Override
    protected IStreamsProxy createStreamsProxy() {
        output = new StringBuilder();
        waiting = new ArrayList<>();
        IStreamsProxy proxy = super.createStreamsProxy();
        if (proxy != null) {
            var monitor = proxy.getOutputStreamMonitor();
            monitor.addListener((text, m) -> appended(text));
            appended(monitor.getContents());
        }
        return proxy;
    }

    private static final int KEPT_OUTPUT = 1 << 20;

    private void appended(String text) {
        List<Runnable> due = new ArrayList<>();
        synchronized (output) {
            if (output.length() < KEPT_OUTPUT) {
                output.append(text, 0, Math.min(text.length(), KEPT_OUTPUT - output.length()));
            }
            for (var it = waiting.iterator(); it.hasNext();) {
                var w = it.next();
                Matcher m = w.getKey().matcher(output);
                if (m.find()) {
                    it.remove();
                    due.add(() -> w.getValue().accept(m));
                }
            }
        }
        due.forEach(Runnable::run);
    }

    /** The program's first megabyte of standard output. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Runs {@code action} once, when the program's output (so far or later) matches {@code pattern}. */
    void whenOutputMatches(Pattern pattern, Consumer<Matcher> action) {
        synchronized (output) {
            waiting.add(java.util.Map.entry(pattern, action));
        }
        appended("");
    }

    /**
     * Where the run is written and what to do when it ends. Set after construction: the superclass starts watching
     * the process in its constructor, so a program that fails at once may have ended already; then it runs now.
     */
    void afterEnd(Path runDirectory, boolean stacks, Runnable action) {
        boolean now;
        synchronized (this) {
            runDir = runDirectory;
            keepStacks = stacks;
            whenEnded = action;
            now = ended;
        }
        if (now) {
            writeEnd();
            action.run();
        }
    }

    public long pid() {
        return process.pid();
    }

    public synchronized Path runDirectory() {
        return runDir;
    }

    public synchronized boolean stoppedByUs() {
        return stoppedByUs;
    }

    @Override
    public boolean canTerminate() {
        return !isTerminated();
    }

    @Override
    public void terminate() throws DebugException {
        stop("user");
    }

    /** Stops the program and its children; {@code why} is recorded as the run's end ("user", "load done"). */
    void stop(String why) {
        Process p = process;
        synchronized (this) {
            if (stoppedByUs || ended || !p.isAlive()) {
                return;
            }
            stoppedByUs = true;
            if (runDir != null) {
                RunEnd.write(runDir, System.nanoTime(), why, -1);
            }
        }
        if (keepStacks && runDir != null) {
            StackCapture.captureTree(p.toHandle(), runDir);
        }
        TracedLaunch.stopTree(p.toHandle());
    }

    @Override
    protected void terminated() {
        boolean configured;
        synchronized (this) {
            ended = true;
            configured = whenEnded != null;
        }
        if (configured) {
            writeEnd(); // before the launch is seen as terminated: whoever waits for it finds the run complete
        }
        super.terminated();
        if (configured) {
            whenEnded.run();
        }
    }

    private void writeEnd() {
        Path dir;
        boolean byUs;
        synchronized (this) {
            dir = runDir;
            byUs = stoppedByUs;
        }
        if (!byUs) {
            Process p = process;
            RunEnd.write(dir, System.nanoTime(), "exit", p.isAlive() ? -1 : p.exitValue());
        }
    }

}
