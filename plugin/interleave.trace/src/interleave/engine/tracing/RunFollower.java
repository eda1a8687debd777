package interleave.engine.tracing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.ModelBuilder;
import interleave.engine.events.Status;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.RunEnd;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.TraceDamage;
import interleave.engine.trace.TraceException;
import interleave.engine.trace.TraceRun;

/**
 * Follows a run directory while the traced program writes it: each {@link #step()} reads what was appended since the
 * last one into the event model (cheap, incremental), and when the model changed, builds the timeline and runs the
 * detectors on the run as it stands. The newest result goes to the listener as a {@link Snapshot}; its findings are
 * provisional while the run is {@link Status#RUNNING} (a thread not joined yet may still be joined) and final once the
 * launcher's end record is there. No UI here: a view polls it from a background job, a test step by step.
 * <p>
 * Work per step follows what is new, not the whole run: the timeline is made from the model this follower grows (one
 * model per run), taking over the lanes of threads that did not change since the last snapshot and extending the
 * others with what they did since (spans that ended are shared between snapshots, a span still running is derived
 * again until it ends); arrows are made from each thread's accepts, closes and signals only. The detectors read the
 * whole run, so they run again only when its lifecycle changed ({@link ExecutionModel#lifecycleVersion()}: forks,
 * exits, waits, creations, joins, accepts, closes, locks, handlers; not plain reads and writes) and at most every
 * {@link #DETECT_PERIOD_MS} ms, or four times as long as they took last with the records they read (at most about a
 * fifth of the time on them however long the run); in between a snapshot carries the findings
 * of the last run of the detectors ({@link Snapshot#findingsVersion()}), provisional as all findings of a running
 * run. The last snapshot runs them on the whole run: its findings are the report's. A build that took {@code c} ns is
 * not started again before {@code 2c} ns have passed (never more than about a third of a core). The event model's
 * version says whether anything changed.
 */
public final class RunFollower {
    /** How often a follower polls by default (ms). */
    public static final long PERIOD_MS = 100;
    /** The detectors run again at most this often while the run goes on (ms). */
    public static final long DETECT_PERIOD_MS = 1000;
    /** Unchanged this long, with none of its processes alive: the run ended without an end record (launcher killed). */
    static final long QUIET_NS = 3_000_000_000L;
    /**
     * After the end record, the run is read until nothing new comes and its processes are gone, at most this long:
     * the launcher writes the record when it asks the program to stop (SIGTERM, SIGKILL 2 s later), and a server's
     * shutdown and its children still write after it.
     */
    private static final long END_WAIT_NS = 3_000_000_000L;

    /**
     * The run as it stood at one step.
     *
     * @param version        the event model's version (grows with every change)
     * @param status         RUNNING while the run can grow; COMPLETED at the last snapshot
     * @param run            the records read when the detectors last ran (they read them; the timeline is newer while
     *                       RUNNING, by at most about {@link #DETECT_PERIOD_MS} ms); null when there are none yet
     * @param timeline       the timeline of the records read so far; null when there are none
     * @param findings       what the detectors observed (provisional while RUNNING)
     * @param findingsVersion the event model's version the findings were made from ({@code version} at the last
     *                       snapshot; older while RUNNING when the detectors were not run again for this one)
     * @param newestEventNs  monotonic time of the newest event read (CLOCK_MONOTONIC, as {@link System#nanoTime()})
     * @param builtNs        monotonic time the snapshot was finished
     * @param buildNanos     how long the timeline and the detectors took
     * @param note           what the user should know besides the run (ended without events, detectors failed), or ""
     */
    public record Snapshot(Path directory, int version, Status status, TraceRun run, TimelineModel timeline,
            List<Finding> findings, int findingsVersion, long eventCount, long newestEventNs, long builtNs,
            long buildNanos, String note) {
        /** Findings may still change: the run goes on. */
        public boolean provisional() {
            return status == Status.RUNNING;
        }

        public boolean hasEvents() {
            return timeline != null;
        }
    }

