package interleave.engine.rules.concurrency;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.analysis.ProgramModel;
import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * Two locks taken in opposite orders by code that can run in two threads at once: one thread holds A and waits for
 * B while the other holds B and waits for A. One finding per pair of locks, with both acquisition paths. Written once
 * over the neutral facts ({@link ProgramModel#concurrency()}), so it runs on every language's programs.
 */
@RuleInfo(id = LockOrderInversion.ID, title = "Locks taken in opposite orders",
        summary = "Two threads take the same two locks in opposite orders; if each gets its first lock before the"
                + " other gets its second, both wait forever (deadlock).",
        severity = Severity.ERROR,
        concept = "Deadlock: improper resource allocation prevents forward progress; acquire locks in one global order",
        references = {
                "CERT POS51-C|https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order",
                "CERT CON35-C|https://wiki.sei.cmu.edu/confluence/display/c/CON35-C.+Avoid+deadlock+by+locking+in+a+predefined+order",
                "pthread_mutex_lock(3p)" },
        language = Language.ANY)
public final class LockOrderInversion implements Rule<ProgramModel> {
    public static final String ID = "lock-order-inversion";

    /** "Holding outer, took inner": one edge of the lock-order graph, as reached from one entry point. */
    private record Edge(LockRef outer, LockRef inner, LockAcquisition acquisition, SourceRange outerSite) {
        EntryPoint entry() {
            return acquisition.entry();
        }
    }

    @Override
    public Class<ProgramModel> model() {
        return ProgramModel.class;
    }

    @Override
    public void check(ProgramModel program, RuleContext context) {
        Map<String, List<Edge>> edges = new LinkedHashMap<>();
        for (LockAcquisition a : program.concurrency().acquisitions()) {
            if (a.tryLock() || !a.lock().programWide()) {
                continue; // a trylock never waits; a lock we cannot name pairs with nothing
            }
            a.held().forEach((outer, site) -> {
                if (outer.programWide() && !outer.equals(a.lock())) {
                    edges.computeIfAbsent(outer.key() + "\u0000" + a.lock().key(), k -> new ArrayList<>())
                            .add(new Edge(outer, a.lock(), a, site));
                }
            });
        }
        Set<String> reported = new HashSet<>();
        for (List<Edge> forward : edges.values()) {
            Edge first = forward.get(0);
            String pair = first.outer().key().compareTo(first.inner().key()) < 0
                    ? first.outer().key() + "\u0000" + first.inner().key()
                    : first.inner().key() + "\u0000" + first.outer().key();
            if (reported.contains(pair)) {
                continue;
            }
            List<Edge> backward = edges.get(first.inner().key() + "\u0000" + first.outer().key());
            if (backward == null) {
                continue;
            }
            Edge[] found = inversion(forward, backward);
            if (found != null) {
                reported.add(pair);
                context.report(finding(found[0], found[1]));
            }
        }
    }

    /** A forward and a backward edge that two threads can run at once, with no third lock held by both. */
    private static Edge[] inversion(List<Edge> forward, List<Edge> backward) {
        for (Edge f : forward) {
            for (Edge b : backward) {
                if (!f.entry().concurrentWith(b.entry()) || gated(f, b)) {
                    continue;
                }
                if (f.acquisition().mode() == LockAcquisition.Mode.READ
                        && b.acquisition().mode() == LockAcquisition.Mode.READ) {
                    continue; // readers of a read-write lock do not wait for each other
                }
                // the one reported first is the later one in the source: usually the code that broke the order
                return later(f, b) ? new Edge[] {f, b} : new Edge[] {b, f};
            }
        }
        return null;
    }

    /** A common lock held around both: only one of the two can be between its first and second lock. */
    private static boolean gated(Edge f, Edge b) {
        for (LockRef g : f.acquisition().held().keySet()) {
            if (!g.equals(f.outer()) && !g.equals(f.inner()) && g.programWide()
                    && b.acquisition().held().containsKey(g)) {
                return true;
            }
        }
        return false;
    }

    private static boolean later(Edge x, Edge y) {
        Comparator<SourceRange> order = Comparator.comparing(SourceRange::file)
                .thenComparingInt(SourceRange::startOffset);
        return order.compare(x.outerSite(), y.outerSite()) > 0;
    }

    private Finding finding(Edge e, Edge other) {
        String a = e.outer().display(), b = e.inner().display();
        String t1 = Entries.who(e.entry()), t2 = Entries.who(other.entry());
        String message = t1 + " takes " + a + " and then " + b + via(e) + ", while " + t2 + " takes " + b
                + " and then " + a + via(other) + ". If each thread gets its first lock before the other gets its"
                + " second, both wait forever (deadlock). Take the two locks in one global order everywhere.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(e.outerSite(), t1 + " takes " + a + " here"));
        notes.add(new RelatedLocation(innerSite(e), "... then waits for " + b + " here while holding " + a
                + chain(e)));
        notes.add(new RelatedLocation(other.outerSite(), t2 + " takes " + b + " here"));
        notes.add(new RelatedLocation(innerSite(other), "... then waits for " + a + " here while holding "
                + b + chain(other)));
        String anchor = e.entry().name() + "|" + other.entry().name() + "|" + a + "|" + b;
        return Finding.of(ID, Severity.ERROR, message, e.outerSite(), notes, List.of(), anchor);
    }

    /**
     * Where the second lock is taken, as seen from the function that took the first: the call on the path that
     * leaves that function (into the helper that takes the second lock), or the acquisition itself.
     */
    private static SourceRange innerSite(Edge e) {
        List<CallStep> chain = e.acquisition().chain();
        for (int i = chain.size() - 1; i >= 0; i--) {
            SourceRange caller = chain.get(i).callerExtent();
            if (caller != null && contains(caller, e.outerSite())) {
                return chain.get(i).site();
            }
        }
        return e.acquisition().site();
    }

    private static boolean contains(SourceRange outer, SourceRange inner) {
        return outer.file().equals(inner.file()) && outer.startOffset() <= inner.startOffset()
                && inner.endOffset() <= outer.endOffset();
    }

    private static String via(Edge e) {
        List<CallStep> chain = e.acquisition().chain();
        if (chain.isEmpty()) {
            return "";
        }
        String last = chain.get(chain.size() - 1).callee();
        return last == null ? "" : " (through " + last + "())";
    }

    private static String chain(Edge e) {
        List<CallStep> chain = e.acquisition().chain();
        if (chain.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        sb.append(chain.get(0).caller()).append("()");
        for (CallStep c : chain) {
            sb.append(" \u2192 ").append(c.callee()).append("()");
        }
        return sb.append(")").toString();
    }
}
