package interleave.ui.launch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import interleave.engine.tracing.TracedLaunch;

/**
 * Every process Interleave started from Eclipse that may still run (traced programs, load clients). Closing the
 * Concurrency Timeline view or Eclipse itself stops them all, with their children: nothing is left behind.
 */
public final class TracedRuns {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private TracedRuns() {
    }

    public static void started(Process p) {
        hook();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
    }

    /** Processes started and not yet ended, for tests and the view. */
    public static Set<Process> live() {
        return Set.copyOf(LIVE);
    }

    /** Stops every process Interleave started (SIGTERM, SIGKILL after two seconds), children first listed. */
    public static void stopAll() {
        for (Process p : Set.copyOf(LIVE)) {
            TracedLaunch.stopTree(p.toHandle());
        }
    }

    private static synchronized void hook() {
        if (!hooked) {
            hooked = true;
            // the workbench closing (or the JVM being told to stop) must not leave traced servers running
            Runtime.getRuntime().addShutdownHook(new Thread(TracedRuns::stopAll, "interleave-stop-traced-runs"));
        }
    }
}
