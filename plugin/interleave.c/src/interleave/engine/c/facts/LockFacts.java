package interleave.engine.c.facts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;
import interleave.engine.c.Wrappers;
import interleave.engine.c.facts.EntryReach.Root;

/**
 * Lock and unlock sites, and the locks held at every call, acquisition and shared-variable access, along every path
 * from an entry point ({@link EntryReach}).
 *
 * <p>
 * Each function is walked once in statement order with a "must hold" set: branches are merged by intersection, paths
 * that leave (return, break, goto, exit) do not merge, an unlock releases, and a call to a function of the analyzed
 * code applies that function's summary (the locks it returns holding, the locks it may release), so a helper such as
 * {@code lock(&m1)} counts as taking m1. Locks named by a parameter stay symbolic and are resolved to the caller's
 * argument. Then held sets are pushed down the call graph from every entry point, so a callee called with L held runs
 * with L held. {@code trylock} counts on its success branch only when its result is tested in an {@code if}.
 */
public final class LockFacts {

    /** What a call does to a lock. */
    public enum Op {
        ACQUIRE, TRY, RELEASE
    }

    /** The kind of lock: readers of an rwlock do not exclude each other. */
    public enum Kind {
        MUTEX, READ, WRITE, SPIN, SEMAPHORE
    }

    record Operation(Op op, Kind kind) {
    }

    private static final Map<String, Operation> OPERATIONS = new HashMap<>();

    static {
        put(Op.ACQUIRE, Kind.MUTEX, "pthread_mutex_lock", "pthread_mutex_timedlock", "mtx_lock", "mtx_timedlock");
        put(Op.TRY, Kind.MUTEX, "pthread_mutex_trylock", "mtx_trylock");
        put(Op.RELEASE, Kind.MUTEX, "pthread_mutex_unlock", "mtx_unlock");
        put(Op.ACQUIRE, Kind.READ, "pthread_rwlock_rdlock", "pthread_rwlock_timedrdlock");
        put(Op.ACQUIRE, Kind.WRITE, "pthread_rwlock_wrlock", "pthread_rwlock_timedwrlock");
        put(Op.TRY, Kind.READ, "pthread_rwlock_tryrdlock");
        put(Op.TRY, Kind.WRITE, "pthread_rwlock_trywrlock");
        put(Op.RELEASE, Kind.WRITE, "pthread_rwlock_unlock");
        put(Op.ACQUIRE, Kind.SPIN, "pthread_spin_lock");
        put(Op.TRY, Kind.SPIN, "pthread_spin_trylock");
        put(Op.RELEASE, Kind.SPIN, "pthread_spin_unlock");
        put(Op.ACQUIRE, Kind.SEMAPHORE, "sem_wait", "sem_timedwait");
        put(Op.TRY, Kind.SEMAPHORE, "sem_trywait");
        put(Op.RELEASE, Kind.SEMAPHORE, "sem_post");
    }

    private static void put(Op op, Kind kind, String... names) {
        for (String n : names) {
            OPERATIONS.put(n, new Operation(op, kind));
        }
    }

    /** Names of a program's own lock functions: {@code ngx_spinlock}, {@code ngx_shmtx_unlock}, {@code STATS_LOCK}. */
    private static final Pattern OWN_LOCK = Pattern.compile(
            "(\\w*_)?((?i:(?:un|try)?(?:spin_?)?lock))");

    /** Lock-named functions that set a lock up rather than take it ({@code _init_init_lock}, {@code lock_destroy}). */
    private static final Pattern NOT_AN_ACQUIRE = Pattern.compile("(?i)init|destroy|create|attr|free|alloc");

    /** Calls after which the function does not go on. */
    private static final Set<String> NO_RETURN = Set.of("exit", "_exit", "_Exit", "abort", "pthread_exit",
            "thrd_exit", "longjmp", "siglongjmp", "err", "errx", "verr", "verrx", "__assert_fail", "quick_exit");

