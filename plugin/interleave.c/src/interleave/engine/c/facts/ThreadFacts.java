package interleave.engine.c.facts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.ThreadStart;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;

/**
 * Threads of a program and the fate of their handles: every thread creation with its handle ({@code &tid},
 * {@code &tids[i]}, {@code &t->tid}), its attribute and whether that attribute makes the thread detached, whether the
 * creator is long-running (the creation sits in an endless or accept loop, or in a function called from one), and
 * whether the handle is joined, detached by the creator, or the thread detaches itself. Also the functions reachable
 * from thread start routines through the call graph, each with one call chain from a start routine for notes.
 * Wrappers ({@code Pthread_create}, {@code Pthread_detach}, ...) count as the functions they wrap.
 */
public final class ThreadFacts {
    /** Calls that collect a thread's exit status and free its resources. */
    public static final Set<String> JOINS = Set.of("pthread_join", "pthread_timedjoin_np", "pthread_tryjoin_np",
            "thrd_join");
    /** Calls that make a thread release its resources by itself when it ends. */
    public static final Set<String> DETACHES = Set.of("pthread_detach", "thrd_detach");
    private static final Set<String> CREATES = Set.of("pthread_create", "thrd_create");
    private static final Set<String> ACCEPTS = Set.of("accept", "accept4");

    /** What becomes of a thread's resources when it ends, as far as the source shows. */
    public enum Fate {
        /** some {@code pthread_join} (or timed/try join) names the handle */
        JOINED,
        /** the creator calls {@code pthread_detach} on the handle */
        DETACHED_BY_CREATOR,
        /** created with an attribute set to {@code PTHREAD_CREATE_DETACHED} */
        DETACHED_BY_ATTRIBUTE,
        /** the start routine, or a helper it calls, calls {@code pthread_detach} */
        DETACHED_BY_THREAD,
        /** the handle is stored or passed on, or the attribute or creating wrapper is not understood */
        UNKNOWN,
        /** none of the above: the thread stays joinable and nobody joins it */
        NEITHER
    }

    /**
     * One thread creation.
     *
     * @param start         the creation as {@link interleave.engine.c.EntryPoints} found it
     * @param handle        the handle argument ({@code &tid}), null when the creating call is not understood
     * @param handleKey     the name joins and detaches are matched on: the variable ({@code tid}), the array
     *                      ({@code tids}) or the field ({@code tid} of {@code &t->tid}); null when unknown
     * @param handleLocal   the handle is a plain automatic variable of the creator (not an array slot or a field)
     * @param attribute     the attribute argument, null when absent or {@code NULL}
     * @param longRunning   the loop that makes the creator long-running (endless, or calls accept), or null
     * @param loopCaller    when the loop is in a caller of the creator: the call inside that loop, else null
     * @param fate          what becomes of the thread
     * @param fateEvidence  where the fate shows (the join, the detach, the attribute setting), or null
     */
    public record Creation(ThreadStart start, SyntaxNode handle, String handleKey, boolean handleLocal,
            SyntaxNode attribute, SyntaxNode longRunning, CallSite loopCaller, Fate fate, SyntaxNode fateEvidence) {

        public CallSite call() {
            return start.call();
        }

        public CFunction creator() {
            return start.call().caller();
        }

        /** True when the creation sits inside a loop of its own function (one thread per iteration). */
        public boolean inLoop() {
            return !Scopes.enclosingLoops(call().call(), creator().body()).isEmpty();
        }
    }

    /**
     * A function reachable from a thread start routine.
     *
     * @param function the function
     * @param start    the thread creation whose routine reaches it (the first found)
     * @param path     the calls from the start routine to the function, in order; empty for the routine itself
     */
    public record Reach(CFunction function, ThreadStart start, List<CallSite> path) {
        public CFunction routine() {
            return path.isEmpty() ? function : path.get(0).caller();
        }
    }

    private final List<Creation> creations;
    private final Map<CFunction, Reach> reachable;

    private ThreadFacts(List<Creation> creations, Map<CFunction, Reach> reachable) {
        this.creations = List.copyOf(creations);
        this.reachable = Collections.unmodifiableMap(reachable);
    }

    public static ThreadFacts of(CProgram program) {
        return program.facts(ThreadFacts.class, ThreadFacts::derive);
    }

    /** Every thread creation, in source order of the creators. */
    public List<Creation> creations() {
        return creations;
    }

    /** The creations whose start routine is {@code routine}. */
    public List<Creation> creationsOf(CFunction routine) {
        return creations.stream().filter(c -> c.start().routine().contains(routine)).toList();
    }

