package interleave.engine.c;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where code starts running concurrently with {@code main}: functions installed as signal handlers and functions
 * started as threads. Found through the standard APIs ({@code signal}, {@code sigaction} with {@code sa_handler} or
 * {@code sa_sigaction}, {@code pthread_create}, C11 {@code thrd_create}), through wrappers the analyzed code defines
 * (a function that passes one of its parameters on to such an API, like the lecture's {@code Signal} and
 * {@code Pthread_create}), and through those two well-known wrappers when their definitions are not analyzed.
 */
public final class EntryPoints {

    /** How a function installs a handler or starts a thread: which argument is the function, which the argument. */
    record Installer(String name, Kind kind, int functionIndex, int argumentIndex) {
    }

    enum Kind {
        SIGNAL, THREAD
    }

    /** The APIs themselves; their CS:APP and UNP wrappers ({@code Signal}, {@code Pthread_create}) via {@link Wrappers}. */
    private static final List<Installer> KNOWN = List.of(
            new Installer("signal", Kind.SIGNAL, 1, -1),
            new Installer("sigset", Kind.SIGNAL, 1, -1),
            new Installer("bsd_signal", Kind.SIGNAL, 1, -1),
            new Installer("sysv_signal", Kind.SIGNAL, 1, -1),
            new Installer("pthread_create", Kind.THREAD, 2, 3),
            new Installer("thrd_create", Kind.THREAD, 1, 2));

    private static final Set<String> NOT_A_HANDLER = Set.of("SIG_IGN", "SIG_DFL", "SIG_ERR", "SIG_HOLD", "NULL");

    /**
     * A function installed as a signal handler.
     *
     * @param handler the handler's definitions (several only when the name is ambiguous across programs)
     * @param signal  the signal as written ({@code SIGCHLD}), or "a signal" when not known
     * @param site    where it is installed: the call, or the {@code sa_handler} assignment
     * @param via     the API or wrapper used ({@code signal}, {@code sigaction}, {@code Signal})
     */
    public record SignalHandler(List<CFunction> handler, String handlerName, String signal, SyntaxNode site,
            String via) {
    }

    /**
     * A thread started on a start routine.
     *
     * @param routine  the start routine's definitions, empty when it is not in the analyzed files
     * @param argument the argument expression passed to the thread (may be null if missing)
     * @param call     the creating call
     */
    public record ThreadStart(List<CFunction> routine, String routineName, SyntaxNode argument, CallSite call,
            String via) {
    }

    private final List<SignalHandler> signalHandlers;
    private final List<ThreadStart> threadStarts;

    private EntryPoints(List<SignalHandler> signalHandlers, List<ThreadStart> threadStarts) {
        this.signalHandlers = List.copyOf(signalHandlers);
        this.threadStarts = List.copyOf(threadStarts);
    }

    public List<SignalHandler> signalHandlers() {
        return signalHandlers;
    }

    public List<ThreadStart> threadStarts() {
        return threadStarts;
    }

