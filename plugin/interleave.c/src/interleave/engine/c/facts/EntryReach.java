package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.ThreadStart;
import interleave.engine.c.Scopes;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.SyntaxNode;

/**
 * Where concurrent code starts: every thread start routine (with the sites that start it and whether more than one
 * thread runs it at a time) and every {@code main}, with the part of its body that runs while threads may be running:
 * from the first call that starts a thread (directly or through a helper; from the start of the loop around it) to
 * the end of the last join after it. Code of {@code main} before threads exist, or after it has joined them, races
 * with nothing.
 */
public final class EntryReach {

    private static final Set<String> JOINS = Set.of("pthread_join", "pthread_timedjoin_np", "pthread_tryjoin_np",
            "thrd_join");

    /**
     * One entry point: a thread start routine, or {@code main} restricted to its concurrent window.
     *
     * @param function    where it starts
     * @param isMain      {@code main} (one thread), else a start routine
     * @param starts      for a routine, the calls that start it
     * @param multiple    two or more threads can run it at once (started at two sites, in a loop, or by a helper
     *                    that is called more than once)
     * @param windowStart for main: the first byte of code that runs with threads alive (Integer.MAX_VALUE: never)
     * @param windowEnd   for main: the last such byte
     */
    public record Root(CFunction function, boolean isMain, List<CallSite> starts, boolean multiple, int windowStart,
            int windowEnd, SourceFile program) {

        /**
         * False when the two entry points belong to two different programs of one folder (each file that starts the
         * threads defines its own main: the test programs of a library, the lecture's samples).
         */
        public boolean sameProgram(Root other) {
            return program == null || other.program == null || program == other.program;
        }

        public String name() {
            return function.name();
        }

        /** True when code of the root function at this node runs while other threads may run. */
        public boolean concurrentAt(SyntaxNode n) {
            return !isMain || n.startByte() >= windowStart && n.startByte() <= windowEnd;
        }
    }

    private final List<Root> roots = new ArrayList<>();
    private final Set<CFunction> creators = new HashSet<>();

    public static EntryReach of(CProgram program) {
        return program.facts(EntryReach.class, EntryReach::new);
    }

    private EntryReach(CProgram program) {
        Set<SourceFile> mainFiles = new HashSet<>();
        for (CFunction f : program.functions()) {
            if (f.name().equals("main")) {
                mainFiles.add(f.file());
            }
        }
        Map<CFunction, List<CallSite>> startsOf = new LinkedHashMap<>();
        for (ThreadStart s : program.entryPoints().threadStarts()) {
            for (CFunction r : s.routine()) {
                startsOf.computeIfAbsent(r, k -> new ArrayList<>()).add(s.call());
            }
            creators.add(s.call().caller());
        }
        Map<CFunction, List<CallSite>> callersOf = callers(program);
        closeOverCallers(callersOf);
        startsOf.forEach((routine, sites) -> {
            boolean multiple = sites.size() > 1;
            for (CallSite site : sites) {
                multiple |= runsRepeatedly(site, callersOf);
            }
            SourceFile prog = sites.get(0).caller().file();
            for (CallSite site : sites) {
                prog = site.caller().file() == prog ? prog : null;
            }
            roots.add(new Root(routine, false, List.copyOf(sites), multiple, 0, Integer.MAX_VALUE,
                    prog != null && mainFiles.contains(prog) ? prog : null));
        });
        for (CFunction f : program.functions()) {
            if (f.name().equals("main")) {
                roots.add(mainRoot(program, f));
            }
        }
    }

    /** A creation in a loop, or in a helper called from a loop or from two places, starts several threads. */
    private static boolean runsRepeatedly(CallSite site, Map<CFunction, List<CallSite>> callersOf) {
        CFunction creator = site.caller();
        if (!Scopes.enclosingLoops(site.call(), creator.body()).isEmpty()) {
            return true;
        }
        if (creator.name().equals("main")) {
            return false;
        }
        List<CallSite> up = callersOf.getOrDefault(creator, List.of());
        if (up.size() != 1) {
            return up.size() > 1;
        }
        return !Scopes.enclosingLoops(up.get(0).call(), up.get(0).caller().body()).isEmpty();
    }

    private static Map<CFunction, List<CallSite>> callers(CProgram program) {
        Map<CFunction, List<CallSite>> out = new HashMap<>();
        for (CFunction f : program.functions()) {
            program.callees(f).forEach((site, targets) -> {
                for (CFunction t : targets) {
                    out.computeIfAbsent(t, k -> new ArrayList<>()).add(site);
                }
            });
        }
        return out;
    }

    /** Functions that start threads directly or through calls: a walk up the callers from the creators. */
    private void closeOverCallers(Map<CFunction, List<CallSite>> callersOf) {
        java.util.ArrayDeque<CFunction> work = new java.util.ArrayDeque<>(creators);
        while (!work.isEmpty()) {
            for (CallSite up : callersOf.getOrDefault(work.poll(), List.of())) {
                if (creators.add(up.caller())) {
                    work.add(up.caller());
                }
            }
        }
    }

    private Root mainRoot(CProgram program, CFunction main) {
        int start = Integer.MAX_VALUE;
        Map<CallSite, List<CFunction>> callees = program.callees(main);
        List<SyntaxNode> creations = new ArrayList<>();
        for (CallSite c : main.calls()) {
            boolean creates = program.entryPoints().threadStarts().stream().anyMatch(s -> s.call().equals(c))
                    || callees.getOrDefault(c, List.of()).stream().anyMatch(creators::contains);
            if (creates) {
                creations.add(c.call());
                start = Math.min(start, outermostLoopOrSelf(c.call(), main).startByte());
            }
        }
        int end = Integer.MAX_VALUE;
        if (start != Integer.MAX_VALUE) {
            SyntaxNode lastJoin = null;
            for (CallSite c : main.calls()) {
                if (c.function() != null && JOINS.contains(c.function()) && c.call().startByte() > start) {
                    lastJoin = c.call();
                }
            }
            if (lastJoin != null) {
                int joinEnd = outermostLoopOrSelf(lastJoin, main).endByte();
                final int je = joinEnd;
                boolean createdLater = creations.stream().anyMatch(n -> n.startByte() > je);
                end = createdLater ? Integer.MAX_VALUE : joinEnd;
            }
        }
        return new Root(main, true, List.of(), false, start, end, main.file());
    }

    private static SyntaxNode outermostLoopOrSelf(SyntaxNode n, CFunction f) {
        List<SyntaxNode> loops = Scopes.enclosingLoops(n, f.body());
        return loops.isEmpty() ? n : loops.get(loops.size() - 1);
    }

    public List<Root> roots() {
        return roots;
    }

    /** True when the program starts threads at all (else nothing runs concurrently with main). */
    public boolean hasThreads() {
        return roots.stream().anyMatch(r -> !r.isMain());
    }
}
