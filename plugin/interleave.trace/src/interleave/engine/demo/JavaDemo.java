package interleave.engine.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java samples in the demo: each runs (without the agent, which traces native code) under a bounded loopback
 * load from the echo client, and what the bug does is measured from outside: the lost-update line the counter
 * server prints, the sockets a server holds in /proc/PID/fd, the clients that failed, the deadlock report.
 */
public final class JavaDemo {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    /** A Java sample: its launcher in bin/java, its source, the client load and what to measure. */
    public record Sample(String name, String source, String bug, String mode, int clients, int requests) {
    }

    public static List<Sample> samples() {
        return List.of(new Sample("echo-thread", "EchoThread.java", "none: a thread per connection", "persistent", 8, 400),
                new Sample("echo-pool", "EchoPool.java", "none: ExecutorService pool", "per-request", 4, 100),
                new Sample("echo-nio", "EchoNio.java", "none: one thread, Selector", "persistent", 8, 400),
                new Sample("echo-shared-holder", "EchoSharedHolder.java", "one holder shared by every thread",
                        "per-request", 8, 400),
                new Sample("echo-pool-counter", "EchoPoolCounter.java", "count++ on a volatile from a pool",
                        "persistent", 8, 100000),
                new Sample("echo-noclose", "EchoNoClose.java", "accepted sockets never closed", "per-request", 4,
                        100),
                new Sample("deadlock", "Deadlock.java", "two monitors taken in opposite orders", "", 0, 0));
    }

    private final Path bin;

    public JavaDemo(Path samplesBin) {
        this.bin = samplesBin;
    }

    /** Runs one sample and returns what was observed, in one line. */
    public String run(Sample s) throws IOException, InterruptedException {
        Path program = bin.resolve("java").resolve(s.name());
        if (!Files.isExecutable(program)) {
            return "not built: " + program + " (make -C sample-servers)";
        }
        if (s.clients() == 0) {
            Process p = new ProcessBuilder(program.toString(), "--timeout", "2").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not end within 20 s";
            }
            return out.lines().filter(l -> l.startsWith("deadlocked:") || l.startsWith("finished:")).findFirst()
                    .orElse("exit " + p.exitValue()) + " (exit " + p.exitValue() + ")";
        }
        Path log = Files.createTempFile("interleave-java-demo", ".out");
        Process server = new ProcessBuilder(program.toString(), "-p", "0").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            int port = -1;
            for (int i = 0; i < 100 && port < 0 && server.isAlive(); i++) {
                Matcher m = LISTENING.matcher(Files.readString(log));
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                } else {
                    Thread.sleep(100);
                }
            }
            if (port < 0) {
                return "the server printed no listening line";
            }
            long before = sockets(server.pid());
            List<String> client = new ArrayList<>(List.of(bin.resolve("echo-client").toString(), "-p",
                    Integer.toString(port), "-m", s.mode(), "-c", Integer.toString(s.clients()), "-n",
                    Integer.toString(s.requests()), "-t", "5", "-s", "8"));
            Process c = new ProcessBuilder(client).redirectErrorStream(true).start();
            String clientOut = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!c.waitFor(20, TimeUnit.SECONDS)) {
                c.destroyForcibly();
            }
            Thread.sleep(200);
            long after = sockets(server.pid());
            server.destroy(); // SIGTERM: the servers stop cleanly and the counter prints its counts
            server.waitFor(5, TimeUnit.SECONDS);
            String result = clientOut.lines().filter(l -> l.startsWith("result:")).findFirst().orElse("no result");
            StringBuilder sb = new StringBuilder(result.replace("result: ", "client "));
            sb.append("; sockets held ").append(before).append(" -> ").append(after);
            Files.readAllLines(log).stream().filter(l -> l.startsWith(s.name() + ": echoed")).findFirst()
                    .ifPresent(l -> sb.append("; ").append(l.substring(s.name().length() + 2)));
            return sb.toString();
        } finally {
            if (server.isAlive()) {
                server.destroyForcibly();
                server.waitFor(2, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    /** Sockets among the descriptors of a process (/proc/PID/fd), -1 when they cannot be read. */
    static long sockets(long pid) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