    /** The operation a library function performs on a lock (wrappers unwrapped), or null. */
    static Operation operation(String function) {
        return function == null ? null : OPERATIONS.get(Wrappers.unwrap(function));
    }

    /** One lock taken: where, which, and what was held at that moment on the way from an entry point. */
    public record Acquisition(Root root, LockId lock, Kind kind, boolean trylock, SyntaxNode site,
            Map<LockId, SyntaxNode> held, List<CallSite> chain) {
    }

    /** One read or write of a shared variable with the locks held, on the way from an entry point. */
    public record HeldAccess(Root root, SharedAccesses.Access access, Set<LockId> held, List<CallSite> chain) {
    }

    // ---- the per-function walk, symbolic in the function's parameters ----

    private record Held(Map<LockId, SyntaxNode> held, Set<LockId> released) {
        Held copy() {
            return new Held(new LinkedHashMap<>(held), new LinkedHashSet<>(released));
        }

        static Held empty() {
            return new Held(new LinkedHashMap<>(), new LinkedHashSet<>());
        }

        static Held meet(Held a, Held b) {
            if (a == null) {
                return b == null ? null : b.copy();
            }
            if (b == null) {
                return a.copy();
            }
            Map<LockId, SyntaxNode> h = new LinkedHashMap<>();
            a.held.forEach((k, v) -> {
                if (b.held.containsKey(k)) {
                    h.put(k, v);
                }
            });
            Set<LockId> r = new LinkedHashSet<>(a.released);
            r.addAll(b.released);
            return new Held(h, r);
        }
    }

    private record CallEvent(CallSite call, Held state, List<LockId> arguments) {
    }

    private record AcquireEvent(LockId lock, Kind kind, boolean trylock, SyntaxNode site, Held state) {
    }

    private record AccessEvent(SharedAccesses.Access access, Held state) {
    }

    /** What a function does, walked once. */
    private static final class Walk {
        final List<CallEvent> calls = new ArrayList<>();
        final List<AcquireEvent> acquires = new ArrayList<>();
        final List<AccessEvent> accesses = new ArrayList<>();
        Map<LockId, SyntaxNode> exitHeld = Map.of();
        Set<LockId> exitReleased = Set.of();
        final Set<Integer> lockParams = new HashSet<>();
    }

    private final CProgram program;
    private final GlobalVariables globals;
    private final Map<CFunction, Walk> walks = new HashMap<>();
    private final Set<CFunction> walking = new HashSet<>();
    private final List<Acquisition> acquisitions = new ArrayList<>();
    private final List<HeldAccess> accesses = new ArrayList<>();
    private boolean truncated;

    /** Contexts (function, held set, lock arguments) explored per entry point before giving up on completeness. */
    private static final int MAX_CONTEXTS_PER_ROOT = 20_000;

    public static LockFacts of(CProgram program) {
        return program.facts(LockFacts.class, LockFacts::new);
    }

    private LockFacts(CProgram program) {
        this.program = program;
        this.globals = GlobalVariables.of(program);
        EntryReach reach = EntryReach.of(program);
        if (!reach.hasThreads()) {
            return; // nothing runs concurrently: no lock order or race to find
        }
        for (Root r : reach.roots()) {
            propagate(r);
        }
    }

    public List<Acquisition> acquisitions() {
        return Collections.unmodifiableList(acquisitions);
    }

    public List<HeldAccess> accesses() {
        return Collections.unmodifiableList(accesses);
    }

    /** True when some entry point reached more contexts than explored: facts are then incomplete, never wrong. */
    public boolean truncated() {
        return truncated;
    }

    // ---- propagation from entry points ----

    private record Context(CFunction function, Map<LockId, SyntaxNode> held, Map<Integer, LockId> binding,
            List<CallSite> chain) {
    }

