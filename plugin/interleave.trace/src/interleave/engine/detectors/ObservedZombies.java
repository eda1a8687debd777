package interleave.engine.detectors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;

/** Children that exited and were reaped late or never: zombies, with how many existed at once. */
@RuleInfo(id = ObservedZombies.ID, title = "Zombie children",
        summary = "Child processes exited but their parent reaped them late or never, so they stayed zombies"
                + " (each holds a pid and a process-table entry).",
        severity = Severity.WARNING, concept = "Reaping zombie children (process-based servers)",
        references = {"wait(2)", "CERT POS36-C"})
public final class ObservedZombies implements DynamicDetector {
    public static final String ID = "observed-zombies";
    private final long lateNs;

    public ObservedZombies() {
        this(Duration.ofMillis(100));
    }

    /** @param lateAfter a child not reaped within this time after its exit counts as a zombie */
    public ObservedZombies(Duration lateAfter) {
        this.lateNs = lateAfter.toNanos();
    }

    /** {@code zombieTs}: when it became a zombie at the earliest ({@link #zombieFrom}). */
    private record Child(ExecProcess image, long exitTs, long zombieTs, long reapTs, Instant reap) {
    }

    /** A wait of the parent, outside signal handlers, that returned with nothing to reap: when, and for which pid. */
    private record EmptyWait(long end, long pid) {
    }

