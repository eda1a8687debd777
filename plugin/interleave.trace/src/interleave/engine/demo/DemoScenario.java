package interleave.engine.demo;

import java.util.List;
import java.util.Optional;

/**
 * One sample of sample-servers/ run under the tracing agent: the program with its arguments, the source file that
 * holds its one bug (or none), and, for servers, the bounded load the echo client puts on it.
 *
 * @param name        the scenario's name (also its run folder)
 * @param sample      the sample it runs: its binary in sample-servers/bin and its source SAMPLE.c
 * @param args        program arguments; for servers "-p 0" is added
 * @param load        the client load for a server, empty for programs that run by themselves
 * @param traceStdio  also record printf/malloc (to see a handler nested inside them)
 * @param timeoutSecs the run is stopped after this long whatever happens
 * @param bug         what the sample demonstrates, in one line ("none" for the correct servers)
 */
public record DemoScenario(String name, String sample, List<String> args, Optional<ClientLoad> load, boolean traceStdio,
        int timeoutSecs, String bug) {

    /** echo-client options: persistent or per-request, clients, requests, seconds. */
    public record ClientLoad(String mode, int clients, int requests, int seconds) {
        @Override
        public String toString() {
            return "echo-client: " + clients + " clients, " + requests + " requests, " + mode + " connections";
        }

        public List<String> args(int port) {
            return List.of("-p", Integer.toString(port), "-m", mode, "-c", Integer.toString(clients), "-n",
                    Integer.toString(requests), "-t", Integer.toString(seconds));
        }
    }

    public boolean isServer() {
        return load.isPresent();
    }

    static DemoScenario server(String name, String mode, int clients, int requests, String bug) {
        return new DemoScenario(name, name, List.of(), Optional.of(new ClientLoad(mode, clients, requests, 5)), false,
                20, bug);
    }

    static DemoScenario program(String name, List<String> args, boolean stdio, int timeout, String bug) {
        return new DemoScenario(name, name, args, Optional.empty(), stdio, timeout, bug);
    }

    /** The lecture's samples, correct and buggy, with loads small enough for a demo (seconds each). */
    public static List<DemoScenario> lectureSamples() {
        return List.of(
                server("echo-process", "per-request", 4, 40, "none: fork per client, reaps with while/waitpid"),
                server("echo-thread", "persistent", 8, 400, "none: malloc'd argument, detached threads"),
                server("echo-select", "persistent", 8, 400, "none: one thread, select over all clients"),
                server("echo-thread-stackarg", "persistent", 8, 400, "&connfd passed to each thread"),
                server("echo-process-noclose", "per-request", 4, 40, "parent never closes connfd"),
                server("echo-process-noreap", "per-request", 4, 40, "children never reaped (zombies)"),
                server("echo-process-ifreap", "per-request", 8, 200, "SIGCHLD handler reaps with if, not while"),
                server("echo-thread-nodetach", "per-request", 4, 30, "threads neither joined nor detached"),
                program("race", List.of("100"), false, 20, "&i passed to 100 threads"),
                program("badcnt", List.of("200000"), false, 20, "cnt++ from two threads without a lock"),
                program("deadlock", List.of("--timeout", "2"), false, 20, "two locks taken in opposite orders"),
                new DemoScenario("fork-printf-handler", "fork-printf-handler", List.of("300", "--timeout", "3"),
                        Optional.empty(), true, 20, "printf in the SIGCHLD handler (corrupted output)"),
                new DemoScenario("fork-printf-handler-malloc", "fork-printf-handler",
                        List.of("2000", "--malloc", "--timeout", "3"), Optional.empty(), true, 20,
                        "printf and malloc in the SIGCHLD handler (deadlock)"));
    }
}
