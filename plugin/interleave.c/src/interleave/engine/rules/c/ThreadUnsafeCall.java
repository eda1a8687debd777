package interleave.engine.rules.c;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Includes;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;
import interleave.engine.c.facts.ThreadFacts;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Fix;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.finding.TextEdit;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleInfo;

/**
 * Code that runs on a thread (a start routine and every function it reaches) calls a library function that is not
 * thread-safe: it keeps its result or its state in static storage that all threads share ({@code strtok},
 * {@code localtime}, {@code gethostbyname}, ...). One finding per function and unsafe library function, at its first
 * call, with the chain from the thread's creation. The list is POSIX's by default, glibc's with
 * {@code thread-unsafe-call.functions = glibc}.
 */
@RuleInfo(id = ThreadUnsafeCall.ID, title = "Thread-unsafe library call in a thread",
        summary = "Code run by a thread calls a function that keeps its result or state in static storage shared"
                + " by all threads (strtok, localtime, gethostbyname, ...); use the reentrant _r version.",
        severity = Severity.WARNING,
        concept = "Thread safety: thread-unsafe functions (static state, returning a pointer to a static variable)"
                + " and their reentrant versions",
        references = {
                "POSIX XSH 2.9.1 Thread-Safety|https://pubs.opengroup.org/onlinepubs/9699919799/functions/V2_chap02.html#tag_15_09_01",
                "CERT CON33-C|https://wiki.sei.cmu.edu/confluence/display/c/CON33-C.+Avoid+race+conditions+when+using+library+functions",
                "attributes(7)|https://man7.org/linux/man-pages/man7/attributes.7.html" })
public final class ThreadUnsafeCall implements CRule {
    public static final String ID = "thread-unsafe-call";

    @Override
    public void check(CProgram program, RuleContext context) {
        String set = context.option("functions", "posix").trim();
        Set<String> unsafe;
        switch (set) {
        case "posix" -> unsafe = ThreadSafety.POSIX;
        case "glibc" -> unsafe = ThreadSafety.GLIBC;
        default -> {
            context.invalidOption("functions", set, "posix or glibc");
            unsafe = ThreadSafety.POSIX;
            set = "posix";
        }
        }
        String listName = set.equals("posix") ? "POSIX" : "glibc";
        int maxDepth = maxDepth(context);
        boolean envChanged = changesEnvironment(program);
        ThreadFacts facts = ThreadFacts.of(program);
        for (ThreadFacts.Reach reach : facts.reachableFromThreads().values()) {
            CFunction f = reach.function();
            if (f.name().equals("main") || reach.path().size() > maxDepth) {
                continue;
            }
            Map<String, List<CallSite>> byFunction = new LinkedHashMap<>();
            for (CallSite c : f.calls()) {
                if (c.calleeName() == null || !program.resolve(c.calleeName(), f.file()).isEmpty()) {
                    continue; // defined in the analyzed code: followed by the reach, not a library call
                }
                String lib = c.function();
                if (!unsafe.contains(lib) || ThreadSafety.ONLY_WITH_NULL.contains(lib) && !nullFirstArgument(c)
                        || ThreadSafety.ENVIRONMENT_READERS.contains(lib) && !envChanged
                        || isFallbackForReentrant(c.call(), lib) || underLock(c) || pathUnderLock(reach)) {
                    continue;
                }
                byFunction.computeIfAbsent(lib, k -> new ArrayList<>()).add(c);
            }
            byFunction.forEach((lib, calls) -> context.report(finding(program, reach, lib, calls, listName)));
        }
    }