    /**
     * Every function of the analyzed files that runs on a thread other than main's: the start routines and what they
     * call, directly or through helpers. Each with the shortest chain found from a start routine.
     */
    public Map<CFunction, Reach> reachableFromThreads() {
        return reachable;
    }

    /** How {@code f} is reached from a thread start routine, or null when it is not. */
    public Reach reach(CFunction f) {
        return reachable.get(f);
    }

    private static ThreadFacts derive(CProgram program) {
        Map<CFunction, List<CallSite>> callers = callers(program);
        List<Creation> out = new ArrayList<>();
        for (ThreadStart s : program.entryPoints().threadStarts()) {
            out.add(creation(program, callers, s));
        }
        return new ThreadFacts(out, reach(program));
    }

    private static Map<CFunction, List<CallSite>> callers(CProgram program) {
        Map<CFunction, List<CallSite>> callers = new HashMap<>();
        for (CFunction f : program.functions()) {
            program.callees(f).forEach((site, targets) -> {
                for (CFunction t : targets) {
                    callers.computeIfAbsent(t, k -> new ArrayList<>()).add(site);
                }
            });
        }
        return callers;
    }

    private static Map<CFunction, Reach> reach(CProgram program) {
        Map<CFunction, Reach> out = new LinkedHashMap<>();
        ArrayDeque<Reach> queue = new ArrayDeque<>();
        for (ThreadStart s : program.entryPoints().threadStarts()) {
            for (CFunction r : s.routine()) {
                if (!out.containsKey(r)) {
                    Reach first = new Reach(r, s, List.of());
                    out.put(r, first);
                    queue.add(first);
                }
            }
        }
        // breadth first, so each function keeps its shortest chain
        while (!queue.isEmpty()) {
            Reach r = queue.poll();
            program.callees(r.function()).forEach((site, targets) -> {
                for (CFunction t : targets) {
                    if (!out.containsKey(t)) {
                        List<CallSite> path = new ArrayList<>(r.path());
                        path.add(site);
                        Reach next = new Reach(t, r.start(), List.copyOf(path));
                        out.put(t, next);
                        queue.add(next);
                    }
                }
            });
        }
        return out;
    }

    private static Creation creation(CProgram program, Map<CFunction, List<CallSite>> callers, ThreadStart s) {
        CallSite call = s.call();
        CFunction creator = call.caller();
        // the handle and attribute positions are known for the APIs and their well-known wrappers only
        boolean understood = call.calls(CREATES);
        SyntaxNode handle = understood ? call.argument(0) : null;
        SyntaxNode attribute = understood && "pthread_create".equals(call.function()) ? call.argument(1) : null;
        if (attribute != null && isNull(attribute)) {
            attribute = null;
        }
        SyntaxNode loop = null;
        CallSite loopCaller = null;
        for (SyntaxNode l : Scopes.enclosingLoops(call.call(), creator.body())) {
            if (isLongRunning(program, l)) {
                loop = l;
                break;
            }
        }
        if (loop == null) {
            // a per-connection helper: the creation is not in a loop of its own, but its caller's loop runs it
            for (CallSite site : callersUpTo(callers, creator, 2)) {
                for (SyntaxNode l : Scopes.enclosingLoops(site.call(), site.caller().body())) {
                    if (isLongRunning(program, l)) {
                        loop = l;
                        loopCaller = site;
                        break;
                    }
                }
                if (loop != null) {
                    break;
                }
            }
        }
        String key = null;
        boolean local = false;
        if (handle != null) {
            SyntaxNode h = handle.stripParensAndCasts();
            if (h.is("pointer_expression") && "&".equals(opText(h))) {
                SyntaxNode inner = h.child("argument").stripParensAndCasts();
                key = keyOf(inner);
                if (inner.is("identifier")) {
                    Variable v = Scopes.resolve(inner);
                    local = v != null && v.storage().isAutomatic() && !v.isArray();
                }
            } else {
                key = keyOf(h); // a pointer to the handle: tidp, t->tidp
            }
        }
        Fate fate;
        SyntaxNode evidence = null;
        SyntaxNode attrDetached = attribute == null ? null : detachedAttribute(program, attribute);
        // a local handle can only be joined where it is in scope (or where it is passed, which makes it unknown)
        SyntaxNode join = key == null ? null : local ? callIn(creator, JOINS, key) : findCall(program, JOINS, key);
        SyntaxNode creatorDetach = key == null ? null : detachInCreator(creator, key);
        SyntaxNode threadDetach = threadDetach(program, s);
        if (handle == null) {
            fate = Fate.UNKNOWN;
        } else if (attrDetached != null) {
            fate = Fate.DETACHED_BY_ATTRIBUTE;
            evidence = attrDetached;
        } else if (join != null) {
            fate = Fate.JOINED;
            evidence = join;
        } else if (creatorDetach != null) {
            fate = Fate.DETACHED_BY_CREATOR;
            evidence = creatorDetach;
        } else if (threadDetach != null) {
            fate = Fate.DETACHED_BY_THREAD;
            evidence = threadDetach;
        } else if (key == null || attribute != null && !joinableAttribute(program, attribute)
                || s.routine().isEmpty() || escapes(program, creator, call, key, local)) {
            fate = Fate.UNKNOWN;
        } else {
            fate = Fate.NEITHER;
        }
        return new Creation(s, handle, key, local, attribute, loop, loopCaller, fate, evidence);
    }

