package interleave.engine.rules.concurrency;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.analysis.ProgramModel;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A thread writes a shared variable while another thread (or a second thread running the same code, or main while
 * the threads run) reads or writes it, and the two accesses hold no lock in common. One finding per variable, at the
 * first such write. Written once over the neutral facts; the language's front end offers the fix that makes a counter
 * atomic ({@link interleave.engine.concurrency.ConcurrencyFixes}).
 */
@RuleInfo(id = UnsynchronizedSharedWrite.ID, title = "Unsynchronized write to shared data",
        summary = "A thread writes a global or static variable that another thread also uses, with no lock in common"
                + " and no atomic operation: updates can be lost and readers can see stale values (a data race).",
        severity = Severity.ERROR,
        concept = "Data race: cnt++ is load, add, store; threads interleave those steps (the volatile long cnt"
                + " example); protect shared data with a mutex or semaphore, or make the update atomic",
        references = {
                "CERT CON32-C|https://wiki.sei.cmu.edu/confluence/display/c/CON32-C.+Prevent+data+races+when+accessing+bit-fields+from+multiple+threads",
                "CERT CON43-C|https://wiki.sei.cmu.edu/confluence/display/c/CON43-C.+Do+not+allow+data+races+in+multithreaded+code",
                "CERT POS03-C|https://wiki.sei.cmu.edu/confluence/display/c/POS03-C.+Do+not+use+volatile+as+a+synchronization+primitive",
                "C11 7.17 (stdatomic.h)" },
        language = Language.ANY)
public final class UnsynchronizedSharedWrite implements Rule<ProgramModel> {
    public static final String ID = "unsynchronized-shared-write";

    /**
     * How many calls deep below a thread's start routine (or main's concurrent part) an access may be and still count.
     * The call graph does not see the run-time guards and hand-offs that keep most deep shared code on one thread at
     * a time (redis's I/O threads reach the whole command path on paper); close to the entry point, reachability is
     * what really runs.
     */
    static final String MAX_DEPTH = "max-depth";
    private static final int DEFAULT_MAX_DEPTH = 2;

    @Override
    public Class<ProgramModel> model() {
        return ProgramModel.class;
    }

