package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.facts.EntryReach.Root;
import interleave.engine.c.facts.LockFacts;
import interleave.engine.c.facts.LockFacts.Acquisition;
import interleave.engine.c.facts.LockId;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * Two locks taken in opposite orders by code that can run in two threads at once: one thread holds A and waits for
 * B while the other holds B and waits for A. One finding per pair of locks, with both acquisition paths.
 */
@RuleInfo(id = LockOrderInversion.ID, title = "Locks taken in opposite orders",
        summary = "Two threads take the same two locks in opposite orders; if each gets its first lock before the"
                + " other gets its second, both wait forever (deadlock).",
        severity = Severity.ERROR,
        concept = "Deadlock: improper resource allocation prevents forward progress; acquire locks in one global order",
        references = {
                "CERT POS51-C|https://wiki.sei.cmu.edu/confluence/display/c/POS51-C.+Avoid+deadlock+with+POSIX+threads+by+locking+in+predefined+order",
                "CERT CON35-C|https://wiki.sei.cmu.edu/confluence/display/c/CON35-C.+Avoid+deadlock+by+locking+in+a+predefined+order",
                "pthread_mutex_lock(3p)" })
public final class LockOrderInversion implements CRule {
    public static final String ID = "lock-order-inversion";

    /** "Holding outer, took inner": one edge of the lock-order graph, as reached from one entry point. */
    private record Edge(LockId outer, LockId inner, Acquisition acquisition, SyntaxNode outerSite) {
        Root root() {
            return acquisition.root();
        }
    }

    @Override
    public void check(CProgram program, RuleContext context) {
        Map<String, List<Edge>> edges = new LinkedHashMap<>();
        for (Acquisition a : LockFacts.of(program).acquisitions()) {
            if (a.trylock() || !a.lock().isProgramWide()) {
                continue; // a trylock never waits; a lock we cannot name pairs with nothing
            }
            a.held().forEach((outer, site) -> {
                if (outer.isProgramWide() && !outer.equals(a.lock())) {
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
                boolean twoThreads = (f.root() != b.root() || f.root().multiple()) && f.root().sameProgram(b.root());
                if (!twoThreads || gated(f, b)) {
                    continue;
                }
                if (f.acquisition().kind() == LockFacts.Kind.READ && b.acquisition().kind() == LockFacts.Kind.READ) {
                    continue; // readers of an rwlock do not wait for each other
                }
                // the one reported first is the later one in the source: usually the code that broke the order
                return later(f, b) ? new Edge[] {f, b} : new Edge[] {b, f};
            }
        }
        return null;
    }

    /** A common lock held around both: only one of the two can be between its first and second lock. */
    private static boolean gated(Edge f, Edge b) {
        for (LockId g : f.acquisition().held().keySet()) {
            if (!g.equals(f.outer()) && !g.equals(f.inner()) && g.isProgramWide()
                    && b.acquisition().held().containsKey(g)) {
                return true;
            }
        }
        return false;
    }

    private static boolean later(Edge x, Edge y) {
        Comparator<SyntaxNode> order = Comparator.comparing((SyntaxNode n) -> n.file().path())
                .thenComparingInt(SyntaxNode::startByte);
        return order.compare(x.outerSite(), y.outerSite()) > 0;
    }

    private Finding finding(Edge e, Edge other) {
        String a = e.outer().display(), b = e.inner().display();
        String t1 = thread(e.root()), t2 = thread(other.root());
        String message = t1 + " takes " + a + " and then " + b + via(e) + ", while " + t2 + " takes " + b
                + " and then " + a + via(other) + ". If each thread gets its first lock before the other gets its"
                + " second, both wait forever (deadlock). Take the two locks in one global order everywhere.";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(e.outerSite().range(), t1 + " takes " + a + " here"));
        notes.add(new RelatedLocation(innerSite(e).range(), "... then waits for " + b + " here while holding " + a
                + chain(e)));
        notes.add(new RelatedLocation(other.outerSite().range(), t2 + " takes " + b + " here"));
        notes.add(new RelatedLocation(innerSite(other).range(), "... then waits for " + a + " here while holding "
                + b + chain(other)));
        String anchor = e.root().name() + "|" + other.root().name() + "|" + a + "|" + b;
        return Finding.of(ID, Severity.ERROR, message, e.outerSite().range(), notes, List.of(), anchor);
    }

    private static String thread(Root r) {
        if (r.isMain()) {
            return "main()";
        }
        return r.multiple() ? "each thread running " + r.name() + "()" : "the thread running " + r.name() + "()";
    }

    /** Where the second lock is taken, as seen from the function that took the first: the call into a helper. */
    private static SyntaxNode innerSite(Edge e) {
        SyntaxNode site = e.acquisition().site();
        SyntaxNode fn = site.ancestor("function_definition");
        if (fn != null && fn.contains(e.outerSite())) {
            return site;
        }
        List<CallSite> chain = e.acquisition().chain();
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (chain.get(i).caller().definition().contains(e.outerSite())) {
                return chain.get(i).call();
            }
        }
        return site;
    }

    private static String via(Edge e) {
        List<CallSite> chain = e.acquisition().chain();
        if (chain.isEmpty()) {
            return "";
        }
        CFunction fn = e.acquisition().chain().get(chain.size() - 1).caller();
        String last = chain.get(chain.size() - 1).calleeName();
        return fn == null || last == null ? "" : " (through " + last + "())";
    }

    private static String chain(Edge e) {
        List<CallSite> chain = e.acquisition().chain();
        if (chain.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        sb.append(chain.get(0).caller().name()).append("()");
        for (CallSite c : chain) {
            sb.append(" \u2192 ").append(c.calleeName()).append("()");
        }
        return sb.append(")").toString();
    }
}
