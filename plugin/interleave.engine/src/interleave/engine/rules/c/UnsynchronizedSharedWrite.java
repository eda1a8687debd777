package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import interleave.engine.c.CProgram;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.EntryReach.Root;
import interleave.engine.c.facts.GlobalVariables;
import interleave.engine.c.facts.LockFacts.HeldAccess;
import interleave.engine.c.facts.LockId;
import interleave.engine.c.facts.SharedAccesses;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * A thread writes a shared variable while another thread (or a second thread running the same code, or main while
 * the threads run) reads or writes it, and the two accesses hold no lock in common. One finding per variable, at the
 * first such write.
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
                "C11 7.17 (stdatomic.h)" })
public final class UnsynchronizedSharedWrite implements CRule {
    public static final String ID = "unsynchronized-shared-write";

    private static final Pattern INTEGER = Pattern.compile(
            "(unsigned |signed )?(char|short|int|long|long long|long int|long long int|short int|unsigned|signed)"
                    + "|size_t|ssize_t|u?int(8|16|32|64)?_t|u?intptr_t|u?int_(least|fast)(8|16|32|64)_t|_Bool|bool");

    /**
     * How many calls deep below a thread's start routine (or main's concurrent part) an access may be and still count.
     * The call graph does not see the run-time guards and hand-offs that keep most deep shared code on one thread at
     * a time (redis's I/O threads reach the whole command path on paper); close to the entry point, reachability is
     * what really runs.
     */
    static final String MAX_DEPTH = "max-depth";
    private static final int DEFAULT_MAX_DEPTH = 2;