    /**
     * How many calls away from the start routine a function may be and still be reported ({@code max-depth}, default
     * 3). The call graph does not know which branches run on which thread; in large programs the long chains mostly
     * lead into code that only the main thread runs (a worker's read handler reaching the command processor).
     */
    private static int maxDepth(RuleContext context) {
        String v = context.option("max-depth", "3").trim();
        try {
            int d = Integer.parseInt(v);
            if (d >= 0) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        context.invalidOption("max-depth", v, "a whole number of calls, 0 or more");
        return 3;
    }

    /** getenv races only with code that changes the environment; a program that never does is safe. */
    private static boolean changesEnvironment(CProgram program) {
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if (c.calls(ThreadSafety.ENVIRONMENT_WRITERS)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code #if HAVE_LOCALTIME_R ... localtime_r(...) #else ... localtime(...) #endif}: the unsafe call is only the
     * fallback for platforms without the reentrant version, which the same conditional uses.
     */
    private static boolean isFallbackForReentrant(SyntaxNode call, String lib) {
        for (SyntaxNode p = call.parent(); p != null && !p.is("function_definition"); p = p.parent()) {
            if (p.is("preproc_if") || p.is("preproc_ifdef")) {
                if (p.text().contains(lib + "_r")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final Set<String> LOCKS = Set.of("pthread_mutex_lock", "sem_wait", "pthread_rwlock_wrlock",
            "pthread_rwlock_rdlock", "pthread_spin_lock", "mtx_lock");
    private static final Set<String> UNLOCKS = Set.of("pthread_mutex_unlock", "sem_post", "pthread_rwlock_unlock",
            "pthread_spin_unlock", "mtx_unlock");

    /**
     * The lecture's lock-and-copy: the call sits between a lock and the unlock of the same lock in its function
     * ({@code P(&mutex); hp = gethostbyname(name); copy; V(&mutex);}). Taken as protected; the rule does not check
     * that every other caller takes the same lock.
     */
    private static boolean underLock(CallSite c) {
        String held = null;
        for (CallSite x : c.caller().calls()) {
            if (x.call().startByte() >= c.call().startByte()) {
                break;
            }
            SyntaxNode a = x.argument(0);
            if (a == null) {
                continue;
            }
            if (x.calls(LOCKS)) {
                held = a.text().replaceAll("\\s", "");
            } else if (x.calls(UNLOCKS) && a.text().replaceAll("\\s", "").equals(held)) {
                held = null;
            }
        }
        if (held == null) {
            return false;
        }
        for (CallSite x : c.caller().calls()) {
            if (x.call().startByte() > c.call().endByte() && x.calls(UNLOCKS) && x.argument(0) != null
                    && x.argument(0).text().replaceAll("\\s", "").equals(held)) {
                return true;
            }
        }
        return false;
    }

    /** A call on the way from the start routine is made under a lock: everything below it runs under that lock. */
    private static boolean pathUnderLock(ThreadFacts.Reach reach) {
        for (CallSite step : reach.path()) {
            if (underLock(step)) {
                return true;
            }
        }
        return false;
    }

    private static boolean nullFirstArgument(CallSite c) {
        SyntaxNode a = c.argument(0);
        if (a == null) {
            return true;
        }
        String t = a.stripParensAndCasts().text().trim();
        return t.equals("NULL") || t.equals("0");
    }

    private Finding finding(CProgram program, ThreadFacts.Reach reach, String lib, List<CallSite> calls,
            String listName) {
        CFunction f = reach.function();
        CallSite first = calls.get(0);
        ThreadSafety.Entry e = ThreadSafety.ENTRIES.get(lib);
        String name = first.calleeName();
        String what = name.equals(lib) ? lib + "()" : name + "() (which calls " + lib + "())";
        String where = reach.path().isEmpty() ? f.name() + "(), the start routine of a thread"
                : f.name() + "(), which runs on the thread started on " + reach.routine().name() + "()";
        String message = what + " is not thread-safe (" + listName + "): it " + e.why() + ", and it is called in "
                + where + ". Threads that call it at the same time can see or corrupt each other's data (static state"
                + " shared between threads). Thread-safe way: " + e.instead() + ".";
        List<RelatedLocation> notes = new ArrayList<>();
        notes.add(new RelatedLocation(reach.start().call().call().range(), "a thread is started here on "
                + reach.start().routineName() + "()"));
        for (CallSite step : reach.path()) {
            notes.add(new RelatedLocation(step.call().range(), step.calleeName() + "() is called here from "
                    + step.caller().name() + "(), on that thread"));
        }
        for (int i = 1; i < calls.size(); i++) {
            notes.add(new RelatedLocation(calls.get(i).calleeNode().range(), lib + "() is called again here"));
        }
        String anchor = f.name() + "|" + lib;
        return Finding.of(ID, Severity.WARNING, message, first.calleeNode().range(), notes,
                fixes(program, f, lib, calls), anchor);
    }

    private static List<Fix> fixes(CProgram program, CFunction f, String lib, List<CallSite> calls) {
        for (CallSite c : calls) {
            if (!c.calleeName().equals(lib)) {
                return List.of(); // through a wrapper: its signature is not ours to change
            }
        }
        Fix fix = switch (lib) {
        case "strtok" -> strtokFix(program, f, calls);
        case "localtime", "gmtime" -> bufferFix(f, lib, calls, "struct tm", true);
        case "ctime", "asctime" -> bufferFix(f, lib, calls, "char", false);
        default -> null;
        };
        return fix == null ? List.of() : List.of(fix);
    }

    /**
     * Every strtok call of the function becomes strtok_r with one save pointer declared at the top of the function.
     * That keeps the meaning as long as the function starts its own sequences: its first call (in source order)
     * passes a string, and nothing it calls continues a sequence with strtok(NULL, ...).
     */
    private static Fix strtokFix(CProgram program, CFunction f, List<CallSite> calls) {
        for (CallSite c : calls) {
            if (c.arguments().size() != 2) {
                return null;
            }
        }
        if (nullFirstArgument(calls.get(0))) {
            return null; // continues a sequence started elsewhere
        }
        ArrayDeque<CFunction> queue = new ArrayDeque<>();
        Set<CFunction> seen = new HashSet<>();
        program.callees(f).values().forEach(queue::addAll);
        while (!queue.isEmpty()) {
            CFunction g = queue.poll();
            if (!seen.add(g)) {
                continue;
            }
            for (CallSite c : g.calls()) {
                if ("strtok".equals(c.function()) && nullFirstArgument(c)) {
                    return null;
                }
            }
            program.callees(g).values().forEach(queue::addAll);
        }
        String save = Includes.freshName(f, "saveptr");
        String file = f.file().path();
        List<TextEdit> edits = new ArrayList<>();
        edits.add(TextEdit.insert(file, f.body().startChar() + 1, "\n" + bodyIndent(f) + "char *" + save + ";"
                + " /* this function's own strtok_r position */"));
        for (CallSite c : calls) {
            SyntaxNode fn = c.calleeNode();
            edits.add(new TextEdit(file, fn.startChar(), fn.endChar(), "strtok_r"));
            SyntaxNode args = c.call().child("arguments");
            edits.add(TextEdit.insert(file, args.endChar() - 1, ", &" + save));
        }
        return new Fix("Use strtok_r() with a save pointer of " + f.name() + "()'s own", edits);
    }

    /**
     * {@code struct tm *tm = localtime(&t);} becomes {@code struct tm tm_buf; struct tm *tm = localtime_r(&t,
     * &tm_buf);}; an assignment {@code tm = localtime(&t);} gets its buffer declared right after {@code tm}'s
     * declaration, so the buffer lives exactly as long as the pointer. Only when the pointer is a local that is not
     * returned, stored or copied: then nothing can use the buffer after its block ends.
     */
    private static Fix bufferFix(CFunction f, String lib, List<CallSite> calls, String bufType, boolean struct) {
        String file = f.file().path();
        List<TextEdit> edits = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        Map<SyntaxNode, String> bufferOf = new java.util.HashMap<>(); // one buffer per assigned pointer
        for (CallSite c : calls) {
            SyntaxNode call = c.call();
            SyntaxNode parent = call.parent();
            while (parent != null && (parent.is("parenthesized_expression") || parent.is("cast_expression"))) {
                parent = parent.parent();
            }
            if (parent == null) {
                return null;
            }
            SyntaxNode pointerId;
            SyntaxNode insertBefore;
            if (parent.is("init_declarator")) {
                SyntaxNode d = parent.child("declarator");
                if (d == null || !d.is("pointer_declarator") || !d.child("declarator").is("identifier")) {
                    return null;
                }
                pointerId = d.child("declarator");
                insertBefore = parent.parent();
                if (insertBefore == null || !insertBefore.is("declaration") || insertBefore.parent() == null
                        || !insertBefore.parent().is("compound_statement")) {
                    return null;
                }
            } else if (parent.is("assignment_expression") && parent.child("left").is("identifier")
                    && parent.child("operator").text().equals("=")
                    && parent.parent() != null && parent.parent().is("expression_statement")) {
                Variable v = Scopes.resolve(parent.child("left"));
                if (v == null || v.storage() != interleave.engine.c.Storage.AUTOMATIC
                        || !v.declaration().is("declaration") || v.declaration().parent() == null
                        || !v.declaration().parent().is("compound_statement")) {
                    return null;
                }
                pointerId = v.declarator();
                insertBefore = v.declaration().nextSibling();
                if (insertBefore == null) {
                    return null;
                }
            } else {
                return null;
            }
            if (!staysLocal(f, pointerId.text())) {
                return null;
            }
            String buf = bufferOf.get(pointerId);
            if (buf == null) {
                buf = Includes.freshName(f, pointerId.text() + "_buf");
                while (!taken.add(buf)) {
                    buf = Includes.freshName(f, buf + "x");
                }
                bufferOf.put(pointerId, buf);
                String indent = Includes.indentOf(insertBefore);
                String decl = struct ? bufType + " " + buf + ";" : bufType + " " + buf + "[26];";
                edits.add(TextEdit.insert(file, insertBefore.startChar(), decl + " /* " + lib
                        + "_r() writes here */\n" + indent));
            }
            SyntaxNode fn = c.calleeNode();
            edits.add(new TextEdit(file, fn.startChar(), fn.endChar(), lib + "_r"));
            SyntaxNode args = call.child("arguments");
            edits.add(TextEdit.insert(file, args.endChar() - 1, struct ? ", &" + buf : ", " + buf));
        }
        String what = struct ? "a struct tm" : "a buffer";
        return new Fix("Use " + lib + "_r() with " + what + " of " + f.name() + "()'s own", edits);
    }

    /** The pointer is only dereferenced or passed to calls: never returned, copied, stored or its address taken. */
    private static boolean staysLocal(CFunction f, String name) {
        for (SyntaxNode id : f.body().descendants("identifier")) {
            if (!id.text().equals(name)) {
                continue;
            }
            SyntaxNode n = id;
            while (n.parent() != null && (n.parent().is("parenthesized_expression")
                    || n.parent().is("cast_expression"))) {
                n = n.parent();
            }
            SyntaxNode p = n.parent();
            if (p == null) {
                return false;
            }
            if (p.is("return_statement") || p.is("init_declarator") && n == p.child("value")
                    || p.is("assignment_expression") && n == p.child("right")
                    || p.is("pointer_expression") && p.child("operator").text().equals("&")) {
                return false;
            }
        }
        return true;
    }

    private static String bodyIndent(CFunction f) {
        for (SyntaxNode s : f.body().children()) {
            if (!s.is("comment")) {
                String i = Includes.indentOf(s);
                return i.isEmpty() ? "    " : i;
            }
        }
        return "    ";
    }

}
