package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Kinds;
import interleave.engine.events.Memory;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/**
 * The bytes a thread's argument points to were different when the thread started than when it was created: the
 * creator overwrote them in between (the {@code &i} / {@code &connfd} race, observed).
 */
@RuleInfo(id = ObservedArgumentRace.ID, title = "Thread argument changed before the thread read it",
        summary = "The memory passed to pthread_create held a different value when the new thread started than when"
                + " it was created, so the thread worked with another thread's value.",
        severity = Severity.ERROR, concept = "Unintended sharing (passing &i / &connfd to a thread), observed in a run",
        references = {"CERT POS50-C|https://wiki.sei.cmu.edu/confluence/display/c/POS50-C.+Declare+objects+shared+between+POSIX+threads+with+appropriate+storage+durations",
                "pthread_create(3)"})
public final class ObservedArgumentRace implements DynamicDetector {
    public static final String ID = "observed-argument-race";
    /** Compared bytes: an int. Bytes after it are often neighbours that legitimately change (ids[i + 1]). */
    private static final int COMPARED_BYTES = 4;

    /** Where the value a thread is said to have read comes from. */
    enum Source {
        /** the thread's first access to the bytes, caught by a hardware watchpoint: the value it really read */
        WATCHPOINT,
        /** the bytes when the thread started (no watchpoint: heap argument, older agent) */
        START,
        /** the bytes when the thread started, because the watchpoint could not be set */
        START_NO_WATCHPOINT
    }

    private record Created(ExecThread thread, long before, long after, Source source, Instant readAt, long pc) {
        boolean changed() {
            return before != after;
        }
    }

    /**
     * What the thread read, from its watch instants, or null when it never read the bytes itself (it ended without
     * touching them, or its first access was a store). {@code fallback} is the value at thread start.
     */
    private static Created observed(ExecThread t, long before, long fallback, long mask) {
        Source source = Source.START;
        for (Instant i : t.instants()) {
            switch (i.kind()) {
                case Kinds.WATCH_UNAVAILABLE -> source = Source.START_NO_WATCHPOINT;
                case Kinds.WATCH_READ -> {
                    int valid = Math.min(i.memory().bytes(), COMPARED_BYTES);
                    if (valid <= 0) {
                        continue;
                    }
                    long m = mask & (valid >= 8 ? -1L : (1L << (8 * valid)) - 1);
                    return new Created(t, before & m, i.memory().value() & m, Source.WATCHPOINT, i, i.site());
                }
                case Kinds.WATCH_WRITTEN, Kinds.WATCH_NOT_ACCESSED -> {
                    return null;
                }
                default -> {
                    // armed (and nothing more: still running at the end), or accessed by an instruction the agent
                    // could not decode: the value at start is all there is
                }
            }
        }
        return new Created(t, before, fallback, source, null, 0);
    }

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        for (ExecProcess img : run.processes()) {
            Map<Long, List<Created>> bySite = new LinkedHashMap<>();
            for (ExecThread t : img.threads()) {
                Span create = t.createSpan().orElse(null);
                Instant start = t.start().orElse(null);
                if (t.creator().isEmpty() || create == null || start == null || start.ts() != t.firstTs()
                        || create.memory().isEmpty() || start.memory() == null) {
                    continue;
                }
                Memory atCreate = create.memory().get(), atStart = start.memory();
                int valid = Math.min(Math.min(atCreate.bytes(), atStart.bytes()), COMPARED_BYTES);
                if (valid <= 0 || atCreate.address() == 0) {
                    continue; // NULL or unreadable argument: nothing shared to compare
                }
                long mask = valid >= 8 ? -1L : (1L << (8 * valid)) - 1;
                long before = atCreate.value() & mask;
                if (atStart.bytes() >= 8 && atStart.value() == t.handle()) {
                    // pthread_create itself stored the new thread's handle into *arg, as in
                    // pthread_create(&arg->tid, NULL, fn, arg) (memcached's workers): not the creator's doing
                    before = atStart.value() & mask;
                }
                Created cr = observed(t, before, atStart.value() & mask, mask);
                if (cr == null) {
                    continue; // the thread never read the creator's value
                }
                bySite.computeIfAbsent(create.site(), k -> new ArrayList<>()).add(cr);
            }
            for (Map.Entry<Long, List<Created>> e : bySite.entrySet()) {
                List<Created> threads = e.getValue();
                List<Created> changed = threads.stream().filter(Created::changed).toList();
                if (changed.isEmpty()) {
                    continue;
                }
                TreeMap<Long, Integer> seen = new TreeMap<>();
                for (Created cr : threads) {
                    seen.merge((long) (int) cr.after(), 1, Integer::sum);
                }
                Created first = changed.get(0);
                Evidence.Place site = Evidence.place(model, img, e.getKey(), true);
                Evidence.Place routine = Evidence.place(model, img, first.thread().startRoutine(), false);
                List<RelatedLocation> evidence = new ArrayList<>();
                evidence.add(Evidence.related(routine, "the thread's start routine reads the argument"));
                if (first.source() == Source.WATCHPOINT && first.pc() != 0) {
                    evidence.add(Evidence.related(Evidence.place(model, img, first.pc(), false),
                            "thread " + first.thread().tid() + " read " + (int) first.after() + " here (it was created"
                                    + " with " + (int) first.before() + ")"));
                }
                evidence.add(Evidence.related(site, "thread " + first.thread().tid() + " was created with value "
                        + (int) first.before() + " and read " + (int) first.after()
                        + (first.source() == Source.WATCHPOINT ? " at its first access" : " when it started")));
                String msg = changed.size() + " of " + threads.size() + " threads created here saw a changed"
                        + " argument: the creator overwrote the memory *arg points to before the thread read it"
                        + " (values seen by the threads: " + Evidence.histogram(seen) + "; " + sourceNote(threads)
                        + ")";
                long when = first.readAt() != null ? first.readAt().ts() : first.thread().firstTs();
                sink.accept(Evidence.finding(ID, Severity.ERROR, msg, site, evidence,
                        Evidence.moment(model, first.thread(), when), img.command()));
            }
        }
    }

    /** Says where the values come from, so the report never passes start values off as what the threads read. */
    static String sourceNote(List<Created> threads) {
        long watched = threads.stream().filter(c -> c.source() == Source.WATCHPOINT).count();
        long unavailable = threads.stream().filter(c -> c.source() == Source.START_NO_WATCHPOINT).count();
        if (watched == threads.size()) {
            return "each the value the thread read at its first access, caught by a hardware watchpoint";
        }
        if (unavailable > 0 && watched == 0) {
            return "values at thread start (watchpoints unavailable)";
        }
        if (watched == 0) {
            return "values at thread start";
        }
        return watched + " read at the thread's first access (hardware watchpoint), " + (threads.size() - watched)
                + " at thread start" + (unavailable > 0 ? " (watchpoints unavailable)" : "");
    }
}
