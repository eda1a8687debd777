package interleave.engine.c.facts;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Wrappers;

/**
 * How control leaves a statement: falls through to the next one, returns, breaks, continues, jumps, or ends the process
 * ({@code exit}, {@code _exit}, {@code exec*}, or a function of the program that never returns). Structured only: a
 * {@code goto} is one more way out, labels are not followed back.
 */
public final class Flow {
    /** The ways out of a statement. */
    public enum Exit {
        NORMAL, RETURN, BREAK, CONTINUE, EXIT, GOTO
    }

    /**
     * Library functions that do not come back to their caller. {@code exec*} only come back on failure, and the code
     * after a failed exec is an error path; the lecture's and UNP's error reporters exit.
     */
    static final Set<String> NO_RETURN = Set.of("exit", "_exit", "_Exit", "abort", "quick_exit", "execl", "execlp",
            "execle", "execv", "execvp", "execve", "execvpe", "fexecve", "pthread_exit", "thrd_exit", "err", "errx",
            "verr", "verrx", "longjmp", "siglongjmp", "__assert_fail", "__builtin_unreachable", "unix_error",
            "posix_error", "gai_error", "app_error", "dns_error", "err_sys", "err_quit", "err_dump");

    private final CProgram program;
    private final Map<CFunction, Boolean> noReturn = new HashMap<>();
    private final Set<CFunction> inProgress = new HashSet<>();
    private final Map<SyntaxNode, EnumSet<Exit>> memo = new HashMap<>();

    private Flow(CProgram program) {
        this.program = program;
    }

    public static Flow of(CProgram program) {
        return program.facts(Flow.class, Flow::new);
    }

    /** True when a call to {@code name} from {@code from}'s file never comes back. */
    public boolean neverReturns(String name, CFunction from) {
        if (name == null) {
            return false;
        }
        List<CFunction> targets = from == null ? List.of() : program.resolve(name, from.file());
        if (!targets.isEmpty()) {
            for (CFunction t : targets) {
                if (!neverReturns(t)) {
                    return false;
                }
            }
            return true;
        }
        return NO_RETURN.contains(Wrappers.unwrap(name));
    }

    /**
     * True when the function, defined in the program, never returns to its caller: no path reaches its end or a
     * {@code return}. Asked on demand; a function met again while it is being decided (recursion), or too deep in a
     * chain of calls, counts as returning.
     */
    public boolean neverReturns(CFunction f) {
        Boolean known = noReturn.get(f);
        if (known != null) {
            return known;
        }
        if (inProgress.size() > 40 || !inProgress.add(f)) {
            return false;
        }
        EnumSet<Exit> e = exits(f.body());
        inProgress.remove(f);
        boolean never = !e.contains(Exit.NORMAL) && !e.contains(Exit.RETURN) && !e.contains(Exit.GOTO);
        noReturn.put(f, never);
        return never;
    }

    /** The ways out of a statement (a block, an if, a loop, ...). */
    public EnumSet<Exit> exits(SyntaxNode stmt) {
        EnumSet<Exit> known = memo.get(stmt);
        if (known != null) {
            return EnumSet.copyOf(known);
        }
        EnumSet<Exit> e = compute(stmt);
        memo.put(stmt, EnumSet.copyOf(e));
        return e;
    }

    /** True when control can go on after the statement (it does not always leave by return, exit, ...). */
    public boolean fallsThrough(SyntaxNode stmt) {
        return exits(stmt).contains(Exit.NORMAL);
    }

    private EnumSet<Exit> compute(SyntaxNode s) {
        switch (s.kind()) {
        case "compound_statement":
            return sequence(s.children());
        case "expression_statement":
            return s.children().isEmpty() || !endsProcess(s.children().get(0)) ? EnumSet.of(Exit.NORMAL)
                    : EnumSet.of(Exit.EXIT);
        case "if_statement": {
            EnumSet<Exit> e = branch(s.child("consequence"));
            SyntaxNode alt = s.child("alternative");
            e.addAll(alt == null ? EnumSet.of(Exit.NORMAL) : branch(elseBody(alt)));
            return e;
        }
        case "switch_statement":
            return switchExits(s);
        case "while_statement":
        case "for_statement":
        case "do_statement": {
            EnumSet<Exit> body = branch(s.child("body"));
            EnumSet<Exit> out = EnumSet.noneOf(Exit.class);
            for (Exit x : body) {
                if (x == Exit.RETURN || x == Exit.EXIT || x == Exit.GOTO) {
                    out.add(x);
                }
            }
            if (!isInfinite(s) || body.contains(Exit.BREAK)) {
                out.add(Exit.NORMAL);
            }
            return out;
        }
        case "return_statement":
            return EnumSet.of(Exit.RETURN);
        case "break_statement":
            return EnumSet.of(Exit.BREAK);
        case "continue_statement":
            return EnumSet.of(Exit.CONTINUE);
        case "goto_statement":
            return EnumSet.of(Exit.GOTO);
        case "labeled_statement": {
            SyntaxNode inner = lastStatementChild(s);
            return inner == null ? EnumSet.of(Exit.NORMAL) : exits(inner);
        }
        default:
            return EnumSet.of(Exit.NORMAL);
        }
    }