    private static List<CallSite> callersUpTo(Map<CFunction, List<CallSite>> callers, CFunction f, int depth) {
        List<CallSite> out = new ArrayList<>();
        List<CFunction> level = List.of(f);
        java.util.Set<CFunction> seen = new java.util.HashSet<>(level);
        for (int d = 0; d < depth; d++) {
            List<CFunction> next = new ArrayList<>();
            for (CFunction g : level) {
                for (CallSite site : callers.getOrDefault(g, List.of())) {
                    out.add(site);
                    if (seen.add(site.caller())) {
                        next.add(site.caller());
                    }
                }
            }
            level = next;
        }
        return out;
    }

    /**
     * A loop that runs for the life of the program: its condition is constant true ({@code for (;;)},
     * {@code while (1)}), or it accepts connections (directly or through a helper of the analyzed code).
     */
    public static boolean isLongRunning(CProgram program, SyntaxNode loop) {
        SyntaxNode cond = loop.child("condition");
        if (loop.is("for_statement") && cond == null) {
            return true;
        }
        if (cond != null) {
            String c = cond.text().replaceAll("[\\s()]", "");
            if (c.equals("1") || c.equals("true") || c.equals("TRUE") || c.equals("!0")) {
                return true;
            }
        }
        for (SyntaxNode call : loop.descendants("call_expression")) {
            CFunction in = program.enclosingFunction(call);
            if (in == null) {
                continue;
            }
            for (CallSite site : in.calls()) {
                if (site.call() == call && callsAccept(program, site, 3, new java.util.HashSet<>())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean callsAccept(CProgram program, CallSite site, int depth, Set<CFunction> seen) {
        if (site.calls(ACCEPTS)) {
            return true;
        }
        if (depth == 0 || site.calleeName() == null) {
            return false;
        }
        for (CFunction t : program.resolve(site.calleeName(), site.caller().file())) {
            if (seen.add(t)) {
                for (CallSite c : t.calls()) {
                    if (callsAccept(program, c, depth - 1, seen)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean isNull(SyntaxNode n) {
        String t = n.stripParensAndCasts().text().trim();
        return t.equals("NULL") || t.equals("0") || t.equals("nullptr");
    }

    private static String opText(SyntaxNode n) {
        SyntaxNode op = n.child("operator");
        return op == null ? null : op.text();
    }

    /** {@code tid} → tid, {@code tids[i]} → tids, {@code t->tid} / {@code t.tid} → tid, {@code *p} → p. */
    static String keyOf(SyntaxNode lvalue) {
        SyntaxNode n = lvalue.stripParensAndCasts();
        while (true) {
            if (n.is("identifier")) {
                return n.text();
            }
            if (n.is("field_expression") && n.child("field") != null) {
                return n.child("field").text();
            }
            if (n.is("subscript_expression") && n.child("argument") != null) {
                n = n.child("argument").stripParensAndCasts();
            } else if (n.is("pointer_expression") && n.child("argument") != null) {
                n = n.child("argument").stripParensAndCasts();
            } else {
                return null;
            }
        }
    }

    /** A join or detach anywhere in the program whose first argument names {@code key}. */
    private static SyntaxNode findCall(CProgram program, Set<String> functions, String key) {
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if (c.calls(functions) && c.argument(0) != null && key.equals(keyOf(c.argument(0)))) {
                    return c.call();
                }
            }
        }
        return null;
    }

    private static SyntaxNode detachInCreator(CFunction creator, String key) {
        return callIn(creator, DETACHES, key);
    }

    private static SyntaxNode callIn(CFunction f, Set<String> functions, String key) {
        for (CallSite c : f.calls()) {
            if (c.calls(functions) && c.argument(0) != null && key.equals(keyOf(c.argument(0)))) {
                return c.call();
            }
        }
        return null;
    }

    /** A {@code pthread_detach} in the start routine or a function it reaches: the thread detaches itself. */
    private static SyntaxNode threadDetach(CProgram program, ThreadStart s) {
        ArrayDeque<CFunction> queue = new ArrayDeque<>(s.routine());
        Set<CFunction> seen = new java.util.HashSet<>(s.routine());
        while (!queue.isEmpty()) {
            CFunction f = queue.poll();
            for (CallSite c : f.calls()) {
                if (c.calls(DETACHES)) {
                    return c.call();
                }
            }
            program.callees(f).values().forEach(ts -> ts.forEach(t -> {
                if (seen.add(t)) {
                    queue.add(t);
                }
            }));
        }
        return null;
    }

    /** {@code pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED)} on the attribute used, anywhere. */
    private static SyntaxNode detachedAttribute(CProgram program, SyntaxNode attribute) {
        String key = attrKey(attribute);
        if (key == null) {
            return null;
        }
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if ("pthread_attr_setdetachstate".equals(c.function()) && c.argument(0) != null
                        && c.argument(1) != null && key.equals(attrKey(c.argument(0)))
                        && c.argument(1).text().contains("DETACHED")) {
                    return c.call();
                }
            }
        }
        return null;
    }

    /**
     * True when the attribute is visibly joinable: it is initialized with {@code pthread_attr_init} in the analyzed
     * code and never set detached. An attribute built where we cannot see it might be detached.
     */
    private static boolean joinableAttribute(CProgram program, SyntaxNode attribute) {
        String key = attrKey(attribute);
        if (key == null) {
            return false;
        }
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if ("pthread_attr_setdetachstate".equals(c.function()) && c.argument(0) != null
                        && key.equals(attrKey(c.argument(0))) && !c.argument(1).text().contains("JOINABLE")) {
                    return false;
                }
            }
        }
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if ("pthread_attr_init".equals(c.function()) && c.argument(0) != null
                        && key.equals(attrKey(c.argument(0)))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String attrKey(SyntaxNode arg) {
        SyntaxNode n = arg.stripParensAndCasts();
        if (n.is("pointer_expression") && "&".equals(opText(n))) {
            n = n.child("argument");
        }
        return keyOf(n);
    }

    /**
     * True when the handle may outlive the creation site somewhere we do not follow: a local handle used in any way
     * besides the creation, a join or a detach (copied into a table, passed to a function, returned); a handle in an
     * array or a field is stored by construction, so only joins and detaches named after it count, and a pointer to
     * the handle passed to the thread or elsewhere makes it unknown.
     */
    private static boolean escapes(CProgram program, CFunction creator, CallSite call, String key, boolean local) {
        if (!local) {
            // tids[i], t->tid: stored where other code may reach it; any other mention of the field or array in
            // a call (cancel, kill, a helper) or any assignment from it means we cannot tell
            for (CFunction f : program.functions()) {
                for (SyntaxNode id : f.body().descendants("field_identifier")) {
                    if (id.text().equals(key) && !call.call().contains(id) && usedAsValue(id)) {
                        return true;
                    }
                }
                for (SyntaxNode id : f.body().descendants("identifier")) {
                    if (id.text().equals(key) && !call.call().contains(id) && usedAsValue(id)) {
                        return true;
                    }
                }
            }
            return false;
        }
        for (SyntaxNode id : creator.body().descendants("identifier")) {
            if (!id.text().equals(key) || call.call().contains(id)) {
                continue;
            }
            SyntaxNode parent = id.parent();
            if (parent != null && (parent.is("init_declarator") || parent.is("declaration")
                    || parent.is("array_declarator") || parent.is("pointer_declarator"))) {
                continue; // its declaration
            }
            return true;
        }
        return false;
    }

    /** An array or field element read in an expression (not the target of a plain store into it). */
    private static boolean usedAsValue(SyntaxNode id) {
        SyntaxNode n = id;
        while (n.parent() != null && (n.parent().is("field_expression") || n.parent().is("subscript_expression")
                || n.parent().is("parenthesized_expression"))) {
            n = n.parent();
        }
        SyntaxNode p = n.parent();
        if (p == null) {
            return false;
        }
        if (p.is("assignment_expression") && n == p.child("left")) {
            return false; // t->tid = 0;
        }
        if (p.is("field_declaration") || p.is("declaration")) {
            return false;
        }
        return true;
    }
}