    /** Gets every snapshot, on the follower's thread; it should hand it on quickly (e.g. keep only the newest). */
    public interface Listener {
        void snapshot(Snapshot s);

        /** Following stopped because the directory cannot be read any more. */
        default void failed(String message) {
        }
    }

    private final Path dir;
    private final AgentTraceSource source;
    private final ModelBuilder builder = new ModelBuilder();
    private final Listener listener;
    private int builtVersion = -1;
    private long nextBuildNs = Long.MIN_VALUE;
    private long lastChangeNs = System.nanoTime();
    private long endSeenNs = Long.MIN_VALUE;
    private boolean done;
    private volatile Snapshot latest;
    private Symbolizer symbolizer;
    /** The last run of the detectors: the records it read, what it found, on which version, and when to run again. */
    private TraceRun detectedRun;
    private List<Finding> detected = List.of();
    private String detectedNote = "";
    private int detectedVersion = -1, detectedLifecycle = -1;
    private long detectedOrigin, nextDetectNs = Long.MIN_VALUE;

    /** Starts following a run directory; it must exist, it may still be empty. */
    public RunFollower(Path runDir, Listener listener) throws TraceException {
        this.dir = runDir;
        this.source = AgentTraceSource.follow(runDir);
        this.listener = listener;
    }

    public Path directory() {
        return dir;
    }

    /** The last snapshot handed out, or null. */
    public Snapshot latest() {
        return latest;
    }

    /** The last snapshot is out: the run completed (or following failed). */
    public synchronized boolean done() {
        return done;
    }