    static EntryPoints find(CProgram program) {
        Map<String, Installer> installers = new LinkedHashMap<>();
        for (Installer k : KNOWN) {
            installers.put(k.name(), k);
        }
        inferWrappers(program, installers);

        List<SignalHandler> handlers = new ArrayList<>();
        List<ThreadStart> threads = new ArrayList<>();
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                Installer inst = installerFor(installers, c);
                if (inst == null || isWrapperForwarding(program, f, c, inst)) {
                    continue;
                }
                SyntaxNode fnArg = c.argument(inst.functionIndex());
                String name = functionName(fnArg);
                if (name == null || NOT_A_HANDLER.contains(name)) {
                    continue;
                }
                List<CFunction> targets = program.resolve(name, f.file());
                if (inst.kind() == Kind.SIGNAL) {
                    SyntaxNode sig = c.argument(0);
                    handlers.add(new SignalHandler(targets, name, sig == null ? "a signal" : sig.text(), c.call(),
                            inst.name()));
                } else {
                    threads.add(new ThreadStart(targets, name, c.argument(inst.argumentIndex()), c, inst.name()));
                }
            }
            for (SaAssignment a : sigactionAssignments(f)) {
                if (NOT_A_HANDLER.contains(a.handlerName()) || isParameter(f, a.handlerName())) {
                    continue;
                }
                handlers.add(new SignalHandler(program.resolve(a.handlerName(), f.file()), a.handlerName(),
                        signalForSigaction(f, a), a.site(), "sigaction"));
            }
        }
        for (SyntaxTree tree : program.trees()) {
            // static const struct sigaction act = { .sa_sigaction = h }; at file scope
            for (FileScope.Sigaction s : FileScope.of(tree).sigactions) {
                SaAssignment a = s.assignment();
                if (!NOT_A_HANDLER.contains(a.handlerName())) {
                    String signal = s.declared() == null ? "a signal" : signalUsing(program, s.declared());
                    handlers.add(new SignalHandler(program.resolve(a.handlerName(), tree.file()),
                            a.handlerName(), signal, a.site(), "sigaction"));
                }
            }
        }
        return new EntryPoints(handlers, threads);
    }

    /** The installer a call goes to: a wrapper the analyzed code defines, else the API (wrappers unwrapped). */
    private static Installer installerFor(Map<String, Installer> installers, CallSite c) {
        if (c.calleeName() == null) {
            return null;
        }
        Installer direct = installers.get(c.calleeName());
        return direct != null ? direct : installers.get(c.function());
    }

    /** Calls inside a wrapper that only forward the wrapper's own parameter are not installations themselves. */
    private static boolean isWrapperForwarding(CProgram program, CFunction f, CallSite c, Installer inst) {
        String name = functionName(c.argument(inst.functionIndex()));
        return name != null && isParameter(f, name);
    }

    private static boolean isParameter(CFunction f, String name) {
        return f.parameters().contains(name);
    }

    /**
     * A function of the analyzed code that hands one of its parameters to an installer is an installer itself, with
     * that parameter's position. Repeated to a fixpoint, so wrappers of wrappers are found too.
     */
    private static void inferWrappers(CProgram program, Map<String, Installer> installers) {
        boolean changed = true;
        for (int round = 0; changed && round < 8; round++) {
            changed = false;
            for (CFunction f : program.functions()) {
                if (installers.containsKey(f.name())) {
                    continue;
                }
                Installer found = null;
                for (CallSite c : f.calls()) {
                    Installer inst = installerFor(installers, c);
                    if (inst == null) {
                        continue;
                    }
                    String fnName = functionName(c.argument(inst.functionIndex()));
                    int fi = fnName == null ? -1 : f.parameters().indexOf(fnName);
                    if (fi >= 0) {
                        int ai = -1;
                        if (inst.argumentIndex() >= 0) {
                            String argName = identifierName(c.argument(inst.argumentIndex()));
                            ai = argName == null ? -1 : f.parameters().indexOf(argName);
                        }
                        found = new Installer(f.name(), inst.kind(), fi, ai);
                    }
                }
                if (found == null) {
                    for (SaAssignment a : sigactionAssignments(f)) {
                        int fi = f.parameters().indexOf(a.handlerName());
                        if (fi >= 0) {
                            int si = f.parameters().isEmpty() ? -1 : 0;
                            found = new Installer(f.name(), Kind.SIGNAL, fi, si);
                        }
                    }
                }
                if (found != null) {
                    installers.put(f.name(), found);
                    changed = true;
                }
            }
        }
    }

    /** {@code act.sa_handler = h}, {@code act->sa_sigaction = h} or {@code { .sa_handler = h }}. */
    record SaAssignment(String handlerName, SyntaxNode site, SyntaxNode structExpr) {
    }

    private static List<SaAssignment> sigactionAssignments(CFunction f) {
        return f.sigactionAssignments();
    }

    static List<SaAssignment> sigactionAssignments(SyntaxNode region) {
        List<SaAssignment> out = new ArrayList<>();
        region.walk(n -> {
            if (n.is("assignment_expression")) {
                SyntaxNode left = n.child("left");
                if (left != null && left.is("field_expression") && isHandlerField(left.child("field"))) {
                    String name = functionName(n.child("right"));
                    if (name != null) {
                        out.add(new SaAssignment(name, n, left.child("argument")));
                    }
                }
            } else if (n.is("initializer_pair")) {
                SyntaxNode designator = n.child("designator");
                if (designator != null && designator.is("field_designator")
                        && isHandlerField(designator.children().isEmpty() ? null : designator.children().get(0))) {
                    String name = functionName(n.child("value"));
                    if (name != null) {
                        out.add(new SaAssignment(name, n, null));
                    }
                }
            }
        });
        return out;
    }

    private static boolean isHandlerField(SyntaxNode field) {
        return field != null && (field.text().equals("sa_handler") || field.text().equals("sa_sigaction"));
    }

    /** The signal of a {@code sigaction(SIG, &act, ...)} call anywhere in the program that uses {@code act}. */
    private static String signalUsing(CProgram program, String act) {
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if ("sigaction".equals(c.calleeName()) && c.argument(0) != null && c.argument(1) != null
                        && c.argument(1).stripParensAndCasts().text().replace("&", "").trim().equals(act)) {
                    return c.argument(0).text();
                }
            }
        }
        return "a signal";
    }

    /** The signal of the {@code sigaction(SIG, &act, ...)} call that uses the assigned struct, if there is one. */
    private static String signalForSigaction(CFunction f, SaAssignment a) {
        String var = a.structExpr() == null ? null : a.structExpr().text();
        String fallback = null;
        for (CallSite c : f.calls()) {
            if ("sigaction".equals(c.calleeName()) || "Sigaction".equals(c.calleeName())) {
                SyntaxNode act = c.argument(1);
                String actName = act == null ? null : act.stripParensAndCasts().text().replace("&", "").trim();
                if (c.argument(0) != null) {
                    if (var != null && var.equals(actName)) {
                        return c.argument(0).text();
                    }
                    if (fallback == null) {
                        fallback = c.argument(0).text();
                    }
                }
            }
        }
        return fallback != null ? fallback : "a signal";
    }

    /** The function named by a handler argument: {@code h}, {@code &h}, {@code (void (*)(int))h}. */
    static String functionName(SyntaxNode arg) {
        if (arg == null) {
            return null;
        }
        SyntaxNode n = arg.stripParensAndCasts();
        if (n.is("pointer_expression") && n.child("operator") != null && n.child("operator").text().equals("&")) {
            n = n.child("argument").stripParensAndCasts();
        }
        return n.is("identifier") ? n.text() : null;
    }

    private static String identifierName(SyntaxNode arg) {
        if (arg == null) {
            return null;
        }
        SyntaxNode n = arg.stripParensAndCasts();
        return n.is("identifier") ? n.text() : null;
    }

    /** For tests and the report: every handler name with the signals it is installed for. */
    public Map<String, List<String>> handlerSummary() {
        Map<String, List<String>> m = new HashMap<>();
        for (SignalHandler h : signalHandlers) {
            m.computeIfAbsent(h.handlerName(), k -> new ArrayList<>()).add(h.signal());
        }
        return m;
    }
}