    private EnumSet<Exit> branch(SyntaxNode n) {
        return n == null ? EnumSet.of(Exit.NORMAL) : exits(n);
    }

    /** The statement of an {@code else} clause. */
    public static SyntaxNode elseBody(SyntaxNode alternative) {
        if (alternative != null && alternative.is("else_clause")) {
            for (SyntaxNode c : alternative.children()) {
                if (!c.is("comment")) {
                    return c;
                }
            }
            return null;
        }
        return alternative;
    }

    private static SyntaxNode lastStatementChild(SyntaxNode labeled) {
        List<SyntaxNode> kids = labeled.children();
        for (int i = kids.size() - 1; i >= 0; i--) {
            if (!"label".equals(kids.get(i).field()) && !kids.get(i).is("comment")) {
                return kids.get(i);
            }
        }
        return null;
    }

    private EnumSet<Exit> sequence(List<SyntaxNode> statements) {
        EnumSet<Exit> out = EnumSet.noneOf(Exit.class);
        for (SyntaxNode c : statements) {
            EnumSet<Exit> e = exits(c);
            for (Exit x : e) {
                if (x != Exit.NORMAL) {
                    out.add(x);
                }
            }
            if (!e.contains(Exit.NORMAL)) {
                return out;
            }
        }
        out.add(Exit.NORMAL);
        return out;
    }

    private EnumSet<Exit> switchExits(SyntaxNode sw) {
        SyntaxNode body = sw.child("body");
        EnumSet<Exit> out = EnumSet.noneOf(Exit.class);
        if (body == null) {
            out.add(Exit.NORMAL);
            return out;
        }
        boolean hasDefault = false;
        List<SyntaxNode> cases = body.children().stream().filter(c -> c.is("case_statement")).toList();
        for (int i = 0; i < cases.size(); i++) {
            SyntaxNode c = cases.get(i);
            if (c.child("value") == null) {
                hasDefault = true;
            }
            EnumSet<Exit> e = sequence(c.children().stream().filter(k -> !"value".equals(k.field())).toList());
            if (e.remove(Exit.BREAK)) {
                out.add(Exit.NORMAL);
            }
            if (e.contains(Exit.NORMAL) && i + 1 < cases.size()) {
                e.remove(Exit.NORMAL); // falls into the next case, whose own exits are counted
            }
            out.addAll(e);
        }
        if (!hasDefault) {
            out.add(Exit.NORMAL);
        }
        return out;
    }

    /** for (;;), while (1), do ... while (1), while (true). */
    public static boolean isInfinite(SyntaxNode loop) {
        SyntaxNode cond = loop.child("condition");
        if (cond == null) {
            return loop.is("for_statement");
        }
        SyntaxNode c = cond.stripParensAndCasts();
        if (c.is("number_literal")) {
            String t = c.text().replaceAll("[uUlL]", "");
            return !t.equals("0") && !t.equals("0x0");
        }
        return c.is("true") || c.text().equals("true") || c.text().equals("TRUE");
    }

    /** True when evaluating the expression ends the process (a call that never returns, alone or in a comma list). */
    private boolean endsProcess(SyntaxNode expr) {
        SyntaxNode e = expr.stripParensAndCasts();
        if (e.is("comma_expression")) {
            for (SyntaxNode c : e.children()) {
                if (endsProcess(c)) {
                    return true;
                }
            }
            return false;
        }
        if (!e.is("call_expression")) {
            return false;
        }
        SyntaxNode fn = e.child("function");
        if (fn == null || !fn.stripParensAndCasts().is("identifier")) {
            return false;
        }
        return neverReturns(fn.stripParensAndCasts().text(), program.enclosingFunction(e));
    }
}
