package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.EntryPoints.SignalHandler;
import interleave.engine.c.SyntaxNode;

/**
 * What each function installed as a signal handler is for and how it ends: the signals it is installed for (all of
 * them: one {@code struct sigaction} is often passed to {@code sigaction} for five signals), whether it can end the
 * process, whether it ends it on every path. A handler whose signals are all fatal ones ({@code SIGSEGV},
 * {@code SIGBUS}, ...) and that ends the process is a crash handler: a last report before dying.
 */
public final class SignalHandlerFacts {

    /** Signals whose default action ends the process with a core dump, raised when the program itself went wrong. */
    public static final Set<String> FATAL = Set.of("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGSYS",
            "SIGTRAP");

    /** Calls that never return: the process (or, for the exec family, the program image) ends here. */
    public static final Set<String> NO_RETURN = Set.of("_exit", "_Exit", "exit", "quick_exit", "abort", "execv",
            "execve", "execvp", "execl", "execlp", "execle", "longjmp", "siglongjmp", "unix_error", "posix_error",
            "app_error", "gai_error", "dns_error", "err", "errx");

    /** The calls among {@link #NO_RETURN} that end the process (a jump back or an exec does not). */
    public static final Set<String> ENDS_PROCESS = Set.of("_exit", "_Exit", "exit", "quick_exit", "abort",
            "unix_error", "posix_error", "app_error", "gai_error", "dns_error", "err", "errx");

    /**
     * One handler function with everything known about it.
     *
     * @param registrations where it is installed
     * @param signals       every signal it is installed for, as written; "a signal" when one is not known
     * @param canEnd        some path through it or its helpers ends the process (re-raise, {@code _exit},
     *                      {@code abort}, {@code exit}, or the default action restored)
     * @param endsEveryPath every path through its body ends the process (it never returns)
     */
    public record Handler(CFunction function, List<SignalHandler> registrations, Set<String> signals, boolean canEnd,
            boolean endsEveryPath) {

        /** Installed only for fatal signals, and ends the process: a crash reporter. */
        public boolean isCrashHandler() {
            return canEnd && !signals.isEmpty() && FATAL.containsAll(signals);
        }
    }

    private final Map<CFunction, Handler> handlers;

    private SignalHandlerFacts(Map<CFunction, Handler> handlers) {
        this.handlers = handlers;
    }

    public static SignalHandlerFacts of(CProgram program) {
        return program.facts(SignalHandlerFacts.class, SignalHandlerFacts::derive);
    }

    /** The facts of a handler function, or null when it is not installed as one. */
    public Handler handler(CFunction f) {
        return handlers.get(f);
    }

    public List<Handler> handlers() {
        return List.copyOf(handlers.values());
    }

    private static SignalHandlerFacts derive(CProgram program) {
        Map<CFunction, List<SignalHandler>> regs = new LinkedHashMap<>();
        Map<CFunction, Set<String>> signals = new LinkedHashMap<>();
        for (SignalHandler h : program.entryPoints().signalHandlers()) {
            for (CFunction f : h.handler()) {
                regs.computeIfAbsent(f, k -> new ArrayList<>()).add(h);
                signals.computeIfAbsent(f, k -> new LinkedHashSet<>()).addAll(signalsOf(program, h));
            }
        }
        Map<CFunction, Handler> out = new LinkedHashMap<>();
        for (var e : regs.entrySet()) {
            CFunction f = e.getKey();
            boolean resetHand = e.getValue().stream().anyMatch(h -> setsResetHand(program, h));
            boolean canEnd = resetHand || canEnd(program, f, new HashSet<>());
            out.put(f, new Handler(f, List.copyOf(e.getValue()), Set.copyOf(signals.get(f)), canEnd,
                    endsEveryPath(program, f)));
        }
        return new SignalHandlerFacts(out);
    }

    /**
     * All signals of a registration: for {@code act.sa_handler = h} every {@code sigaction(SIG, &act, ...)} of the
     * same function, not only the first.
     */
    private static Set<String> signalsOf(CProgram program, SignalHandler h) {
        Set<String> out = new LinkedHashSet<>();
        String act = sigactionStruct(h);
        CFunction in = program.enclosingFunction(h.site());
        if (act != null && in != null) {
            for (CallSite c : in.calls()) {
                if ("sigaction".equals(c.function()) && c.argument(0) != null && c.argument(1) != null
                        && c.argument(1).stripParensAndCasts().text().replace("&", "").trim().equals(act)) {
                    out.add(c.argument(0).text().trim());
                }
            }
        }
        if (out.isEmpty()) {
            out.add(h.signal().trim());
        }
        return out;
    }

    /** {@code act} of {@code act.sa_handler = h} / {@code act->sa_sigaction = h}; null for other registrations. */
    private static String sigactionStruct(SignalHandler h) {
        SyntaxNode site = h.site();
        if (site.is("assignment_expression") && site.child("left") != null && site.child("left").is(
                "field_expression") && site.child("left").child("argument") != null) {
            return site.child("left").child("argument").text().trim();
        }
        return null;
    }

    /** {@code act.sa_flags = ... SA_RESETHAND ...} for the registration's struct: the default comes back by itself. */
    private static boolean setsResetHand(CProgram program, SignalHandler h) {
        String act = sigactionStruct(h);
        CFunction in = program.enclosingFunction(h.site());
        if (act == null || in == null) {
            return false;
        }
        for (SyntaxNode a : in.body().descendants("assignment_expression")) {
            SyntaxNode left = a.child("left");
            if (left != null && left.is("field_expression") && left.child("field") != null
                    && left.child("field").text().equals("sa_flags") && left.child("argument") != null
                    && left.child("argument").text().trim().equals(act) && a.child("right") != null
                    && a.child("right").text().contains("SA_RESETHAND")) {
                return true;
            }
        }
        return false;
    }

