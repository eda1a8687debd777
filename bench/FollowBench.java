import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import interleave.engine.tracing.RunFollower;

/**
 * Following a run live, measured: starts PROGRAM under the agent writing into DIR, and steps a RunFollower on DIR every
 * 100 ms (as the Timeline view does) until the run is over; prints how many snapshots it made, each step's wall time
 * (read the new records, build the timeline, run the detectors) and the timeline + detectors part. Measures, never
 * asserts. Usage, after an engine build:
 * {@code java -cp "plugin/interleave.core/target/classes:plugin/interleave.trace/target/classes:plugin/interleave.core/lib/*"
 * bench/FollowBench.java DIR agent/build/libinterleave-agent.so PROGRAM [ARGS...]}. Also prints the steps of the first
 * and of the last fifth of the run apart (a cost that grows with the run shows there) and how many snapshots ran the
 * detectors (the others carry their last findings).
 */
public class FollowBench {
    public static void main(String[] a) throws Exception {
        if (a.length < 3) {
            System.err.println("usage: FollowBench DIR AGENT.so PROGRAM [ARGS...]");
            System.exit(2);
        }
        Path dir = Path.of(a[0]);
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder(Arrays.asList(a).subList(2, a.length)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("INTERLEAVE_TRACE_DIR", dir.toString());
        pb.environment().put("LD_PRELOAD", Path.of(a[1]).toAbsolutePath().toString());
        List<Long> steps = new ArrayList<>(), builds = new ArrayList<>(), detecting = new ArrayList<>(),
                timelineOnly = new ArrayList<>();
        int detected = 0;
        RunFollower f = new RunFollower(dir, s -> {
        });
        Process p = pb.start();
        long t0 = System.nanoTime(), events = 0;
        try {
            while (System.nanoTime() - t0 < 120_000_000_000L) {
                long s = System.nanoTime();
                RunFollower.Snapshot snap = f.step();
                long e = System.nanoTime() - s;
                if (snap != null) {
                    steps.add(e);
                    builds.add(snap.buildNanos());
                    events = snap.eventCount();
                    boolean ran = snap.findingsVersion() == snap.version();
                    detected += ran ? 1 : 0;
                    (ran ? detecting : timelineOnly).add(e);
                }
                // over once the program ended and nothing new came (the run has no end record: no launcher here)
                if (!p.isAlive() && (snap == null && !steps.isEmpty() || f.done())) {
                    break;
                }
                Thread.sleep(100);
            }
        } finally {
            p.destroyForcibly();
        }
        if (steps.isEmpty()) {
            System.out.println("no snapshot: the program recorded nothing");
            return;
        }
        int fifth = Math.max(1, steps.size() / 5);
        List<Long> early = new ArrayList<>(steps.subList(0, fifth)),
                late = new ArrayList<>(steps.subList(steps.size() - fifth, steps.size()));
        Collections.sort(early);
        Collections.sort(late);
        System.out.printf("first fifth: step median %.1f ms, p90 %.1f ms; last fifth: step median %.1f ms, p90 %.1f ms;"
                + " detectors ran in %d of %d snapshots%n", early.get(early.size() / 2) / 1e6,
                early.get(early.size() * 9 / 10) / 1e6, late.get(late.size() / 2) / 1e6,
                late.get(late.size() * 9 / 10) / 1e6, detected, steps.size());
        if (!detecting.isEmpty() && !timelineOnly.isEmpty()) {
            Collections.sort(detecting);
            Collections.sort(timelineOnly);
            System.out.printf("steps that ran the detectors: median %.1f ms, max %.1f ms; the others: median %.1f ms,"
                    + " p90 %.1f ms, max %.1f ms%n", detecting.get(detecting.size() / 2) / 1e6,
                    detecting.get(detecting.size() - 1) / 1e6, timelineOnly.get(timelineOnly.size() / 2) / 1e6,
                    timelineOnly.get(timelineOnly.size() * 9 / 10) / 1e6,
                    timelineOnly.get(timelineOnly.size() - 1) / 1e6);
        }
        Collections.sort(steps);
        Collections.sort(builds);
        System.out.printf("snapshots=%d events=%d; step ms: median %.1f, p90 %.1f, max %.1f; timeline + detectors ms:"
                + " median %.1f, max %.1f; %.1f s in all%n", steps.size(), events, steps.get(steps.size() / 2) / 1e6,
                steps.get(steps.size() * 9 / 10) / 1e6, steps.get(steps.size() - 1) / 1e6,
                builds.get(builds.size() / 2) / 1e6, builds.get(builds.size() - 1) / 1e6, (System.nanoTime() - t0) / 1e9);
    }
}
