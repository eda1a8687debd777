package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;

/**
 * Where descriptors come from {@code accept} and where they are closed: {@code close(fd)} directly, through a
 * wrapper ({@code Close}), or through a function of the program that closes one of its parameters (followed to a
 * fixpoint, so helpers of helpers count), and functions that return what {@code accept} returned (the samples'
 * {@code accept_client}). Also whether a descriptor escapes a region (stored, handed to a function that may keep it).
 */
public final class DescriptorFacts {
    static final Set<String> ACCEPTS = Set.of("accept", "accept4");
    static final Set<String> CLOSE_ALL = Set.of("closefrom", "close_range");

    /**
     * Library functions that use a descriptor without taking it over: passing the descriptor to them does not make
     * someone else responsible for closing it.
     */
    static final Set<String> BORROWS = Set.of("read", "write", "recv", "send", "recvfrom", "sendto", "recvmsg",
            "sendmsg", "readv", "writev", "pread", "pwrite", "printf", "fprintf", "dprintf", "snprintf", "sprintf",
            "syslog", "setsockopt", "getsockopt", "getpeername", "getsockname", "fcntl", "ioctl", "shutdown",
            "fstat", "fsync", "isatty", "inet_ntop", "ntohs", "htons", "select", "poll", "FD_SET", "FD_CLR",
            "FD_ISSET", "perror", "fputs", "puts", "log_msg", "sleep", "usleep");

    /** A descriptor stored from {@code accept} (or a helper returning it): {@code connfd = accept(listenfd, ...)}. */
    public record Accepted(String descriptor, String listening, CallSite call, SyntaxNode store) {
    }

    private final CProgram program;
    private final Map<SyntaxNode, CallSite> callAt = new HashMap<>();
    private final Map<CFunction, Set<Integer>> closesParameter = new HashMap<>();
    /** Functions returning an accepted descriptor, with the index of their listening-socket parameter (-1 unknown). */
    private final Map<CFunction, Integer> returnsAccepted = new HashMap<>();
    private final Set<CFunction> inProgress = new HashSet<>();