    /** Names a parser takes for called functions when macros are not expanded ({@code if(...)} after a macro). */
    public static final Set<String> NOT_A_FUNCTION = Set.of("if", "while", "for", "switch", "return", "sizeof",
            "do", "case", "else", "goto");

    /**
     * The analyzed definitions a call can reach: those {@link CProgram#resolve} gives, less the ones the call cannot
     * be to. A definition with a fixed number of parameters other than the call's arguments is another function of
     * the same name (a C++ member {@code void write()} in a header, a test shim); without this, {@code write(fd, buf,
     * n)} in a handler would be followed into a Qt adapter.
     */
    public static List<CFunction> targets(CProgram program, CallSite call) {
        String name = call.calleeName();
        if (name == null || NOT_A_FUNCTION.contains(name)) {
            return List.of();
        }
        List<CFunction> all = program.resolve(name, call.caller().file());
        int args = call.arguments().size();
        return all.stream().filter(f -> f.parameters().contains("...") || f.parameters().size() == args).toList();
    }

    /** Whether {@code f} or a function it calls ends the process, re-raises, or restores the default action. */
    private static boolean canEnd(CProgram program, CFunction f, Set<CFunction> visited) {
        if (!visited.add(f)) {
            return false;
        }
        for (CallSite c : f.calls()) {
            String name = c.function();
            if (name == null) {
                continue;
            }
            List<CFunction> targets = targets(program, c);
            if (!targets.isEmpty()) {
                for (CFunction t : targets) {
                    if (canEnd(program, t, visited)) {
                        return true;
                    }
                }
                continue;
            }
            if (ENDS_PROCESS.contains(name) || name.equals("raise") || name.equals("pthread_kill")
                    || name.equals("kill") && c.argument(0) != null && c.argument(0).text().contains("getpid")
                    || name.equals("signal") && c.argument(1) != null
                            && c.argument(1).text().trim().equals("SIG_DFL")) {
                return true;
            }
        }
        // act.sa_handler = SIG_DFL; sigaction(sig, &act, NULL);
        for (SyntaxNode a : f.body().descendants("assignment_expression")) {
            SyntaxNode left = a.child("left");
            if (left != null && left.is("field_expression") && left.child("field") != null
                    && left.child("field").text().equals("sa_handler") && a.child("right") != null
                    && a.child("right").text().trim().equals("SIG_DFL")) {
                return true;
            }
        }
        return false;
    }

    /** True when no path through the body of {@code f} reaches its end or a {@code return}. */
    public static boolean endsEveryPath(CProgram program, CFunction f) {
        return ends(program, f.body(), new HashSet<>(Set.of(f)));
    }

    /**
     * Whether control never leaves {@code stmt} normally (it always ends the process). Conservative: a statement not
     * understood does not end.
     */
    public static boolean ends(CProgram program, SyntaxNode stmt, Set<CFunction> visiting) {
        if (stmt == null) {
            return false;
        }
        switch (stmt.kind()) {
        case "compound_statement":
            for (SyntaxNode s : stmt.children()) {
                if (escapes(s)) {
                    return false;
                }
                if (ends(program, s, visiting)) {
                    return true;
                }
            }
            return false;
        case "preproc_if":
        case "preproc_ifdef":
        case "preproc_elif":
        case "preproc_else": {
            // #ifdef A ... #else ... #endif ends when every branch does (the branch kept is not known)
            SyntaxNode alt = stmt.child("alternative");
            boolean thisBranch = false;
            for (SyntaxNode s : stmt.children()) {
                if (s == alt || s == stmt.child("name") || s == stmt.child("condition")) {
                    continue;
                }
                if (escapes(s)) {
                    return false;
                }
                if (ends(program, s, visiting)) {
                    thisBranch = true;
                    break;
                }
            }
            return thisBranch && (stmt.is("preproc_else") || alt != null && ends(program, alt, visiting));
        }
        case "labeled_statement":
            return ends(program, stmt.children().get(stmt.children().size() - 1), visiting);
        case "if_statement": {
            SyntaxNode alt = stmt.child("alternative");
            if (alt != null && alt.is("else_clause")) {
                alt = alt.children().isEmpty() ? null : alt.children().get(alt.children().size() - 1);
            }
            return alt != null && ends(program, stmt.child("consequence"), visiting) && ends(program, alt, visiting);
        }
        case "expression_statement": {
            if (stmt.children().isEmpty()) {
                return false;
            }
            SyntaxNode e = stmt.children().get(0).stripParensAndCasts();
            if (!e.is("call_expression")) {
                return false;
            }
            SyntaxNode fn = e.child("function");
            if (fn == null || !fn.stripParensAndCasts().is("identifier")) {
                return false;
            }
            String name = fn.stripParensAndCasts().text();
            if (NO_RETURN.contains(interleave.engine.c.Wrappers.unwrap(name))) {
                return true;
            }
            CFunction caller = program.enclosingFunction(stmt);
            CallSite site = caller == null ? null : caller.calls().stream().filter(c -> c.call() == e).findFirst()
                    .orElse(null);
            for (CFunction t : site == null ? List.<CFunction>of() : targets(program, site)) {
                if (visiting.add(t)) {
                    boolean always = ends(program, t.body(), visiting);
                    visiting.remove(t);
                    if (always) {
                        return true;
                    }
                }
            }
            return false;
        }
        default:
            return false;
        }
    }

    /** A statement that can leave the function (return, goto) somewhere inside it. */
    public static boolean escapes(SyntaxNode stmt) {
        return !stmt.descendants("return_statement").isEmpty() || !stmt.descendants("goto_statement").isEmpty();
    }
}
