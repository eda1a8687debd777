package interleave.engine.experiments;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.tracing.TracedLaunch;

/** The processes one experiment started: waited for with a limit and a cancel check, and all stopped by their pid. */
final class Processes implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final List<Process> started = new ArrayList<>();
    private final ExperimentProgress progress;

    Processes(ExperimentProgress progress) {
        this.progress = progress;
    }

    Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        started.add(p);
        progress.started(p);
        return p;
    }

    /** Waits until the process ends, the limit passes or the caller cancels; false when it is still running. */
    boolean waitFor(Process p, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
            if (progress.cancelled() || System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    /** Reads a server's merged output in the background and completes with the port of its "listening on" line. */
    static CompletableFuture<Integer> listeningPort(Process server, StringBuilder output) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        if (output.length() < 16 * 1024) {
                            output.append(line).append('\n');
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the server went away; what it printed is kept
            } finally {
                port.completeExceptionally(new IOException("the server's output ended"));
            }
        }, "interleave-experiment-output");
        reader.setDaemon(true);
        reader.start();
        return port;
    }

    /** Stops one process and its children by pid (SIGTERM, SIGKILL two seconds later). */
    static void stop(Process p) {
        TracedLaunch.stopTree(p.toHandle());
    }

    /** Every process started here that is still running, last started first (clients before their server). */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stop(started.get(i));
        }
    }
}