    @Override
    public void check(CProgram program, RuleContext context) {
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
        SharedAccesses shared = SharedAccesses.of(program);
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, List<HeldAccess>> loc : shared.byLocation().entrySet()) {
            if (shared.accessedAtomically(loc.getKey())) {
                continue; // handled with atomic builtins somewhere: its owner treats it as an atomic
            }
            List<HeldAccess> all = loc.getValue().stream()
                    .filter(a -> !a.access().atomic() && a.chain().size() <= limit)
                    .sorted(Comparator.comparing((HeldAccess a) -> a.access().node().file().path())
                            .thenComparingInt(a -> a.access().node().startByte()))
                    .toList();
            Race race = firstRace(all);
            if (race != null) {
                out.add(finding(program, race, all));
            }
        }
        out.forEach(context::report);
    }

    private record Race(HeldAccess write, HeldAccess other) {
    }

    private static Race firstRace(List<HeldAccess> all) {
        for (HeldAccess w : all) {
            if (!w.access().write() || w.root().isMain()) {
                continue;
            }
            // prefer another site over the same statement run by a second thread: it says more
            Race same = null;
            for (HeldAccess o : all) {
                boolean twoThreads = (o.root() != w.root() || w.root().multiple()) && w.root().sameProgram(o.root());
                // two writers: the lecture's lost update. One writer and readers (flags, statistics read for a
                // report) is a race too, but mostly a deliberate one; left out for precision
                if (!twoThreads || !o.access().write() || !disjoint(w.held(), o.held())) {
                    continue;
                }
                if (sameConstantStore(w.access(), o.access())) {
                    continue; // every writer stores the same constant (a "done" flag): no value can be lost
                }
                if (o.access().node() == w.access().node()) {
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

    private static boolean sameConstantStore(SharedAccesses.Access a, SharedAccesses.Access b) {
        String x = constantStored(a), y = constantStored(b);
        return x != null && x.equals(y);
    }

    private static String constantStored(SharedAccesses.Access a) {
        SyntaxNode p = a.node().parent();
        if (a.readModifyWrite() || p == null || !p.is("assignment_expression") || p.child("right") == null) {
            return null;
        }
        SyntaxNode r = p.child("right").stripParensAndCasts();
        return r.is("number_literal") || r.is("true") || r.is("false") || r.is("null") || r.text().equals("NULL")
                ? r.text() : null;
    }

    private static boolean disjoint(Set<LockId> a, Set<LockId> b) {
        for (LockId l : a) {
            if (b.contains(l)) {
                return false;
            }
        }
        return true;
    }

    private Finding finding(CProgram program, Race race, List<HeldAccess> all) {
        SharedAccesses.Access w = race.write().access();
        HeldAccess o = race.other();
        String name = w.display();
        String where = w.function().name() + "()";
        String what = w.node().parent().text().length() <= 40 ? "'" + w.node().parent().text() + "'" : name;
        StringBuilder msg = new StringBuilder();
        msg.append(what).append(" in ").append(where).append(" writes the shared variable ").append(name)
                .append(held(race.write().held(), " with no lock held", " holding "));
        boolean sameSite = o.access().node() == w.node();
        if (sameSite) {
            msg.append(", and a second thread running ").append(race.write().root().name())
                    .append("() does the same at the same time");
        } else {
            msg.append(", while ").append(who(o.root())).append(o.access().write() ? " also writes it" : " reads it")
                    .append(" (line ").append(o.access().node().line()).append(")")
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
        if (w.global() != null && w.global().isVolatile()) {
            msg.append(" 'volatile' does not help: it only makes every load and store go to memory, it does not make"
                    + " them atomic or exclusive.");
        }
        msg.append(" Protect every access with the same mutex, or make the variable atomic.");

        List<RelatedLocation> notes = new ArrayList<>();
        if (w.global() != null) {
            SyntaxNode decl = w.global().declarations().get(0);
            notes.add(new RelatedLocation(decl.range(), w.global().name() + " is declared here"
                    + (w.global().isVolatile() ? " as volatile, which orders nothing and makes no update atomic"
                            : ", shared by every thread")));
        }
        else {
            interleave.engine.c.Variable v = Scopes.resolve(w.identifier());
            if (v != null) {
                notes.add(new RelatedLocation(v.declaration().range(), v.name() + " is a static local of "
                        + w.function().name() + "(): one object shared by every thread that calls it"));
            }
        }
        Root r = race.write().root();
        if (!r.starts().isEmpty()) {
            notes.add(new RelatedLocation(r.starts().get(0).call().range(), r.name() + "() is started as a thread here"
                    + (r.multiple() ? " (more than one thread runs it)" : "")));
        }
        if (!race.write().chain().isEmpty()) {
            notes.add(new RelatedLocation(race.write().chain().get(0).call().range(), "the write is reached from "
                    + r.name() + "() through this call"));
        }
        if (!sameSite) {
            notes.add(new RelatedLocation(o.access().node().range(), who(o.root()) + (o.access().write() ? " writes "
                    : " reads ") + name + " here" + held(o.held(), " with no lock held", " holding ")));
            if (!o.root().starts().isEmpty() && o.root() != r) {
                notes.add(new RelatedLocation(o.root().starts().get(0).call().range(), o.root().name()
                        + "() is started as a thread here"));
            }
        }
        List<Fix> fixes = atomicFix(program, w, all);
        String anchor = w.function().name() + "|" + w.key().replaceFirst("^.*\\|", "");
        return Finding.of(ID, Severity.ERROR, msg.toString(), w.node().parent().range(), notes, fixes, anchor);
    }

    private static String op(SharedAccesses.Access w) {
        SyntaxNode p = w.node().parent();
        return p.text().length() <= 24 ? p.text() : w.display() + "++";
    }

    private static String who(Root r) {
        if (r.isMain()) {
            return "main(), while the threads run,";
        }
        return "the thread running " + r.name() + "()";
    }

    private static String held(Set<LockId> held, String none, String some) {
        return held.isEmpty() ? none : some + names(held);
    }

    private static String names(Set<LockId> held) {
        return String.join(", ", held.stream().map(LockId::display).sorted().toList());
    }

    /**
     * {@code _Atomic} on the declaration, when every write is an increment, a compound assignment or a plain store of
     * a value that does not read the variable: then each of them becomes one atomic operation and every read an atomic
     * load, and all other uses ({@code printf("%ld", cnt)}, comparisons) still compile. Not offered when the address
     * is taken (a {@code long *} would no longer match) or a declaration names several variables.
     */
    private static List<Fix> atomicFix(CProgram program, SharedAccesses.Access w, List<HeldAccess> all) {
        GlobalVariables.Global g = w.global();
        if (g == null || !w.key().equals(g.key()) || g.isPointer()) {
            return List.of();
        }
        String bare = g.typeText().replaceAll("\\b(static|extern|volatile|register)\\b", " ").replaceAll("\\s+", " ")
                .trim();
        if (!INTEGER.matcher(bare).matches()) {
            return List.of();
        }
        Set<String> files = new HashSet<>();
        for (SyntaxNode d : g.declarations()) {
            if (Scopes.declaredNames(d).size() != 1) {
                return List.of();
            }
        }
        if (!w.readModifyWrite()) {
            return List.of(); // the issue's fix is for increments; a plain store needs a design decision
        }
        for (SyntaxTree t : program.trees()) {
            String text = t.file().text();
            if (text.contains(g.name()) && (!g.fileStatic() || t.file() == g.declarations().get(0).file())) {
                if (addressTaken(t.root(), g.name()) || !onlySafeWrites(t.root(), g.name())) {
                    return List.of();
                }
            }
        }
        List<TextEdit> edits = new ArrayList<>();
        for (SyntaxNode d : g.declarations()) {
            if (!files.add(d.file().path() + "@" + d.startByte())) {
                continue;
            }
            SyntaxNode vol = null;
            for (SyntaxNode c : d.children()) {
                if (c.is("type_qualifier") && c.text().equals("volatile")) {
                    vol = c;
                }
            }
            if (vol != null) {
                edits.add(new TextEdit(d.file().path(), vol.startChar(), vol.endChar(), "_Atomic"));
            } else if (d.child("type") != null) {
                edits.add(TextEdit.insert(d.file().path(), d.child("type").startChar(), "_Atomic "));
            } else {
                return List.of();
            }
        }
        return List.of(new Fix("Declare " + g.name() + " _Atomic: then " + op(w) + " is one atomic"
                + " read-modify-write and every read an atomic load", edits));
    }

    /** {@code &x} in code (comments aside): a {@code long *} made from it would no longer match an _Atomic long. */
    private static boolean addressTaken(SyntaxNode root, String name) {
        for (SyntaxNode p : root.descendants("pointer_expression")) {
            SyntaxNode op = p.child("operator"), arg = p.child("argument");
            if (op != null && op.text().equals("&") && arg != null && name.equals(Scopes.storedVariable(arg))) {
                return true;
            }
        }
        return false;
    }

    /** No write of the form {@code x = ... x ...} (two separate atomic steps even with _Atomic). */
    private static boolean onlySafeWrites(SyntaxNode root, String name) {
        for (SyntaxNode a : root.descendants("assignment_expression")) {
            SyntaxNode left = a.child("left"), right = a.child("right"), op = a.child("operator");
            if (left == null || right == null || op == null || !op.text().equals("=")
                    || !name.equals(Scopes.storedVariable(left))) {
                continue;
            }
            for (SyntaxNode id : right.descendants("identifier")) {
                if (id.text().equals(name)) {
                    return false;
                }
            }
        }
        return true;
    }
}
