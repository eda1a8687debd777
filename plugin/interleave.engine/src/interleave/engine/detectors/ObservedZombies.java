package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;
import interleave.engine.trace.TraceRun;

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

    private record Child(ProcessImage image, long exitTs, long reapTs, EventRef reap) {
    }

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        for (ProcessImage parent : run.images()) {
            long parentEnd = parent.endTs();
            // a parent stuck in a signal handler cannot reap: children whose time to be reaped came after that are
            // the stuck handler's consequence (its own finding), not a parent that does not wait()
            EventRef stuck = OpenCalls.stuckHandler(parent);
            long stuckTs = stuck != null ? stuck.ts() : Long.MAX_VALUE;
            int afterStuck = 0;
            List<Child> late = new ArrayList<>();
            List<long[]> zombieIntervals = new ArrayList<>();
            int forked = 0;
            for (ProcessImage child : parent.children()) {
                if (child.origin() != ProcessImage.Origin.FORK) {
                    continue;
                }
                forked++;
                ProcessImage last = child;
                while (last.execSuccessor().isPresent()) {
                    last = last.execSuccessor().get();
                }
                long exitTs = last.endTs();
                EventRef reap = reapOf(parent, child.pid(), child.imageStartNs());
                long until = reap != null ? reap.ts() : parentEnd;
                if (until > stuckTs && exitTs + lateNs > stuckTs) {
                    afterStuck++;
                    continue;
                }
                if (until > exitTs) {
                    zombieIntervals.add(new long[] {exitTs, until});
                }
                if (until - exitTs > lateNs) {
                    late.add(new Child(child, exitTs, reap != null ? reap.ts() : -1, reap));
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
            long longest = late.stream().mapToLong(c -> (c.reapTs() < 0 ? parentEnd : c.reapTs()) - c.exitTs())
                    .max().orElse(0);
            Child first = late.get(0);
            ThreadTrace forker = first.image().forkingThread().orElse(parent.mainThread().orElse(null));
            int forkIndex = first.image().forkExitIndex();
            Evidence.Place site = forker != null && forkIndex >= 0
                    ? Evidence.place(model, parent, forker.ra(forkIndex), true)
                    : Evidence.place(model, parent, 0, false);
            List<RelatedLocation> evidence = new ArrayList<>();
            evidence.add(Evidence.related(site, "child " + first.image().pid() + " was forked here"));
            if (first.reap() != null) {
                evidence.add(Evidence.related(
                        Evidence.place(model, parent, first.reap().thread().ra(first.reap().index()), true),
                        "it was reaped here only " + Evidence.ms(first.reapTs() - first.exitTs())
                                + " after it exited"));
            }
            String msg = late.size() + " of " + forked + " children stayed zombies longer than "
                    + Evidence.ms(lateNs) + " (" + never + " never reaped while the parent ran, longest "
                    + Evidence.ms(longest) + "); at the peak " + peak + " zombie" + (peak == 1 ? "" : "s")
                    + " existed at once, " + Evidence.seconds(model.time(peakTs))
                    + " into the run: the parent does not wait() for its children when they exit"
                    + (afterStuck == 0 ? "" : "; " + afterStuck + " more exited after the parent got stuck in its "
                            + signalOf(stuck) + " handler " + Evidence.seconds(model.time(stuckTs))
                            + " into the run and are not counted");
            ThreadTrace where = parent.mainThread().orElse(forker);
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                    Evidence.moment(model, where, peakTs), parent.command()));
        }
    }

    private static String signalOf(EventRef handler) {
        return interleave.engine.trace.RecordType.signalName((int) handler.thread().arg(handler.index(), 0));
    }

    /** The first wait in the parent that returned this child's pid (per-thread indexes: one pass per parent). */
    static EventRef reapOf(ProcessImage parent, int pid, long after) {
        EventRef best = null;
        for (ThreadTrace t : parent.threads()) {
            int i = t.firstAtOrAfter(t.eventsWithArgument(WAIT, EXIT, 2, pid), after);
            if (i >= 0 && (best == null || t.ts(i) < best.ts())) {
                best = new EventRef(t, i);
            }
        }
        return best;
    }
}