    private void propagate(Root root) {
        Set<String> seen = new HashSet<>();
        Set<String> seenAccess = new HashSet<>();
        Deque<Context> work = new ArrayDeque<>();
        work.add(new Context(root.function(), Map.of(), Map.of(), List.of()));
        while (!work.isEmpty()) {
            Context c = work.poll();
            String key = c.function().file().path() + "#" + c.function().name() + "#" + c.held().keySet() + "#"
                    + c.binding();
            if (!seen.add(key)) {
                continue;
            }
            if (seen.size() > MAX_CONTEXTS_PER_ROOT) {
                truncated = true;
                break;
            }
            Walk w = walk(c.function());
            boolean top = c.chain().isEmpty();
            for (AcquireEvent e : w.acquires) {
                if (top && !root.concurrentAt(e.site())) {
                    continue;
                }
                LockId id = resolve(e.lock(), c.binding());
                if (id == null) {
                    continue;
                }
                acquisitions.add(new Acquisition(root, id, e.kind(), e.trylock(), e.site(),
                        effective(c, e.state()), c.chain()));
            }
            for (AccessEvent e : w.accesses) {
                if (top && !root.concurrentAt(e.access().node())) {
                    continue;
                }
                Set<LockId> held = effective(c, e.state()).keySet();
                if (seenAccess.add(System.identityHashCode(e.access().node()) + "#" + held)) {
                    accesses.add(new HeldAccess(root, e.access(), Set.copyOf(held), c.chain()));
                }
            }
            for (CallEvent e : w.calls) {
                if (top && !root.concurrentAt(e.call().call())) {
                    continue;
                }
                List<CFunction> targets = program.resolve(e.call().calleeName(), c.function().file());
                if (targets.isEmpty()) {
                    continue;
                }
                Map<LockId, SyntaxNode> held = effective(c, e.state());
                List<CallSite> chain = new ArrayList<>(c.chain());
                chain.add(e.call());
                for (CFunction t : targets) {
                    Map<Integer, LockId> binding = new HashMap<>();
                    for (int i : walk(t).lockParams) {
                        LockId a = i < e.arguments().size() ? resolve(e.arguments().get(i), c.binding()) : null;
                        if (a != null) {
                            binding.put(i, a);
                        }
                    }
                    work.add(new Context(t, held, binding, List.copyOf(chain)));
                }
            }
        }
    }

    private static LockId resolve(LockId id, Map<Integer, LockId> binding) {
        if (id == null || !id.isParam()) {
            return id;
        }
        return binding.get(id.param());
    }

    /** The locks held at an event: the context's, minus what the function released so far, plus its own. */
    private static Map<LockId, SyntaxNode> effective(Context c, Held state) {
        Map<LockId, SyntaxNode> out = new LinkedHashMap<>(c.held());
        for (LockId r : state.released()) {
            LockId id = resolve(r, c.binding());
            if (id != null) {
                out.remove(id);
            }
        }
        state.held().forEach((k, v) -> {
            LockId id = resolve(k, c.binding());
            if (id != null) {
                out.putIfAbsent(id, v);
            }
        });
        return out;
    }

    // ---- the walk of one function ----

    private static final Walk EMPTY = new Walk();

    private Walk walk(CFunction f) {
        Walk w = walks.get(f);
        if (w != null) {
            return w;
        }
        if (!walking.add(f)) {
            return EMPTY; // recursion: the inner call is summarized as doing nothing to locks
        }
        try {
            w = new Walker(f).run();
        } finally {
            walking.remove(f);
        }
        walks.put(f, w);
        return w;
    }

    private final class Walker {
        final CFunction f;
        final Walk out = new Walk();
        final Deque<List<Held>> breaks = new ArrayDeque<>();
        final Deque<List<Held>> continues = new ArrayDeque<>();
        final Deque<Held> switchEntry = new ArrayDeque<>();
        final Map<String, Held> gotos = new HashMap<>();
        Held exit;
        final Map<SyntaxNode, SharedAccesses.Access> accessAt;