    /**
     * Polls every {@code periodMs} until the run completes, following fails, or {@code cancelled} says stop (checked
     * between steps and during the wait). For a job or a thread of the caller's.
     */
    public void run(long periodMs, BooleanSupplier cancelled) {
        while (!cancelled.getAsBoolean() && !done()) {
            try {
                step();
            } catch (TraceException e) {
                synchronized (this) {
                    done = true;
                }
                listener.failed(e.getMessage());
                return;
            }
            for (long slept = 0; slept < periodMs && !cancelled.getAsBoolean() && !done(); slept += 20) {
                try {
                    Thread.sleep(Math.min(20, periodMs - slept));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * One poll: reads what is new and, if the model changed (and the last build is not too recent), hands out a new
     * snapshot. Returns it, or null when there was nothing to show.
     */
    public synchronized Snapshot step() throws TraceException {
        if (done) {
            return null;
        }
        long now = System.nanoTime();
        boolean grew = source.refresh(builder);
        if (grew) {
            lastChangeNs = now;
        }
        ExecutionModel m = builder.model();
        Status status = m.status();
        String note = "";
        if (status == Status.COMPLETED) {
            if (endSeenNs == Long.MIN_VALUE) {
                endSeenNs = now;
            }
            boolean settled = !grew && RunEnd.read(dir).isPresent() && noneAlive(m);
            if (!settled && now - endSeenNs < END_WAIT_NS) {
                // still being written (or the end record itself): the last snapshot waits for the rest
                return null;
            }
        } else if (now - lastChangeNs > QUIET_NS && !m.processes().isEmpty() && noneAlive(m)) {
            status = Status.COMPLETED;
            note = "The run has no end record and none of its processes is alive: it was stopped without its"
                    + " launcher (killed?); shown as it was left.";
        }
        boolean last = status == Status.COMPLETED;
        // a change of the lifecycle the detectors have not seen yet is shown once they may run again, even when
        // nothing new came since (a server gone quiet)
        boolean detectDue = detectedRun != null && m.lifecycleVersion() != detectedLifecycle && now >= nextDetectNs;
        if (!last && (m.version() == builtVersion && !detectDue || m.threads().isEmpty() || now < nextBuildNs)) {
            return null;
        }
        long t = System.nanoTime();
        Snapshot s;
        if (m.threads().isEmpty()) {
            s = new Snapshot(dir, m.version(), status, null, null, List.of(), m.version(), 0, 0, System.nanoTime(), 0,
                    noEvents());
        } else {
            // the detectors (and the records they read, assembled again from every file) only when the lifecycle
            // changed and not too often; always for the last snapshot
            boolean detect = last || detectedRun == null || m.startNs() != detectedOrigin
                    || m.lifecycleVersion() != detectedLifecycle && now >= nextDetectNs;
            long assembling = System.nanoTime();
            TraceRun run = detect ? source.runSoFar() : detectedRun;
            assembling = System.nanoTime() - assembling;
            if (symbolizer == null) {
                symbolizer = Symbolizer.forRun(run); // one for the whole run: addr2line once per address
            }
            // the timeline of the model this follower grows (not a second model derived from the records again):
            // lanes of threads that did not change are taken over, the others extended with what is new
            Snapshot before = latest;
            TimelineModel timeline = TimelineModel.build(m, run, symbolizer, before == null ? null : before.timeline());
            if (detect) {
                long d = System.nanoTime();
                detectedNote = "";
                try {
                    detected = List.copyOf(DetectorRegistry.detectAll(run, timeline));
                } catch (RuntimeException e) {
                    // a run cut in the middle of a record sequence must not hide the timeline
                    detected = List.of();
                    detectedNote = "The detectors failed on the run so far (" + e + "); the timeline is shown"
                            + " without findings.";
                }
                long took = System.nanoTime() - d + assembling; // the records assembled for them, and their run
                detectedRun = run;
                detectedVersion = m.version();
                detectedLifecycle = m.lifecycleVersion();
                detectedOrigin = m.startNs();
                nextDetectNs = System.nanoTime() + Math.max(DETECT_PERIOD_MS * 1_000_000, 4 * took);
            }
            if (!detectedNote.isEmpty()) {
                note = join(note, detectedNote);
            }
            long cost = System.nanoTime() - t;
            s = new Snapshot(dir, m.version(), status, run, timeline, detected, detectedVersion, m.eventCount(),
                    m.endNs(), System.nanoTime(), cost, note);
            nextBuildNs = System.nanoTime() + 2 * cost;
        }
        builtVersion = m.version();
        latest = s;
        if (last) {
            done = true;
        }
        listener.snapshot(s);
        return s;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + " " + b;
    }

    /** What to say of a run that ended without a single event. */
    private String noEvents() {
        Properties p = new Properties();
        try (var r = java.nio.file.Files.newBufferedReader(dir.resolve(RunEnd.FILE))) {
            p.load(r);
        } catch (java.io.IOException | IllegalArgumentException e) {
            // no end record (or not readable): no exit status to tell
        }
        String status = p.getProperty("exit_status", "");
        String how = status.isEmpty() || status.equals("-1") ? "" : " (exit status " + status + ")";
        return "The program ended before recording any event" + how + ": it did not start under the agent. Its"
                + " output says why (the launch's Console, or the terminal it ran in).";
    }

    private static boolean noneAlive(ExecutionModel m) {
        for (ExecProcess p : m.processes()) {
            if (alive(p.pid())) {
                return false;
            }
        }
        return true;
    }

    /** Running, not a zombie waiting to be reaped (it writes nothing more). */
    private static boolean alive(int pid) {
        Path stat = Path.of("/proc", Integer.toString(pid), "stat");
        try {
            String s = java.nio.file.Files.readString(stat);
            int close = s.lastIndexOf(')');
            return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z';
        } catch (java.io.IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !java.nio.file.Files
                    .isDirectory(Path.of("/proc"));
        }
    }

    /** Where the records of a damaged file stop, for the user ("file at byte N: why"). */
    public static List<String> damage(TraceRun run) {
        List<String> out = new ArrayList<>();
        for (TraceDamage d : run.damage()) {
            out.add(d.file() + " at byte " + d.offset() + ": " + d.message());
        }
        return out;
    }

    @Override
    public String toString() {
        Snapshot s = latest;
        return "following " + dir + (s == null ? "" : " at v" + s.version() + " " + s.status());
    }
}
