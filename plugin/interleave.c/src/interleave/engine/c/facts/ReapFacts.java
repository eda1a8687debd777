package interleave.engine.c.facts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.SignalHandler;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;

/**
 * Where the program reaps its children: the {@code wait} family's calls (whether they wait for any child and whether
 * they block), the {@code SIGCHLD} handlers and the waits they reach through helpers (and whether a loop repeats
 * them), and the settings that make the kernel reap instead ({@code signal(SIGCHLD, SIG_IGN)}, {@code SIG_IGN} in a
 * {@code sigaction} for {@code SIGCHLD}, {@code SA_NOCLDWAIT}). Also which functions belong to the same program as a
 * given one (what {@code main} reaches through calls and function pointers taken), so a folder of several small
 * programs keeps their reaping apart.
 */
public final class ReapFacts {
    static final Set<String> WAITS = Set.of("wait", "waitpid", "wait3", "wait4", "waitid");
    static final Set<String> SIGNAL_CALLS = Set.of("signal", "sigset", "bsd_signal", "sysv_signal");
    static final Set<String> CHILD_SIGNALS = Set.of("SIGCHLD", "SIGCLD");

    /** One call of the wait family. */
    public record WaitSite(CallSite call, boolean anyChild, boolean noHang) {
        public CFunction function() {
            return call.caller();
        }
    }

    /** A wait reached from somewhere, with the calls on the way and whether a loop repeats it. */
    public record Reach(WaitSite site, List<CallSite> chain, boolean repeated) {
    }

    /** A handler that may run on SIGCHLD and the waits it reaches. */
    public record ChildHandler(SignalHandler installation, CFunction handler, List<Reach> waits) {
        /** True when the signal is known to be SIGCHLD (not a handler installed for a signal held in a variable). */
        public boolean forSigchld() {
            return CHILD_SIGNALS.contains(installation.signal());
        }
    }

    /** {@code signal(SIGCHLD, SIG_IGN)}, {@code sa_handler = SIG_IGN} for SIGCHLD, or {@code SA_NOCLDWAIT}. */
    public record KernelReaps(SyntaxNode site, CFunction function, String how) {
    }

    private final CProgram program;
    private final Flow flow;
    private final List<WaitSite> waits = new ArrayList<>();
    private final Map<SyntaxNode, WaitSite> waitAt = new HashMap<>();
    private final List<ChildHandler> handlers = new ArrayList<>();
    private final List<KernelReaps> kernelReaps = new ArrayList<>();
    private final Map<CFunction, Set<CFunction>> referenced = new HashMap<>();
    private final Map<CFunction, Set<CFunction>> reach = new HashMap<>();