        Walker(CFunction f) {
            this.f = f;
            this.accessAt = SharedAccesses.accessesIn(f, globals);
        }

        Walk run() {
            Held end = stmt(f.body(), Held.empty());
            exit = Held.meet(exit, end);
            if (exit != null) {
                out.exitHeld = exit.held();
                out.exitReleased = exit.released();
            }
            for (AcquireEvent a : out.acquires) {
                if (a.lock().isParam()) {
                    out.lockParams.add(a.lock().param());
                }
            }
            for (LockId r : out.exitReleased) {
                if (r.isParam()) {
                    out.lockParams.add(r.param());
                }
            }
            for (CallEvent c : out.calls) {
                for (CFunction t : program.resolve(c.call().calleeName(), f.file())) {
                    if (t == f) {
                        continue;
                    }
                    for (int i : walk(t).lockParams) {
                        if (i < c.arguments().size() && c.arguments().get(i) != null
                                && c.arguments().get(i).isParam()) {
                            out.lockParams.add(c.arguments().get(i).param());
                        }
                    }
                }
            }
            return out;
        }

        Held stmt(SyntaxNode n, Held st) {
            switch (n.kind()) {
            case "compound_statement", "else_clause", "translation_unit" -> {
                for (SyntaxNode c : n.children()) {
                    st = stmt(c, st);
                }
                return st;
            }
            case "if_statement" -> {
                SyntaxNode cond = n.child("condition");
                st = cond == null ? st : expr(cond, st);
                if (st == null) {
                    return null;
                }
                Held thenIn = st.copy(), elseIn = st.copy();
                Try t = cond == null ? null : trylockIn(cond);
                if (t != null) {
                    (t.successWhenTrue() ? thenIn : elseIn).held().put(t.lock(), t.site());
                }
                SyntaxNode then = n.child("consequence"), alt = n.child("alternative");
                Held thenOut = then == null ? thenIn : stmt(then, thenIn);
                Held elseOut = alt == null ? elseIn : stmt(alt, elseIn);
                return Held.meet(thenOut, elseOut);
            }
            case "while_statement", "for_statement" -> {
                for (String part : new String[] {"initializer", "condition"}) {
                    SyntaxNode p = n.child(part);
                    if (p != null && st != null) {
                        st = expr(p, st);
                    }
                }
                if (st == null) {
                    return null;
                }
                breaks.push(new ArrayList<>());
                continues.push(new ArrayList<>());
                SyntaxNode body = n.child("body");
                Held bodyOut = body == null ? st.copy() : stmt(body, st.copy());
                for (Held h : continues.pop()) {
                    bodyOut = Held.meet(bodyOut, h);
                }
                SyntaxNode update = n.child("update");
                if (update != null && bodyOut != null) {
                    bodyOut = expr(update, bodyOut);
                }
                Held after = infinite(n) ? null : st;
                after = Held.meet(after, infinite(n) ? null : bodyOut);
                for (Held h : breaks.pop()) {
                    after = Held.meet(after, h);
                }
                return after;
            }
            case "do_statement" -> {
                if (st == null) {
                    return null;
                }
                breaks.push(new ArrayList<>());
                continues.push(new ArrayList<>());
                SyntaxNode body = n.child("body");
                Held bodyOut = body == null ? st : stmt(body, st.copy());
                for (Held h : continues.pop()) {
                    bodyOut = Held.meet(bodyOut, h);
                }
                SyntaxNode cond = n.child("condition");
                if (cond != null && bodyOut != null) {
                    bodyOut = expr(cond, bodyOut);
                }
                Held after = bodyOut;
                for (Held h : breaks.pop()) {
                    after = Held.meet(after, h);
                }
                return after;
            }
            case "switch_statement" -> {
                SyntaxNode cond = n.child("condition");
                st = cond == null || st == null ? st : expr(cond, st);
                if (st == null) {
                    return null;
                }
                breaks.push(new ArrayList<>());
                switchEntry.push(st);
                SyntaxNode body = n.child("body");
                Held end = body == null ? st : stmt(body, null);
                switchEntry.pop();
                boolean hasDefault = body != null && body.children().stream()
                        .anyMatch(c -> c.is("case_statement") && c.child("value") == null);
                Held after = Held.meet(end, hasDefault ? null : st);
                for (Held h : breaks.pop()) {
                    after = Held.meet(after, h);
                }
                return after;
            }
            case "case_statement" -> {
                st = Held.meet(st, switchEntry.peek());
                for (SyntaxNode c : n.children()) {
                    if (!"value".equals(c.field())) {
                        st = stmt(c, st);
                    }
                }
                return st;
            }
            case "labeled_statement" -> {
                SyntaxNode label = n.child("label");
                if (label != null) {
                    st = Held.meet(st, gotos.get(label.text()));
                }
                for (SyntaxNode c : n.children()) {
                    if (!"label".equals(c.field())) {
                        st = stmt(c, st);
                    }
                }
                return st;
            }
            case "return_statement" -> {
                if (st != null) {
                    st = expr(n, st);
                }
                exit = Held.meet(exit, st);
                return null;
            }
            case "break_statement" -> {
                if (st != null && !breaks.isEmpty()) {
                    breaks.peek().add(st);
                }
                return null;
            }
            case "continue_statement" -> {
                if (st != null && !continues.isEmpty()) {
                    continues.peek().add(st);
                }
                return null;
            }
            case "goto_statement" -> {
                SyntaxNode label = n.child("label");
                if (st != null && label != null) {
                    gotos.merge(label.text(), st, Held::meet);
                }
                return null;
            }
            case "comment", "function_definition" -> {
                return st;
            }
            case "preproc_if", "preproc_ifdef", "preproc_elif", "preproc_else" -> {
                // the branches of a conditional compilation are alternatives; #if 0 is never compiled
                SyntaxNode cond = n.child("condition");
                boolean never = cond != null && cond.text().trim().equals("0");
                Held in = st, then = st;
                if (!never) {
                    for (SyntaxNode c : n.children()) {
                        if (c.field() == null || !(c.field().equals("condition") || c.field().equals("alternative")
                                || c.field().equals("name"))) {
                            then = stmt(c, then);
                        }
                    }
                }
                SyntaxNode alt = n.child("alternative");
                Held other = alt == null ? in : stmt(alt, in == null ? null : in.copy());
                return never ? other : Held.meet(then, other);
            }
            default -> {
                return st == null ? null : expr(n, st);
            }
            }
        }