    private static List<EmptyWait> emptyWaits(ExecProcess parent) {
        List<EmptyWait> out = new ArrayList<>();
        for (ExecThread t : parent.threads()) {
            for (Span s : t.spans()) {
                // a SIGCHLD handler's reaping loop also ends on an empty wait, but that is a reaction, not a schedule
                if (s.kind().equals(Kinds.PROCESS_WAIT) && !s.running() && s.result() == 0 && s.err() == 0
                        && s.enclosing(Kinds.SIGNAL_HANDLER) == null) {
                    out.add(new EmptyWait(s.end(), s.subject()));
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(EmptyWait::end));
        return out;
    }

    /**
     * How often the parent looks for exited children when it polls on a schedule of its own (redis checks with
     * waitpid(WNOHANG) from a 100 ms timer): the median time between its empty waits; 0 when it made fewer than
     * three. A child reaped within twice that was reaped when the program chose to look.
     */
    private static long pollingInterval(List<EmptyWait> polls) {
        if (polls.size() < 3) {
            return 0;
        }
        long[] gaps = new long[polls.size() - 1];
        for (int i = 1; i < polls.size(); i++) {
            gaps[i - 1] = polls.get(i).end() - polls.get(i - 1).end();
        }
        java.util.Arrays.sort(gaps);
        return gaps[gaps.length / 2];
    }

    /** When the parent's empty waits for any child (pid -1) ended: each proves no child was a zombie then. */
    private static long[] emptyLooks(List<EmptyWait> waits) {
        return waits.stream().filter(w -> w.pid() == -1).mapToLong(EmptyWait::end).toArray();
    }

    /**
     * When the child became a zombie at the earliest: its exit call, or later if the parent found nothing to reap
     * after it. A child is still tearing down its address space after it calls exit (redis's BGSAVE child: 55 ms on a
     * loaded machine), and only then can the parent see it.
     */
    private static long zombieFrom(long[] emptyLooks, long exitTs, long until) {
        int i = java.util.Arrays.binarySearch(emptyLooks, until);
        i = (i < 0 ? -i - 1 : i) - 1;
        return i >= 0 && emptyLooks[i] > exitTs ? emptyLooks[i] : exitTs;
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess parent : run.processes()) {
            long parentEnd = parent.endTs();
            // a parent stuck in a signal handler cannot reap: children whose time to be reaped came after that are
            // the stuck handler's consequence (its own finding), not a parent that does not wait()
            Span stuck = parent.stuckHandler();
            long stuckTs = stuck != null ? stuck.start() : Long.MAX_VALUE;
            int afterStuck = 0;
            List<EmptyWait> empty = emptyWaits(parent);
            long pollNs = pollingInterval(empty);
            long lateNs = Math.max(this.lateNs, 2 * pollNs);
            long[] emptyLooks = emptyLooks(empty);
            List<Child> late = new ArrayList<>();
            List<long[]> zombieIntervals = new ArrayList<>();
            int forked = 0;
            for (ExecProcess child : parent.children()) {
                if (child.origin() != ExecProcess.Origin.FORK) {
                    continue;
                }
                forked++;
                long exitTs = child.lastImage().endTs();
                Instant reap = parent.reapOf(child.pid(), child.startNs());
                long until = reap != null ? reap.ts() : parentEnd;
                if (until > stuckTs && exitTs + lateNs > stuckTs) {
                    afterStuck++;
                    continue;
                }
                long zombieTs = zombieFrom(emptyLooks, exitTs, until);
                if (until > zombieTs) {
                    zombieIntervals.add(new long[] {zombieTs, until});
                }
                if (until - zombieTs > lateNs) {
                    late.add(new Child(child, exitTs, zombieTs, reap != null ? reap.ts() : -1, reap));
                }
            }
            if (late.isEmpty()) {
                continue;
            }
            // peak: sweep the zombie intervals
            List<long[]> points = new ArrayList<>();
            for (long[] z : zombieIntervals) {
                points.add(new long[] {z[0], 1});
                points.add(new long[] {z[1], -1});
            }
            points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            int now = 0, peak = 0;
            long peakTs = late.get(0).exitTs();
            for (long[] p : points) {
                now += (int) p[1];
                if (now > peak) {
                    peak = now;
                    peakTs = p[0];
                }
            }
            long never = late.stream().filter(c -> c.reap() == null).count();
            long longest = late.stream().mapToLong(c -> (c.reapTs() < 0 ? parentEnd : c.reapTs()) - c.zombieTs())
                    .max().orElse(0);
            Child first = late.get(0);
            ExecThread forker = first.image().forkingThread().orElse(parent.mainThread().orElse(null));
            Span fork = first.image().forkSpan().orElse(null);
            Evidence.Place site = forker != null && fork != null
                    ? Evidence.place(model, parent, fork.endSite(), true)
                    : Evidence.place(model, parent, 0, false);
            List<RelatedLocation> evidence = new ArrayList<>();
            evidence.add(Evidence.related(site, "child " + first.image().pid() + " was forked here"));
            if (first.reap() != null) {
                evidence.add(Evidence.related(Evidence.place(model, parent, first.reap().site(), true),
                        "it was reaped here only " + Evidence.ms(first.reapTs() - first.exitTs())
                                + " after it exited" + (first.zombieTs() > first.exitTs()
                                        ? " (" + Evidence.ms(first.reapTs() - first.zombieTs())
                                                + " after the parent last found no child to reap)"
                                        : "")));
            }
            String msg = late.size() + " of " + forked + " children stayed zombies longer than "
                    + Evidence.ms(lateNs) + (lateNs > this.lateNs ? " (twice the parent's own polling interval of "
                            + Evidence.ms(pollNs) + ")" : "") + " (" + never + " never reaped while the parent ran, longest "
                    + Evidence.ms(longest) + "); at the peak " + peak + " zombie" + (peak == 1 ? "" : "s")
                    + " existed at once, " + Evidence.seconds(model.time(peakTs))
                    + " into the run: the parent does not wait() for its children when they exit"
                    + (afterStuck == 0 ? "" : "; " + afterStuck + " more exited after the parent got stuck in its "
                            + stuck.name() + " handler " + Evidence.seconds(model.time(stuckTs))
                            + " into the run and are not counted");
            ExecThread where = parent.mainThread().orElse(forker);
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                    Evidence.moment(model, where, peakTs), parent.command()));
        }
    }
}
