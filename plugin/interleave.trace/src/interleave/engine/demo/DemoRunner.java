package interleave.engine.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs demo scenarios under the agent. A server is started on port 0, its "listening on 127.0.0.1:PORT" line read
 * from its output, the (untraced) echo client run against it, and the server stopped by its pid with SIGTERM. Every
 * process started here is stopped here, also when something fails.
 */
public final class DemoRunner {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    /** How one scenario went; {@code problem} is empty when it ran as planned. */
    public record ScenarioRun(DemoScenario scenario, Path runDir, int exitStatus, String output, String problem,
            long millis) {
    }

    /** Longer than the zombie detector's "reaped late" threshold (100 ms), so a server that never reaps shows it. */
    static final long IDLE_AFTER_LOAD_MILLIS = 500;

    private final Path samplesBin;
    private final Path agent;
    /** Told of every process started (the Eclipse side records them, so closing Eclipse stops them too). */
    private java.util.function.Consumer<Process> onStart = p -> {
    };

    public DemoRunner(Path samplesBin, Path agent) {
        this.samplesBin = samplesBin;
        this.agent = agent;
    }

    /** Calls {@code listener} with each process this runner starts, right after it started. */
    public DemoRunner onStart(java.util.function.Consumer<Process> listener) {
        this.onStart = listener;
        return this;
    }

    public ScenarioRun run(DemoScenario s, Path runDir) throws IOException, InterruptedException {
        return run(s, runDir, Map.of());
    }

    /** @param extraEnv more environment for the program (the agent's INTERLEAVE_TRACE_WATCH_VARS) */
    public ScenarioRun run(DemoScenario s, Path runDir, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Path program = samplesBin.resolve(s.sample());
        if (!Files.isExecutable(program)) {
            return new ScenarioRun(s, runDir, -1, "", "not built: " + program + " (make -C sample-servers)", 0);
        }
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(s.args());
        if (s.isServer()) {
            command.add("-p");
            command.add("0");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("LD_PRELOAD", agent.toString());
        env.put("INTERLEAVE_TRACE_DIR", runDir.toString());
        if (s.traceStdio()) {
            env.put("INTERLEAVE_TRACE_STDIO", "1");
        }
        env.remove("INTERLEAVE_TRACE_WATCH_VARS");
        env.putAll(extraEnv);
        long start = System.nanoTime();
        Process p = pb.start();
        onStart.accept(p);
        StringBuilder output = new StringBuilder();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(p, output, port), "demo-output-" + s.name());
        reader.setDaemon(true);
        reader.start();
        String problem = "";
        try {
            if (s.isServer()) {
                problem = loadServer(s, p, port);
                stop(p, 3);
            } else if (!p.waitFor(s.timeoutSecs(), TimeUnit.SECONDS)) {
                problem = "still running after " + s.timeoutSecs() + " s; stopped";
                interleave.engine.trace.RunEnd.write(runDir, System.nanoTime(), "timeout", -1);
                interleave.engine.tracing.StackCapture.captureTree(p.toHandle(), runDir);
                stop(p, 2);
            }
        } finally {
            if (p.isAlive()) {
                stop(p, 2);
            }
        }
        p.waitFor();
        reader.join(2000);
        String out;
        synchronized (output) {
            out = output.toString();
        }
        return new ScenarioRun(s, runDir, p.exitValue(), out, problem, (System.nanoTime() - start) / 1_000_000);
    }

    private String loadServer(DemoScenario s, Process server, CompletableFuture<Integer> port)
            throws InterruptedException, IOException {
        int p;
        try {
            p = port.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return server.isAlive() ? "server printed no 'listening on' line within 10 s" : "server exited at once";
        }
        List<String> client = new ArrayList<>();
        client.add(samplesBin.resolve("echo-client").toString());
        client.addAll(s.load().orElseThrow().args(p));
        Process c = new ProcessBuilder(client).redirectErrorStream(true).start();
        onStart.accept(c);
        String clientOut = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!c.waitFor(s.load().get().seconds() + 10L, TimeUnit.SECONDS)) {
            stop(c, 1);
            return "the echo client did not finish";
        }
        // leave the server idle a moment before stopping it: zombies and kept descriptors need time to be late
        Thread.sleep(IDLE_AFTER_LOAD_MILLIS);
        // a buggy server may fail some clients (that is the bug); it is not a demo problem
        return c.exitValue() == 0 || c.exitValue() == 1 ? "" : "echo client: " + clientOut.strip();
    }

    private static void readOutput(Process p, StringBuilder output, CompletableFuture<Integer> port) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (output) {
                    if (output.length() < 64 * 1024) {
                        output.append(line).append('\n');
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // the process went away; what was read is kept
        } finally {
            port.completeExceptionally(new IOException("output ended"));
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceSecs}; children of the server included. */
    private static void stop(Process p, int graceSecs) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(graceSecs, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(2, TimeUnit.SECONDS);
        }
    }
}