        /** {@code for (;;)}, {@code while (1)}: leaving only by break or return. */
        private static boolean infinite(SyntaxNode loop) {
            SyntaxNode cond = loop.child("condition");
            if (loop.is("for_statement")) {
                return cond == null;
            }
            return cond != null && cond.text().replaceAll("[()\\s]", "").matches("1|true");
        }

        /** Calls and accesses of an expression (or simple statement) in evaluation order, applied to the state. */
        Held expr(SyntaxNode n, Held st) {
            List<SyntaxNode> events = new ArrayList<>();
            n.walk(x -> {
                if (x.is("call_expression") || accessAt.containsKey(x)) {
                    events.add(x);
                }
            });
            // a call takes effect after its arguments; an access happens where it is written
            events.sort(Comparator.comparingInt(x -> x.is("call_expression") ? x.endByte() : x.startByte()));
            for (SyntaxNode x : events) {
                if (st == null) {
                    return null;
                }
                if (!x.is("call_expression")) {
                    out.accesses.add(new AccessEvent(accessAt.get(x), st.copy()));
                    continue;
                }
                CallSite call = callAt(x);
                if (call == null) {
                    continue;
                }
                st = call(call, st);
            }
            return st;
        }

        private final Map<SyntaxNode, CallSite> callSites = new HashMap<>();

