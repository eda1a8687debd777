package interleave.engine.tracing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every thread's stack of a process (and its children) that is about to be stopped because it ran past its time
 * limit, often because it is deadlocked: with gdb when it is installed ({@code thread apply all bt}), else the
 * kernel's view from /proc (each thread's state and wait channel). Written to {@code stacks-<pid>.txt} in the run
 * directory, where the report shows it beside the deadlock findings.
 */
public final class StackCapture {
    /** gdb gets this long per process; a stuck ptrace must not make the stop hang. */
    static final long GDB_SECONDS = 15;

    private StackCapture() {
    }

    public static void captureTree(ProcessHandle root, Path runDir) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().limit(32).forEach(all::add);
        for (ProcessHandle p : all) {
            if (p.isAlive() && !isZombie(p.pid())) {
                capture(p.pid(), runDir);
            }
        }
    }

    /** A zombie has no stacks left to show (its exit is already in the trace). */
    private static boolean isZombie(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    }

    static void capture(long pid, Path runDir) {
        String text = gdb(pid);
        if (text == null) {
            text = proc(pid);
        }
        try {
            Files.writeString(runDir.resolve("stacks-" + pid + ".txt"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the stacks are extra evidence; the run itself is unaffected
        }
    }

    private static String gdb(long pid) {
        try {
            Process g = new ProcessBuilder("gdb", "-nx", "-batch", "-p", Long.toString(pid), "-ex",
                    "set pagination off", "-ex", "thread apply all bt").redirectErrorStream(true).start();
            g.getOutputStream().close();
            byte[] out = g.getInputStream().readAllBytes();
            if (!g.waitFor(GDB_SECONDS, TimeUnit.SECONDS)) {
                g.destroyForcibly();
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8);
            return g.exitValue() == 0 && text.contains("Thread ") ? "# stacks of pid " + pid
                    + " at the time limit (gdb: thread apply all bt)\n" + keepBacktraces(text) : null;
        } catch (IOException e) {
            return null; // no gdb here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** gdb's attach chatter (symbol loading, warnings) is dropped; the thread headers and frames are kept. */
    private static String keepBacktraces(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("Thread ") || line.startsWith("#") || line.isBlank()) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static String proc(long pid) {
        StringBuilder sb = new StringBuilder("# threads of pid " + pid
                + " at the time limit (/proc: state and kernel wait channel; install gdb for user stacks)\n");
        Path task = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> tids = Files.list(task)) {
            for (Path t : tids.sorted().toList()) {
                String stat = read(t.resolve("stat"));
                String wchan = read(t.resolve("wchan"));
                String comm = read(t.resolve("comm")).strip();
                String state = stat.isEmpty() ? "?" : stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
                sb.append("thread ").append(t.getFileName()).append(" (").append(comm).append("): state ")
                        .append(state).append(", waiting in ").append(wchan.isEmpty() ? "-" : wchan.strip())
                        .append('\n');
            }
        } catch (IOException e) {
            sb.append("(the process was gone)\n");
        }
        return sb.toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