    private DescriptorFacts(CProgram program) {
        this.program = program;
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                callAt.put(c.call(), c);
            }
        }
    }

    /** The parameters a function of the program closes, directly or through its own helpers; decided on demand. */
    private Set<Integer> closedParameters(CFunction f) {
        Set<Integer> known = closesParameter.get(f);
        if (known != null) {
            return known;
        }
        if (inProgress.size() > 20 || !inProgress.add(f)) {
            return Set.of();
        }
        Set<Integer> out = new HashSet<>();
        for (CallSite c : f.calls()) {
            for (int i = 0; i < c.arguments().size(); i++) {
                String arg = identifier(c.argument(i));
                int p = arg == null ? -1 : f.parameters().indexOf(arg);
                if (p >= 0 && closesArgument(c, i)) {
                    out.add(p);
                }
            }
        }
        inProgress.remove(f);
        closesParameter.put(f, out);
        return out;
    }

    /** The listening parameter's index of a function returning an accepted descriptor (-1 unknown), else null. */
    private Integer acceptingFunction(CFunction f) {
        if (returnsAccepted.containsKey(f)) {
            return returnsAccepted.get(f);
        }
        if (inProgress.size() > 20 || !inProgress.add(f)) {
            return null;
        }
        Integer listen = acceptedReturn(f);
        inProgress.remove(f);
        returnsAccepted.put(f, listen);
        return listen;
    }

    public static DescriptorFacts of(CProgram program) {
        return program.facts(DescriptorFacts.class, DescriptorFacts::new);
    }

    /** The call site object of a call node of the program. */
    public CallSite callAt(SyntaxNode call) {
        return callAt.get(call);
    }

    /** True when the call closes the descriptor passed as its argument {@code i}. */
    public boolean closesArgument(CallSite c, int i) {
        if (i == 0 && "close".equals(c.function()) && program.resolve(c.calleeName(), c.caller().file()).isEmpty()) {
            return true;
        }
        for (CFunction t : targets(c)) {
            if (closedParameters(t).contains(i)) {
                return true;
            }
        }
        return false;
    }

    private List<CFunction> targets(CallSite c) {
        return c.calleeName() == null ? List.of() : program.resolve(c.calleeName(), c.caller().file());
    }

    /** True when the call stands for accept, or for a function of the program that returns accept's result. */
    public boolean accepts(CallSite c) {
        if (c.calls(ACCEPTS) && targets(c).isEmpty()) {
            return true;
        }
        List<CFunction> t = targets(c);
        if (t.isEmpty()) {
            return c.calleeName() != null && c.calleeName().toLowerCase(java.util.Locale.ROOT).contains("accept")
                    && !c.arguments().isEmpty(); // an accepting helper not among the analyzed files
        }
        return t.stream().allMatch(f -> acceptingFunction(f) != null);
    }

    /** The listening descriptor an accepting call reads, as written at the call, or null. */
    private String listeningOf(CallSite c) {
        if (c.calls(ACCEPTS) && targets(c).isEmpty()) {
            return c.argument(0) == null ? null : c.argument(0).stripParensAndCasts().text();
        }
        List<CFunction> t = targets(c);
        if (t.isEmpty()) {
            // a helper we cannot see: the argument that names a listening socket, else the first one
            for (SyntaxNode a : c.arguments()) {
                if (a.stripParensAndCasts().text().toLowerCase(java.util.Locale.ROOT).contains("listen")) {
                    return a.stripParensAndCasts().text();
                }
            }
            return identifier(c.argument(0));
        }
        Integer p = acceptingFunction(t.get(0));
        return p != null && p >= 0 && c.argument(p) != null ? c.argument(p).stripParensAndCasts().text() : null;
    }

    /** {@code return accept(...)} or {@code fd = accept(...); ... return fd;}: the listening parameter's index. */
    private Integer acceptedReturn(CFunction f) {
        Map<String, CallSite> stored = new HashMap<>();
        for (CallSite c : f.calls()) {
            String to = assignedTo(c.call());
            if (to != null && accepts(c)) {
                stored.put(to, c);
            }
        }
        Integer found = null;
        for (SyntaxNode r : f.body().descendants("return_statement")) {
            if (r.children().isEmpty()) {
                continue;
            }
            SyntaxNode v = r.children().get(0).stripParensAndCasts();
            CallSite c = v.is("call_expression") ? callAt.get(v) : stored.get(v.text());
            if (c == null || !accepts(c) || c.caller() != f) {
                continue;
            }
            String listen = listeningOf(c);
            found = listen == null ? -1 : f.parameters().indexOf(listen);
        }
        return found;
    }

    /** The variable a call's result is stored in ({@code x = call()}, {@code int x = call()}), or null. */
    public static String assignedTo(SyntaxNode call) {
        SyntaxNode p = call.parent();
        while (p != null && (p.is("parenthesized_expression") || p.is("cast_expression"))) {
            p = p.parent();
        }
        if (p != null && p.is("assignment_expression") && p.child("operator") != null
                && p.child("operator").text().equals("=") && p.child("left") != null) {
            return p.child("left").stripParensAndCasts().text();
        }
        if (p != null && p.is("init_declarator") && p.child("declarator") != null) {
            SyntaxNode d = p.child("declarator");
            return d.is("identifier") ? d.text() : null;
        }
        return null;
    }

    /** The last descriptor accepted inside {@code loop} (its header or body) before {@code before}, or null. */
    public Accepted acceptedIn(SyntaxNode loop, SyntaxNode before) {
        Accepted last = null;
        for (SyntaxNode n : loop.descendants("call_expression")) {
            if (n.startByte() >= before.startByte()) {
                break;
            }
            CallSite c = callAt.get(n);
            if (c == null || !accepts(c)) {
                continue;
            }
            String to = assignedTo(n);
            if (to != null) {
                last = new Accepted(to, listeningOf(c), c, n.parent());
            }
        }
        return last;
    }

    /**
     * The call in {@code region} (or in a function it calls, a few levels deep) that closes {@code fd}, or null.
     * {@code closefrom}, {@code close_range} and a {@code close(i)} loop over descriptors close it too.
     */
    public SyntaxNode closeOf(List<SyntaxNode> region, String fd) {
        for (SyntaxNode n : region) {
            for (SyntaxNode call : n.descendants("call_expression")) {
                CallSite c = callAt.get(call);
                if (c == null) {
                    continue;
                }
                for (int i = 0; i < c.arguments().size(); i++) {
                    if (fd.equals(c.argument(i).stripParensAndCasts().text()) && closesArgument(c, i)) {
                        return call;
                    }
                }
                if (closesAll(c, 0) || closesGlobal(c, fd, 0)) {
                    return call;
                }
            }
        }
        return null;
    }

    /** closefrom(), close_range(), or close(i) with i the counter of a loop around it; in helpers too. */
    private boolean closesAll(CallSite c, int depth) {
        if (c.calls(CLOSE_ALL)) {
            return true;
        }
        if ("close".equals(c.function()) && c.argument(0) != null) {
            String v = identifier(c.argument(0));
            for (SyntaxNode loop : Scopes.enclosingLoops(c.call(), c.caller().body())) {
                SyntaxNode update = loop.child("update");
                if (v != null && update != null && !Scopes.writesTo(update, v).isEmpty()) {
                    return true;
                }
            }
        }
        if (depth < 2) {
            for (CFunction t : targets(c)) {
                for (CallSite inner : t.calls()) {
                    if (closesAll(inner, depth + 1)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A helper that closes the same global descriptor by name ({@code close(listenfd)} with a global listenfd). */
    private boolean closesGlobal(CallSite c, String fd, int depth) {
        if (depth >= 3) {
            return false;
        }
        for (CFunction t : targets(c)) {
            for (CallSite inner : t.calls()) {
                SyntaxNode a = inner.argument(0);
                if (a != null && "close".equals(inner.function()) && fd.equals(a.stripParensAndCasts().text())
                        && !isLocal(a.stripParensAndCasts())) {
                    return true;
                }
                if (closesGlobal(inner, fd, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isLocal(SyntaxNode use) {
        if (!use.is("identifier")) {
            return true; // a field or an element: another object than the caller's
        }
        Variable v = Scopes.resolve(use);
        return v != null && (v.storage().isAutomatic() || v.storage() == interleave.engine.c.Storage.PARAMETER);
    }

    /**
     * The first use of {@code fd} in the region after which someone else may close it: stored into another variable
     * or array, its address taken, or passed to a function that is neither a known borrower nor known to close it.
     */
    public SyntaxNode escape(List<SyntaxNode> region, String fd) {
        for (SyntaxNode n : region) {
            List<SyntaxNode> uses = new ArrayList<>();
            n.walk(x -> {
                if ((x.is("identifier") || x.is("field_expression")) && x.text().equals(fd)) {
                    uses.add(x);
                }
            });
            for (SyntaxNode u : uses) {
                SyntaxNode p = u.parent();
                while (p != null && (p.is("parenthesized_expression") || p.is("cast_expression"))) {
                    p = p.parent();
                }
                if (p == null) {
                    continue;
                }
                if (p.is("argument_list")) {
                    CallSite c = callAt.get(p.parent());
                    if (c == null) {
                        return u;
                    }
                    int i = c.arguments().indexOf(u);
                    if (i < 0) {
                        for (int k = 0; k < c.arguments().size(); k++) {
                            if (c.argument(k).contains(u)) {
                                i = k;
                            }
                        }
                    }
                    if (closesArgument(c, i)) {
                        continue;
                    }
                    boolean library = targets(c).isEmpty();
                    if (!library || c.function() == null || !BORROWS.contains(c.function())) {
                        return u;
                    }
                } else if (p.is("assignment_expression") && p.child("right") != null
                        && p.child("right").contains(u)) {
                    return u;
                } else if (p.is("init_declarator") || p.is("initializer_list") || p.is("return_statement")) {
                    return u;
                } else if (p.is("pointer_expression") && p.child("operator") != null
                        && p.child("operator").text().equals("&")) {
                    return u;
                }
            }
        }
        return null;
    }

    /** True when the region mentions the name at all. */
    public static boolean mentions(List<SyntaxNode> region, String name) {
        for (SyntaxNode n : region) {
            boolean[] found = {false};
            n.walk(x -> {
                if (!found[0] && (x.is("identifier") || x.is("field_expression")) && x.text().equals(name)) {
                    found[0] = true;
                }
            });
            if (found[0]) {
                return true;
            }
        }
        return false;
    }

    private static String identifier(SyntaxNode arg) {
        if (arg == null) {
            return null;
        }
        SyntaxNode n = arg.stripParensAndCasts();
        return n.is("identifier") ? n.text() : null;
    }
}