        CallSite callAt(SyntaxNode n) {
            if (callSites.isEmpty()) {
                for (CallSite c : f.calls()) {
                    callSites.put(c.call(), c);
                }
            }
            return callSites.get(n);
        }

        Held call(CallSite call, Held st) {
            String name = call.calleeName();
            if (name == null) {
                return st;
            }
            Operation op = operation(name);
            LockId id = null;
            GlobalVariables.LockMacro macro = null;
            if (op == null && !program.isDefined(name)) {
                macro = globals.lockMacro(name);
                if (macro != null) {
                    op = operation(macro.function());
                    id = macroLock(macro, call);
                }
            } else if (op != null) {
                id = identity(call.argument(0));
            }
            if (op == null) {
                op = byName(name);
                if (op != null) {
                    SyntaxNode lockArg = lockArgument(call);
                    id = call.arguments().isEmpty() ? namedLock(name) : lockArg == null ? null : identity(lockArg);
                }
            }
            if (op != null) {
                if (id == null) {
                    return st;
                }
                switch (op.op()) {
                case ACQUIRE -> {
                    out.acquires.add(new AcquireEvent(id, op.kind(), false, call.call(), st.copy()));
                    st.held().put(id, call.call());
                    st.released().remove(id);
                }
                case TRY -> out.acquires.add(new AcquireEvent(id, op.kind(), true, call.call(), st.copy()));
                case RELEASE -> {
                    if (st.held().remove(id) == null) {
                        st.released().add(id);
                    }
                }
                }
                return st;
            }
            List<CFunction> targets = program.resolve(name, f.file());
            List<LockId> args = new ArrayList<>();
            if (!targets.isEmpty()) {
                Set<Integer> needed = new HashSet<>();
                for (CFunction t : targets) {
                    needed.addAll(walk(t).lockParams);
                }
                for (int i = 0; i < call.arguments().size(); i++) {
                    args.add(needed.contains(i) ? identity(call.arguments().get(i)) : null);
                }
            }
            out.calls.add(new CallEvent(call, st.copy(), args));
            if (NO_RETURN.contains(call.function())) {
                return null;
            }
            if (targets.isEmpty()) {
                return st;
            }
            // the callee's summary, in this function's terms. Several definitions of one name are usually several
            // programs in one folder (a test's stub STATS_LOCK() {} beside the real one): a lock any of them returns
            // holding counts as held, which can only hide races, never invent one
            Map<LockId, SyntaxNode> acquired = null;
            Set<LockId> released = new LinkedHashSet<>();
            for (CFunction t : targets) {
                Walk tw = walk(t);
                Map<LockId, SyntaxNode> mine = new LinkedHashMap<>();
                for (LockId l : tw.exitHeld.keySet()) {
                    LockId m = mapToCaller(l, args);
                    if (m != null) {
                        mine.put(m, call.call());
                    }
                }
                if (acquired == null) {
                    acquired = mine;
                } else {
                    mine.forEach(acquired::putIfAbsent);
                }
                for (LockId l : tw.exitReleased) {
                    LockId m = mapToCaller(l, args);
                    if (m != null) {
                        released.add(m);
                    }
                }
            }
            for (LockId r : released) {
                if (st.held().remove(r) == null) {
                    st.released().add(r);
                }
            }
            if (acquired != null) {
                acquired.forEach((k, v) -> {
                    st.held().putIfAbsent(k, v);
                    st.released().remove(k);
                });
            }
            return st;
        }