    @Override
    public void check(ProgramModel program, RuleContext context) {
        int maxDepth = DEFAULT_MAX_DEPTH;
        String depth = context.option(MAX_DEPTH, Integer.toString(DEFAULT_MAX_DEPTH));
        try {
            maxDepth = Integer.parseInt(depth.trim());
            if (maxDepth < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            context.invalidOption(MAX_DEPTH, depth, "a number of calls, 0 or more");
            maxDepth = DEFAULT_MAX_DEPTH;
        }
        final int limit = maxDepth;
        Map<String, List<SharedAccess>> byVariable = new LinkedHashMap<>();
        Set<String> atomicSomewhere = new java.util.HashSet<>();
        for (SharedAccess a : program.concurrency().accesses()) {
            byVariable.computeIfAbsent(a.variable().key(), k -> new ArrayList<>()).add(a);
            if (a.atomic()) {
                atomicSomewhere.add(a.variable().key());
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, List<SharedAccess>> loc : byVariable.entrySet()) {
            if (atomicSomewhere.contains(loc.getKey())) {
                continue; // handled with atomic operations somewhere: its owner treats it as an atomic
            }
            List<SharedAccess> all = loc.getValue().stream()
                    .filter(a -> a.chain().size() <= limit)
                    .sorted(Comparator.comparing((SharedAccess a) -> a.site().file())
                            .thenComparingInt(a -> a.site().startOffset()))
                    .toList();
            Race race = firstRace(all);
            if (race != null) {
                out.add(finding(program, race, all));
            }
        }
        out.forEach(context::report);
    }

    private record Race(SharedAccess write, SharedAccess other) {
    }

    private static Race firstRace(List<SharedAccess> all) {
        for (SharedAccess w : all) {
            if (!w.write() || w.entry().kind() == EntryPoint.Kind.MAIN) {
                continue;
            }
            // prefer another site over the same statement run by a second thread: it says more
            Race same = null;
            for (SharedAccess o : all) {
                // two writers: the lecture's lost update. One writer and readers (flags, statistics read for a
                // report) is a race too, but mostly a deliberate one; left out for precision
                if (!w.entry().concurrentWith(o.entry()) || !o.write() || !disjoint(w.held(), o.held())) {
                    continue;
                }
                if (sameConstantStore(w, o)) {
                    continue; // every writer stores the same constant (a "done" flag): no value can be lost
                }
                if (o.site().equals(w.site())) {
                    same = same == null ? new Race(w, o) : same;
                    continue;
                }
                return new Race(w, o);
            }
            if (same != null) {
                return same;
            }
        }
        return null;
    }

    private static boolean sameConstantStore(SharedAccess a, SharedAccess b) {
        String x = constant(a), y = constant(b);
        return x != null && x.equals(y);
    }

    private static String constant(SharedAccess a) {
        return a.readModifyWrite() || a.expression() == null ? null : a.expression().constant();
    }

    private static boolean disjoint(Set<LockRef> a, Set<LockRef> b) {
        for (LockRef l : a) {
            if (b.contains(l)) {
                return false;
            }
        }
        return true;
    }

    /** The function the access is written in: where the last call of its path goes, or the entry point itself. */
    private static String function(SharedAccess a) {
        return a.chain().isEmpty() ? a.entry().name() : a.chain().get(a.chain().size() - 1).callee();
    }

    private static String text(SharedAccess a) {
        return a.expression() != null ? a.expression().text() : a.variable().display();
    }

    private static SourceRange location(SharedAccess a) {
        return a.expression() != null ? a.expression().range() : a.site();
    }

    private Finding finding(ProgramModel program, Race race, List<SharedAccess> all) {
        SharedAccess w = race.write();
        SharedAccess o = race.other();
        SharedAccess.Variable v = w.variable();
        String name = v.display();
        String where = function(w) + "()";
        String what = text(w).length() <= 40 ? "'" + text(w) + "'" : name;
        StringBuilder msg = new StringBuilder();
        msg.append(what).append(" in ").append(where).append(" writes the shared variable ").append(name)
                .append(held(w.held(), " with no lock held", " holding "));
        boolean sameSite = o.site().equals(w.site());
        if (sameSite) {
            msg.append(", and a second thread running ").append(w.entry().name())
                    .append("() does the same at the same time");
        } else {
            msg.append(", while ").append(who(o.entry())).append(o.write() ? " also writes it" : " reads it")
                    .append(" (line ").append(o.site().startLine()).append(")")
                    .append(o.held().isEmpty() ? "" : " holding only " + names(o.held()));
        }
        msg.append(". ");
        if (w.readModifyWrite()) {
            msg.append(op(w)).append(" is three steps (load, add, store): two threads can load the same value and"
                    + " one update is lost.");
        } else {
            msg.append("Without a common lock the other thread may see the old value, a half-written one, or the"
                    + " writes in another order.");
        }
        boolean java = program.language() == Language.JAVA;
        if (v.volatileDeclared()) {
            // Java's volatile orders and publishes (JLS 17.4.4), C's only keeps loads and stores in memory; neither
            // makes an update atomic
            msg.append(java ? " 'volatile' does not help: it makes each load and store visible to the other threads,"
                    + " but an update made of a load and a store is still two steps another thread can come between."
                    : " 'volatile' does not help: it only makes every load and store go to memory, it does not make"
                    + " them atomic or exclusive.");
        }
        msg.append(" Protect every access with the same mutex, or make the variable atomic.");

        List<RelatedLocation> notes = new ArrayList<>();
        if (v.declaration() != null) {
            notes.add(new RelatedLocation(v.declaration(), v.localTo() != null
                    ? v.declaredName() + " is a static local of " + v.localTo()
                            + "(): one object shared by every thread that calls it"
                    : v.declaredName() + " is declared here" + (v.volatileDeclared()
                            ? (java ? " as volatile, which makes no update atomic"
                                    : " as volatile, which orders nothing and makes no update atomic")
                            : ", shared by every thread")));
        }
        EntryPoint r = w.entry();
        if (r.kind() != EntryPoint.Kind.MAIN && r.start() != null) {
            notes.add(new RelatedLocation(r.start(), Entries.started(r)
                    + (r.multiple() ? " (more than one thread runs it)" : "")));
        }
        if (!w.chain().isEmpty()) {
            notes.add(new RelatedLocation(w.chain().get(0).site(), "the write is reached from "
                    + r.name() + "() through this call"));
        }
        if (!sameSite) {
            notes.add(new RelatedLocation(o.site(), who(o.entry()) + (o.write() ? " writes " : " reads ") + name
                    + " here" + held(o.held(), " with no lock held", " holding ")));
            if (o.entry().kind() != EntryPoint.Kind.MAIN && o.entry().start() != null && !o.entry().equals(r)) {
                notes.add(new RelatedLocation(o.entry().start(), Entries.started(o.entry())));
            }
        }
        List<Fix> fixes = program.concurrencyFixes().atomicCounter(w, all);
        String anchor = function(w) + "|" + v.key().replaceFirst("^.*\\|", "");
        return Finding.of(ID, Severity.ERROR, msg.toString(), location(w), notes, fixes, anchor);
    }

    private static String op(SharedAccess w) {
        return text(w).length() <= 24 ? text(w) : w.variable().display() + "++";
    }

    private static String who(EntryPoint e) {
        return e.kind() == EntryPoint.Kind.MAIN ? "main(), while the threads run," : "the thread running " + e.name() + "()";
    }

    private static String held(Set<LockRef> held, String none, String some) {
        return held.isEmpty() ? none : some + names(held);
    }

    private static String names(Set<LockRef> held) {
        return String.join(", ", held.stream().map(LockRef::display).sorted().toList());
    }
}