    private ReapFacts(CProgram program) {
        this.program = program;
        this.flow = Flow.of(program);
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if (c.calls(WAITS) && program.resolve(c.calleeName(), f.file()).isEmpty()) {
                    WaitSite w = new WaitSite(c, waitsForAny(c), hasNoHang(c));
                    waits.add(w);
                    waitAt.put(c.call(), w);
                }
                if (c.calls(SIGNAL_CALLS) && c.argument(0) != null && c.argument(1) != null
                        && CHILD_SIGNALS.contains(c.argument(0).text().trim())
                        && c.argument(1).stripParensAndCasts().text().equals("SIG_IGN")) {
                    kernelReaps.add(new KernelReaps(c.call(), f, "SIGCHLD is ignored (SIG_IGN)"));
                }
            }
            sigactionSettings(f);
        }
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            boolean known = CHILD_SIGNALS.contains(h.signal());
            boolean unknown = !h.signal().startsWith("SIG") || h.signal().equals("a signal");
            if (!known && !unknown) {
                continue;
            }
            for (CFunction fn : h.handler()) {
                List<Reach> reached = waitsFrom(List.of(fn.body()), fn, false);
                if (known || !reached.isEmpty()) {
                    handlers.add(new ChildHandler(h, fn, reached));
                }
            }
        }
    }

    public static ReapFacts of(CProgram program) {
        return program.facts(ReapFacts.class, ReapFacts::new);
    }

    public List<WaitSite> waits() {
        return waits;
    }

    /** Handlers installed for SIGCHLD, and handlers for a signal not known statically that reach a wait. */
    public List<ChildHandler> childHandlers() {
        return handlers;
    }

    public List<KernelReaps> kernelReaps() {
        return kernelReaps;
    }

    /** wait(), waitpid(-1 | 0 | -pgid | WAIT_ANY, ...), wait3(), wait4(-1, ...), waitid(P_ALL, ...). */
    private static boolean waitsForAny(CallSite c) {
        String f = c.function();
        if (f.equals("wait") || f.equals("wait3")) {
            return true;
        }
        SyntaxNode a = c.argument(0);
        if (a == null) {
            return true;
        }
        if (f.equals("waitid")) {
            return a.text().trim().equals("P_ALL") || a.text().trim().equals("P_PGID");
        }
        Long k = ForkFacts.constant(a);
        if (k != null) {
            return k <= 0;
        }
        String t = a.stripParensAndCasts().text();
        return t.equals("WAIT_ANY") || t.equals("WAIT_MYPGRP");
    }

    private static boolean hasNoHang(CallSite c) {
        String f = c.function();
        int options = switch (f) {
        case "waitpid" -> 2;
        case "wait3" -> 1;
        case "wait4" -> 2;
        case "waitid" -> 3;
        default -> -1;
        };
        SyntaxNode o = options < 0 ? null : c.argument(options);
        return o != null && o.text().contains("WNOHANG");
    }

    /** sa_handler = SIG_IGN in a function that installs for SIGCHLD, and any SA_NOCLDWAIT. */
    private void sigactionSettings(CFunction f) {
        boolean installsChild = false;
        for (CallSite c : f.calls()) {
            if ("sigaction".equals(c.function()) && c.argument(0) != null
                    && CHILD_SIGNALS.contains(c.argument(0).text().trim())) {
                installsChild = true;
            }
        }
        final boolean child = installsChild;
        if (!child && !f.body().text().contains("SA_NOCLDWAIT")) {
            return;
        }
        f.body().walk(n -> {
            if (n.is("identifier") && n.text().equals("SA_NOCLDWAIT")) {
                kernelReaps.add(new KernelReaps(n, f, "SA_NOCLDWAIT is set"));
            } else if (child && n.is("assignment_expression") && n.child("left") != null
                    && n.child("left").is("field_expression") && n.child("left").child("field") != null
                    && n.child("left").child("field").text().equals("sa_handler") && n.child("right") != null
                    && n.child("right").stripParensAndCasts().text().equals("SIG_IGN")) {
                kernelReaps.add(new KernelReaps(n, f, "SIGCHLD is ignored (SIG_IGN)"));
            }
        });
    }

    /**
     * The waits that the code of {@code region} (statements of {@code in}) reaches, directly or through functions of
     * the program (up to four calls deep). {@code repeated} is true when a loop inside the region, or inside a
     * function on the way, repeats the wait.
     */
    public List<Reach> waitsFrom(List<SyntaxNode> region, CFunction in, boolean repeatedAlready) {
        List<Reach> out = new ArrayList<>();
        Set<CFunction> visited = new HashSet<>();
        visited.add(in);
        for (SyntaxNode n : region) {
            collect(n, in, repeatedAlready, new ArrayList<>(), visited, out, 0);
        }
        return out;
    }

    private void collect(SyntaxNode region, CFunction in, boolean repeated, List<CallSite> chain,
            Set<CFunction> visited, List<Reach> out, int depth) {
        for (SyntaxNode call : region.descendants("call_expression")) {
            boolean looped = repeated || !loopsWithin(call, region).isEmpty();
            WaitSite w = waitAt.get(call);
            if (w != null) {
                out.add(new Reach(w, List.copyOf(chain), looped));
                continue;
            }
            if (depth >= 4) {
                continue;
            }
            CallSite c = callIn(in, call);
            if (c == null || c.calleeName() == null) {
                continue;
            }
            for (CFunction t : program.resolve(c.calleeName(), in.file())) {
                if (visited.add(t)) {
                    List<CallSite> next = new ArrayList<>(chain);
                    next.add(c);
                    collect(t.body(), t, looped, next, visited, out, depth + 1);
                }
            }
        }
    }

    private static List<SyntaxNode> loopsWithin(SyntaxNode node, SyntaxNode region) {
        List<SyntaxNode> loops = new ArrayList<>();
        for (SyntaxNode p = node.parent(); p != null; p = p.parent()) {
            if (Scopes.isLoop(p)) {
                loops.add(p);
            }
            if (p == region) {
                break;
            }
        }
        return loops;
    }

    private static CallSite callIn(CFunction f, SyntaxNode call) {
        for (CallSite c : f.calls()) {
            if (c.call() == call) {
                return c;
            }
        }
        return null;
    }

    /**
     * The functions of the program {@code f} belongs to: everything reached through calls and functions named as
     * values (callbacks, handlers, timers) from each {@code main} that reaches {@code f}; all functions when no
     * {@code main} does (a library, or a partial view of a program).
     */
    public Set<CFunction> programOf(CFunction f) {
        Set<CFunction> out = new LinkedHashSet<>();
        for (CFunction m : program.functions()) {
            if (m.name().equals("main")) {
                Set<CFunction> r = reachable(m);
                if (r.contains(f)) {
                    out.addAll(r);
                }
            }
        }
        if (out.isEmpty()) {
            out.addAll(program.functions());
        }
        return out;
    }

    /** Functions named as values (not called) in the body: callbacks, handlers, timers. */
    public Set<CFunction> referencedAsValues(CFunction f) {
        return referenced.computeIfAbsent(f, k -> {
            Set<CFunction> out = new LinkedHashSet<>();
            k.body().walk(n -> {
                if (n.is("identifier") && program.isDefined(n.text())) {
                    SyntaxNode p = n.parent();
                    boolean called = p != null && p.is("call_expression") && p.child("function") == n;
                    if (!called) {
                        out.addAll(program.resolve(n.text(), k.file()));
                    }
                }
            });
            return out;
        });
    }

    private Set<CFunction> reachable(CFunction root) {
        return reach.computeIfAbsent(root, r -> {
            Set<CFunction> seen = new LinkedHashSet<>();
            ArrayDeque<CFunction> work = new ArrayDeque<>();
            seen.add(r);
            work.add(r);
            while (!work.isEmpty()) {
                CFunction f = work.poll();
                for (List<CFunction> ts : program.callees(f).values()) {
                    for (CFunction t : ts) {
                        if (seen.add(t)) {
                            work.add(t);
                        }
                    }
                }
                for (CFunction t : referencedAsValues(f)) {
                    if (seen.add(t)) {
                        work.add(t);
                    }
                }
            }
            return seen;
        });
    }

    /**
     * The waits that run on every trip around {@code loop} for the parent: in the loop's header, or in a statement of
     * its body that does not only lead out of the loop (a {@code return} branch after the last client does not
     * count), and not in code only the child of {@code site} runs. Followed into helpers.
     */
    public List<Reach> waitsEachIteration(ForkFacts.ForkSite site) {
        SyntaxNode loop = site.loop();
        List<Reach> out = new ArrayList<>();
        for (Reach r : waitsFrom(List.of(loop), site.function(), true)) {
            SyntaxNode at = r.chain().isEmpty() ? r.site().call().call() : r.chain().get(0).call();
            if (onlyLeaves(at, loop)) {
                continue;
            }
            java.util.EnumSet<ForkFacts.Outcome> by = site.runBy(Scopes.enclosingStatement(at));
            if (by != null && !by.contains(ForkFacts.Outcome.PARENT)) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    /** True when every branch around {@code node}, up to the loop, ends by leaving the loop (return, exit, break). */
    private boolean onlyLeaves(SyntaxNode node, SyntaxNode loop) {
        for (SyntaxNode p = node.parent(); p != null && p != loop; p = p.parent()) {
            String field = p.field();
            boolean branch = "consequence".equals(field) || p.parent() != null && p.parent().is("else_clause")
                    || p.is("case_statement");
            if (branch || p.is("compound_statement") && p.parent() != null && p.parent() != loop) {
                java.util.EnumSet<Flow.Exit> e = flow.exits(p);
                if (!e.contains(Flow.Exit.NORMAL) && !e.contains(Flow.Exit.CONTINUE)) {
                    return true;
                }
            }
        }
        return false;
    }
}