        /**
         * A program's own lock that the walk cannot see into ({@code ngx_spinlock} spins on an atomic compare-and-set,
         * {@code ngx_unlock} is a macro storing 0): recognized by name, when its definition (if any) does not already
         * say what it holds.
         */
        private Operation byName(String name) {
            Matcher m = OWN_LOCK.matcher(name);
            if (!m.matches() || NOT_AN_ACQUIRE.matcher(name).find()) {
                return null;
            }
            for (CFunction t : program.resolve(name, f.file())) {
                Walk tw = walk(t);
                if (!tw.exitHeld.isEmpty() || !tw.exitReleased.isEmpty()) {
                    return null; // its summary says it better
                }
            }
            String verb = m.group(2).toLowerCase(java.util.Locale.ROOT);
            return new Operation(verb.startsWith("un") ? Op.RELEASE : verb.startsWith("try") ? Op.TRY : Op.ACQUIRE,
                    Kind.MUTEX);
        }

        /**
         * Which argument of a program's own lock function is the lock: the only one, else the one whose text says so
         * ({@code malloc_mutex_lock(tsdn, &arena->lock)}); null when that cannot be told.
         */
        private SyntaxNode lockArgument(CallSite call) {
            if (call.arguments().size() == 1) {
                return call.argument(0);
            }
            SyntaxNode found = null, address = null;
            int addresses = 0;
            for (SyntaxNode a : call.arguments()) {
                if (a.text().matches("(?is).*(lock|mutex|mtx|spin|sem).*")) {
                    if (found != null) {
                        return null;
                    }
                    found = a;
                }
                if (a.stripParensAndCasts().text().startsWith("&")) {
                    addresses++;
                    address = a;
                }
            }
            return found != null ? found : addresses == 1 ? address : null;
        }

        /** {@code STATS_LOCK()} and {@code STATS_UNLOCK()} name the same lock: "STATS_". */
        private LockId namedLock(String name) {
            Matcher m = OWN_LOCK.matcher(name);
            String prefix = m.matches() && m.group(1) != null ? m.group(1) : "";
            return LockId.global("lock-macro|" + prefix.toLowerCase(java.util.Locale.ROOT), prefix + "LOCK");
        }

        private LockId mapToCaller(LockId l, List<LockId> args) {
            if (!l.isParam()) {
                return l.kind() == LockId.Kind.LOCAL ? null : l;
            }
            return l.param() < args.size() ? args.get(l.param()) : null;
        }

        /** A trylock tested directly in an if condition, and on which branch it succeeded. */
        record Try(LockId lock, SyntaxNode site, boolean successWhenTrue) {
        }

        Try trylockIn(SyntaxNode cond) {
            SyntaxNode c = cond.stripParensAndCasts();
            boolean negated = false;
            if (c.is("unary_expression") && c.child("operator") != null && c.child("operator").text().equals("!")) {
                negated = true;
                c = c.child("argument").stripParensAndCasts();
            }
            Boolean zeroMeansSuccess = null;
            SyntaxNode callNode = c;
            if (c.is("binary_expression") && c.child("operator") != null && c.child("right") != null
                    && c.child("right").text().trim().equals("0")) {
                String opText = c.child("operator").text();
                if (opText.equals("==") || opText.equals("!=")) {
                    zeroMeansSuccess = opText.equals("==");
                    callNode = c.child("left").stripParensAndCasts();
                }
            }
            if (!callNode.is("call_expression")) {
                return null;
            }
            CallSite call = callAt(callNode);
            if (call == null) {
                return null;
            }
            Operation op = operation(call.calleeName());
            if (op == null || op.op() != Op.TRY) {
                return null;
            }
            LockId id = identity(call.argument(0));
            if (id == null) {
                return null;
            }
            // trylock returns 0 on success: "== 0" and "!call" succeed on the true branch
            boolean whenTrue = zeroMeansSuccess != null ? zeroMeansSuccess : negated;
            if (zeroMeansSuccess != null && negated) {
                whenTrue = !whenTrue;
            }
            return new Try(id, call.call(), whenTrue);
        }

        /** The lock an argument names, in this function's terms. */
        LockId identity(SyntaxNode arg) {
            if (arg == null) {
                return null;
            }
            SyntaxNode e = arg.stripParensAndCasts();
            boolean addressOf = false;
            if (e.is("pointer_expression") && e.child("operator") != null
                    && e.child("operator").text().equals("&") && e.child("argument") != null) {
                addressOf = true;
                e = e.child("argument").stripParensAndCasts();
            }
            StringBuilder path = new StringBuilder();
            SyntaxNode base = e;
            while (true) {
                if (base.is("field_expression") && base.child("argument") != null && base.child("field") != null) {
                    path.insert(0, base.child("operator").text() + base.child("field").text());
                    base = base.child("argument").stripParensAndCasts();
                } else if (base.is("subscript_expression") && base.child("argument") != null) {
                    path.insert(0, "[]");
                    base = base.child("argument").stripParensAndCasts();
                } else {
                    break;
                }
            }
            if (!base.is("identifier")) {
                return LockId.local(f.file().path() + "#" + f.name(), e.text());
            }
            return identityOf(base.text(), Scopes.resolve(base), path.toString(), addressOf);
        }

        LockId identityOf(String name, Variable v, String path, boolean addressOf) {
            String fn = f.file().path() + "#" + f.name();
            if (v != null && v.storage() == interleave.engine.c.Storage.PARAMETER) {
                int index = f.parameters().indexOf(name);
                if (path.isEmpty() && !addressOf && index >= 0) {
                    return LockId.param(index, name);
                }
                String tag = globals.tagOf(v.typeText());
                if (!path.isEmpty()) {
                    return LockId.field(tag == null ? "?" : tag, path.startsWith("[]") ? path.substring(2) : path);
                }
                return LockId.local(fn, name);
            }
            GlobalVariables.Global g = v == null || v.storage() == interleave.engine.c.Storage.GLOBAL
                    ? globals.lookup(name, f.file()) : null;
            if (v != null && v.storage() == interleave.engine.c.Storage.STATIC_LOCAL) {
                return LockId.global(fn + "|" + name + path, name + path);
            }
            if (g != null) {
                if (path.startsWith("->")) {
                    String tag = g.structTag(globals);
                    return tag != null ? LockId.field(tag, path) : LockId.global(g.key() + path, name + path);
                }
                return LockId.global(g.key() + path, name + path);
            }
            if (v != null && !path.isEmpty()) {
                String tag = globals.tagOf(v.typeText());
                return LockId.field(tag == null ? "?" : tag, path.startsWith("[]") ? path.substring(2) : path);
            }
            if (v == null && !path.isEmpty()) {
                return LockId.field("?", path);
            }
            return LockId.local(fn, name + path);
        }

        private static final Pattern TEMPLATE = Pattern.compile(
                "^(&)?\\s*\\(?\\s*(\\w+)\\s*\\)?((?:\\s*(?:\\.|->)\\s*\\w+|\\s*\\[[^\\]]*\\])*)\\s*$");

        /** The lock a macro such as {@code THR_STATS_LOCK(t)} (expanding to {@code pthread_mutex_lock(&t->m)}) takes. */
        LockId macroLock(GlobalVariables.LockMacro m, CallSite call) {
            Matcher x = TEMPLATE.matcher(m.argument());
            if (!x.matches()) {
                return null;
            }
            boolean addressOf = x.group(1) != null;
            String root = x.group(2);
            String path = x.group(3).replaceAll("\\s+", "").replaceAll("\\[[^\\]]*\\]", "[]");
            int pi = m.parameters().indexOf(root);
            if (pi < 0) {
                return identityOf(root, null, path, addressOf);
            }
            SyntaxNode arg = call.argument(pi);
            if (arg == null) {
                return null;
            }
            if (path.isEmpty()) {
                return addressOf ? identity(arg) /* &param: best effort */ : identity(arg);
            }
            SyntaxNode a = arg.stripParensAndCasts();
            if (a.is("identifier")) {
                return identityOf(a.text(), Scopes.resolve(a), path, addressOf);
            }
            return LockId.field("?", path);
        }
    }
}
