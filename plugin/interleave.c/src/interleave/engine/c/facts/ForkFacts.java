package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
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

/**
 * Every {@code fork()} of the program (wrappers such as {@code Fork} included) with the code each side runs after it.
 * The split is read from the usual shapes: {@code if ((pid = fork()) == 0) {child}}, {@code pid = fork();} followed by
 * {@code if (pid < 0)}, {@code if (pid == 0)} / {@code if (!pid)} / {@code if (pid > 0)} tests, {@code else} branches,
 * {@code switch (pid)} with {@code case 0} / {@code case -1} / {@code default}, and {@code if (fork() == 0)}. The
 * statements after the fork, up to the end of the enclosing loop's iteration (or of the function), are walked with
 * the set of outcomes (child, parent, failed fork) that can run them; a branch that ends in {@code exit},
 * {@code _exit}, {@code exec*}, {@code continue}, {@code return} or a function that never returns takes its outcomes
 * out of the code that follows.
 */
public final class ForkFacts {

    /** Which process runs a statement after the fork: the new child, the parent (pid > 0), or a parent whose fork failed. */
    public enum Outcome {
        CHILD, PARENT, FAILED
    }

    static final Set<String> FORKS = Set.of("fork", "vfork");

    /** Where a fix can insert a statement: at an offset, on a line of its own with the given indentation. */
    public record Insertion(int offset, String indent, boolean newlineFirst, Set<Outcome> by) {
        /** The text to insert for one statement. */
        public String text(String statement) {
            return newlineFirst ? "\n" + indent + statement : statement + "\n" + indent;
        }
    }

    /** One fork call and what happens after it. */
    public static final class ForkSite {
        private final CallSite call;
        private final String pid;
        private final SyntaxNode loop;
        private final Map<SyntaxNode, EnumSet<Outcome>> runs = new LinkedHashMap<>();
        private final EnumSet<Outcome> loopsBack = EnumSet.noneOf(Outcome.class);
        private final EnumSet<Outcome> leavesLoop = EnumSet.noneOf(Outcome.class);
        private final EnumSet<Outcome> ends = EnumSet.noneOf(Outcome.class);
        private boolean split;
        private Insertion childStart;
        private Insertion parentStart;
        private SyntaxNode childBranch;

        ForkSite(CallSite call, String pid, SyntaxNode loop) {
            this.call = call;
            this.pid = pid;
            this.loop = loop;
        }

        public CallSite call() {
            return call;
        }

        public CFunction function() {
            return call.caller();
        }

        /** The variable (or lvalue text) holding fork's result, or null when it is tested directly. */
        public String pid() {
            return pid;
        }

        /** The innermost loop of the function around the fork, or null. */
        public SyntaxNode loop() {
            return loop;
        }

        /** True when a test of the pid separates the child's code from the parent's. */
        public boolean recognised() {
            return split;
        }

        /** The statements after the fork (up to the end of the loop iteration or function) that {@code o} runs. */
        public List<SyntaxNode> statements(Outcome o) {
            List<SyntaxNode> out = new ArrayList<>();
            runs.forEach((n, set) -> {
                if (set.contains(o)) {
                    out.add(n);
                }
            });
            return out;
        }

        /** Which outcomes run this statement (one recorded after the fork), or null when it is not one of them. */
        public EnumSet<Outcome> runBy(SyntaxNode statement) {
            for (SyntaxNode p = statement; p != null; p = p.parent()) {
                EnumSet<Outcome> s = runs.get(p);
                if (s != null) {
                    return EnumSet.copyOf(s);
                }
            }
            return null;
        }

        /** Outcomes that reach the end of the loop iteration (or a {@code continue}) and go around again. */
        public Set<Outcome> loopsBack() {
            return Collections.unmodifiableSet(loopsBack);
        }

        /** Outcomes that leave the loop by {@code break}, or reach the end of the function or a {@code return}. */
        public Set<Outcome> leavesLoop() {
            return Collections.unmodifiableSet(leavesLoop);
        }

        /** Outcomes that end the process ({@code exit}, {@code _exit}, {@code exec*}, a function that never returns). */
        public Set<Outcome> ends() {
            return Collections.unmodifiableSet(ends);
        }

        /** The first branch only the child runs ({@code if (pid == 0) {...}}), or null. */
        public SyntaxNode childBranch() {
            return childBranch;
        }

        /** Where a statement run first thing by the child alone goes, or null when no such place is known. */
        public Insertion childStart() {
            return childStart;
        }

        /** Where a statement run by the parent alone, right after the child's branch, goes; or null. */
        public Insertion parentStart() {
            return parentStart;
        }

        @Override
        public String toString() {
            return "fork@" + call.call().line() + " runs=" + runs.size() + " back=" + loopsBack + " leave="
                    + leavesLoop + " end=" + ends;
        }
    }

    private final List<ForkSite> sites;

    private ForkFacts(List<ForkSite> sites) {
        this.sites = List.copyOf(sites);
    }

    /** An integer constant as written: {@code 0}, {@code -1}, {@code (pid_t)-1}; null otherwise. */
    static Long constant(SyntaxNode n) {
        return Walker.constant(n);
    }

    public static ForkFacts of(CProgram program) {
        return program.facts(ForkFacts.class, ForkFacts::derive);
    }

    public List<ForkSite> sites() {
        return sites;
    }

    private static ForkFacts derive(CProgram program) {
        Flow flow = Flow.of(program);
        List<ForkSite> out = new ArrayList<>();
        for (CFunction f : program.functions()) {
            for (CallSite c : f.calls()) {
                if (c.calls(FORKS) && c.arguments().isEmpty()) {
                    out.add(new Walker(flow, c).walk());
                }
            }
        }
        return new ForkFacts(out);
    }

    /** The walk over the statements after one fork. */
    private static final class Walker {
        private final Flow flow;
        private final CallSite call;
        private ForkSite site;
        private String pidText;

        Walker(Flow flow, CallSite call) {
            this.flow = flow;
            this.call = call;
        }

        ForkSite walk() {
            SyntaxNode fork = call.call();
            SyntaxNode body = call.caller().body();
            List<SyntaxNode> loops = Scopes.enclosingLoops(fork, body);
            SyntaxNode loop = loops.isEmpty() ? null : loops.get(0);
            SyntaxNode stmt = Scopes.enclosingStatement(fork);
            pidText = assignedTo(fork);
            site = new ForkSite(call, pidText, loop);
            if (loop != null && !loop.contains(stmt)) {
                return site; // fork in the loop's own header: no split to read
            }
            SyntaxNode block = stmt.parent();
            if (block == null || !block.is("compound_statement") || stmt.is("return_statement")) {
                return site;
            }
            EnumSet<Outcome> all = EnumSet.allOf(Outcome.class);
            EnumSet<Outcome> after;
            if ((stmt.is("if_statement") || stmt.is("switch_statement")) && stmt.child("condition") != null
                    && stmt.child("condition").contains(fork)) {
                after = statement(stmt, all);
                if (site.parentStart == null && parentOnly(after)) {
                    site.parentStart = new Insertion(stmt.endChar(), Includes.indentOf(stmt), true, EnumSet.copyOf(after));
                }
                if (site.childStart == null && childOnly(after)) {
                    site.childStart = new Insertion(stmt.endChar(), Includes.indentOf(stmt), true, EnumSet.copyOf(after));
                }
            } else if (stmt.is("expression_statement") || stmt.is("declaration")) {
                if (pidText == null) {
                    return site; // the result is not kept: nothing to tell the two processes apart
                }
                after = all;
            } else {
                return site;
            }
            // the rest of the fork's block, then outward to the end of the loop's iteration or of the function
            SyntaxNode current = stmt;
            while (true) {
                SyntaxNode parent = current.parent();
                if (parent.is("compound_statement")) {
                    after = sequence(parent.children(), parent.children().indexOf(current) + 1, after);
                }
                if (parent == body) {
                    site.leavesLoop.addAll(after);
                    break;
                }
                if (loop != null && parent == loop) {
                    site.loopsBack.addAll(after);
                    break;
                }
                if (Scopes.isLoop(parent) || parent.is("switch_statement") || parent.is("case_statement")) {
                    break; // a loop or switch inside the enclosing loop: its flow is not followed further
                }
                current = parent;
                if (!current.is("compound_statement") && current.parent() != null
                        && current.parent().is("else_clause")) {
                    current = current.parent();
                }
            }
            return site;
        }

        /** {@code pid} of {@code pid = fork()} or {@code pid_t pid = fork()}, {@code pids[i]} of an array store. */
        private static String assignedTo(SyntaxNode fork) {
            SyntaxNode p = fork.parent();
            while (p != null && (p.is("parenthesized_expression") || p.is("cast_expression"))) {
                p = p.parent();
            }
            if (p != null && p.is("assignment_expression") && p.child("operator") != null
                    && p.child("operator").text().equals("=")) {
                return p.child("left").text();
            }
            if (p != null && p.is("init_declarator") && p.child("declarator") != null) {
                return p.child("declarator").text();
            }
            return null;
        }

        private EnumSet<Outcome> sequence(List<SyntaxNode> stmts, int from, EnumSet<Outcome> in) {
            EnumSet<Outcome> cur = EnumSet.copyOf(in);
            for (int i = from; i < stmts.size() && !cur.isEmpty(); i++) {
                SyntaxNode s = stmts.get(i);
                if (s.is("comment")) {
                    continue;
                }
                boolean wasParentOnly = parentOnly(cur);
                boolean wasChildOnly = childOnly(cur);
                if (wasChildOnly && site.childBranch == null) {
                    site.childBranch = s; // the child goes on after the parent's branch left
                }
                cur = statement(s, cur);
                if (site.parentStart == null && !wasParentOnly && parentOnly(cur)) {
                    site.parentStart = new Insertion(s.endChar(), Includes.indentOf(s), true, EnumSet.copyOf(cur));
                }
                if (site.childStart == null && !wasChildOnly && childOnly(cur)) {
                    site.childStart = new Insertion(s.endChar(), Includes.indentOf(s), true, EnumSet.copyOf(cur));
                }
            }
            return cur;
        }

        private static boolean parentOnly(Set<Outcome> s) {
            return s.contains(Outcome.PARENT) && !s.contains(Outcome.CHILD);
        }

        private static boolean childOnly(Set<Outcome> s) {
            return s.equals(EnumSet.of(Outcome.CHILD));
        }

        /** Runs one statement for the outcomes {@code in}; gives the outcomes that go on after it. */
        private EnumSet<Outcome> statement(SyntaxNode s, EnumSet<Outcome> in) {
            if (s.is("if_statement")) {
                Split split = classify(s.child("condition"));
                if (split != null) {
                    site.split = true;
                    EnumSet<Outcome> t = intersect(in, split.whenTrue());
                    EnumSet<Outcome> f = intersect(in, split.whenFalse());
                    EnumSet<Outcome> out = branch(s.child("consequence"), t);
                    SyntaxNode alt = Flow.elseBody(s.child("alternative"));
                    out.addAll(alt == null ? f : branch(alt, f));
                    return out;
                }
            } else if (s.is("switch_statement") && isPid(s.child("condition"))) {
                site.split = true;
                return pidSwitch(s, in);
            } else if (s.is("compound_statement")) {
                return sequence(s.children(), 0, in);
            }
            site.runs.put(s, EnumSet.copyOf(in));
            EnumSet<Flow.Exit> exits = flow.exits(s);
            account(exits, in);
            return exits.contains(Flow.Exit.NORMAL) ? EnumSet.copyOf(in) : EnumSet.noneOf(Outcome.class);
        }

        private void account(EnumSet<Flow.Exit> exits, EnumSet<Outcome> in) {
            if (exits.contains(Flow.Exit.CONTINUE)) {
                site.loopsBack.addAll(in);
            }
            if (exits.contains(Flow.Exit.BREAK) || exits.contains(Flow.Exit.RETURN)
                    || exits.contains(Flow.Exit.GOTO)) {
                site.leavesLoop.addAll(in);
            }
            if (exits.contains(Flow.Exit.EXIT)) {
                site.ends.addAll(in);
            }
        }

        private EnumSet<Outcome> branch(SyntaxNode b, EnumSet<Outcome> set) {
            if (b == null) {
                return set;
            }
            if (set.isEmpty()) {
                return set;
            }
            if (b.is("compound_statement")) {
                SyntaxNode first = firstStatement(b);
                if (site.childBranch == null && childOnly(set)) {
                    site.childBranch = b;
                }
                if (site.childStart == null && childOnly(set) && first != null) {
                    site.childStart = new Insertion(first.startChar(), Includes.indentOf(first), false, EnumSet.copyOf(set));
                }
                if (site.parentStart == null && parentOnly(set) && first != null) {
                    site.parentStart = new Insertion(first.startChar(), Includes.indentOf(first), false, EnumSet.copyOf(set));
                }
                return sequence(b.children(), 0, set);
            }
            if (site.childBranch == null && childOnly(set)) {
                site.childBranch = b;
            }
            return statement(b, set);
        }

        private static SyntaxNode firstStatement(SyntaxNode block) {
            for (SyntaxNode c : block.children()) {
                if (!c.is("comment")) {
                    return c;
                }
            }
            return null;
        }

        /** switch (pid): case 0 is the child, case -1 the failed fork, default the rest. */
        private EnumSet<Outcome> pidSwitch(SyntaxNode sw, EnumSet<Outcome> in) {
            SyntaxNode body = sw.child("body");
            EnumSet<Outcome> out = EnumSet.noneOf(Outcome.class);
            if (body == null) {
                return EnumSet.copyOf(in);
            }
            List<SyntaxNode> cases = body.children().stream().filter(c -> c.is("case_statement")).toList();
            EnumSet<Outcome> listed = EnumSet.noneOf(Outcome.class);
            boolean hasDefault = false;
            for (SyntaxNode c : cases) {
                Outcome o = caseOutcome(c.child("value"));
                if (c.child("value") == null) {
                    hasDefault = true;
                } else if (o != null) {
                    listed.add(o);
                }
            }
            EnumSet<Outcome> falling = EnumSet.noneOf(Outcome.class);
            for (SyntaxNode c : cases) {
                EnumSet<Outcome> entry;
                if (c.child("value") == null) {
                    entry = EnumSet.complementOf(listed);
                } else {
                    Outcome o = caseOutcome(c.child("value"));
                    entry = o == null ? EnumSet.noneOf(Outcome.class) : EnumSet.of(o);
                }
                entry = intersect(in, entry);
                entry.addAll(falling);
                List<SyntaxNode> stmts = c.children().stream().filter(k -> !"value".equals(k.field())).toList();
                falling = caseBody(stmts, entry, out);
            }
            out.addAll(falling);
            if (!hasDefault) {
                out.addAll(intersect(in, EnumSet.complementOf(listed)));
            }
            return out;
        }

        /** The statements of one case; {@code break} leaves the switch (added to {@code out}). */
        private EnumSet<Outcome> caseBody(List<SyntaxNode> stmts, EnumSet<Outcome> in, EnumSet<Outcome> out) {
            EnumSet<Outcome> cur = EnumSet.copyOf(in);
            for (SyntaxNode s : stmts) {
                if (cur.isEmpty()) {
                    break;
                }
                if (s.is("comment")) {
                    continue;
                }
                if (s.is("break_statement")) {
                    out.addAll(cur);
                    return EnumSet.noneOf(Outcome.class);
                }
                if (s.is("compound_statement") || s.is("if_statement") && classify(s.child("condition")) != null) {
                    cur = branch(s, cur);
                    continue;
                }
                if (site.childBranch == null && childOnly(cur)) {
                    site.childBranch = s;
                }
                if (site.childStart == null && childOnly(cur)) {
                    site.childStart = new Insertion(s.startChar(), Includes.indentOf(s), false, EnumSet.copyOf(cur));
                }
                if (site.parentStart == null && parentOnly(cur)) {
                    site.parentStart = new Insertion(s.startChar(), Includes.indentOf(s), false, EnumSet.copyOf(cur));
                }
                site.runs.put(s, EnumSet.copyOf(cur));
                EnumSet<Flow.Exit> exits = flow.exits(s);
                if (exits.remove(Flow.Exit.BREAK)) {
                    out.addAll(cur); // a break inside an if of the case leaves the switch
                }
                account(exits, cur);
                if (!exits.contains(Flow.Exit.NORMAL)) {
                    cur = EnumSet.noneOf(Outcome.class);
                }
            }
            return cur;
        }

        private static Outcome caseOutcome(SyntaxNode value) {
            Long k = constant(value);
            if (k == null) {
                return null;
            }
            return k == 0 ? Outcome.CHILD : k < 0 ? Outcome.FAILED : null;
        }

        private static EnumSet<Outcome> intersect(EnumSet<Outcome> a, EnumSet<Outcome> b) {
            EnumSet<Outcome> r = EnumSet.copyOf(a);
            r.retainAll(b);
            return r;
        }

        /** For a condition: the outcomes for which it can be true, and those for which it can be false. */
        record Split(EnumSet<Outcome> whenTrue, EnumSet<Outcome> whenFalse) {
        }

        private Split classify(SyntaxNode cond) {
            if (cond == null) {
                return null;
            }
            SyntaxNode c = cond.stripParensAndCasts();
            if (isPid(c)) {
                return new Split(EnumSet.of(Outcome.PARENT, Outcome.FAILED), EnumSet.of(Outcome.CHILD));
            }
            if (c.is("assignment_expression") && c.child("operator") != null && c.child("operator").text().equals("=")
                    && c.child("right") != null) {
                return classify(c.child("right")); // if ((ok = fork() == 0)): the test is the assigned value
            }
            if (c.is("unary_expression") && c.child("operator") != null && c.child("operator").text().equals("!")) {
                Split s = classify(c.child("argument"));
                return s == null ? null : new Split(s.whenFalse(), s.whenTrue());
            }
            if (!c.is("binary_expression") || c.child("operator") == null) {
                return null;
            }
            String op = c.child("operator").text();
            SyntaxNode l = c.child("left"), r = c.child("right");
            if (op.equals("&&") || op.equals("||")) {
                Split a = classify(l), b = classify(r);
                if (a == null && b == null) {
                    return null;
                }
                Split any = new Split(EnumSet.allOf(Outcome.class), EnumSet.allOf(Outcome.class));
                a = a == null ? any : a;
                b = b == null ? any : b;
                if (op.equals("&&")) {
                    EnumSet<Outcome> f = EnumSet.copyOf(a.whenFalse());
                    f.addAll(b.whenFalse());
                    return new Split(intersect(a.whenTrue(), b.whenTrue()), f);
                }
                EnumSet<Outcome> t = EnumSet.copyOf(a.whenTrue());
                t.addAll(b.whenTrue());
                return new Split(t, intersect(a.whenFalse(), b.whenFalse()));
            }
            Long k;
            if (isPid(l) && (k = constant(r)) != null) {
                return compare(op, k);
            }
            if (isPid(r) && (k = constant(l)) != null) {
                return compare(flip(op), k);
            }
            return null;
        }

        private static String flip(String op) {
            switch (op) {
            case "<":
                return ">";
            case ">":
                return "<";
            case "<=":
                return ">=";
            case ">=":
                return "<=";
            default:
                return op;
            }
        }

        /** pid OP k for the child (0), a failed fork (-1) and the parent (any value from 1 up). */
        private static Split compare(String op, long k) {
            EnumSet<Outcome> t = EnumSet.noneOf(Outcome.class), f = EnumSet.noneOf(Outcome.class);
            for (Outcome o : new Outcome[] {Outcome.CHILD, Outcome.FAILED}) {
                long v = o == Outcome.CHILD ? 0 : -1;
                Boolean holds = holds(op, v, k);
                if (holds == null) {
                    return null;
                }
                (holds ? t : f).add(o);
            }
            boolean mayTrue, mayFalse;
            switch (op) {
            case "==":
                mayTrue = k >= 1;
                mayFalse = true;
                break;
            case "!=":
                mayTrue = true;
                mayFalse = k >= 1;
                break;
            case "<":
                mayTrue = k >= 2;
                mayFalse = true;
                break;
            case "<=":
                mayTrue = k >= 1;
                mayFalse = true;
                break;
            case ">":
                mayTrue = true;
                mayFalse = k >= 1;
                break;
            case ">=":
                mayTrue = true;
                mayFalse = k >= 2;
                break;
            default:
                return null;
            }
            if (mayTrue) {
                t.add(Outcome.PARENT);
            }
            if (mayFalse) {
                f.add(Outcome.PARENT);
            }
            return new Split(t, f);
        }

        private static Boolean holds(String op, long v, long k) {
            switch (op) {
            case "==":
                return v == k;
            case "!=":
                return v != k;
            case "<":
                return v < k;
            case "<=":
                return v <= k;
            case ">":
                return v > k;
            case ">=":
                return v >= k;
            default:
                return null;
            }
        }

        /** An integer constant: {@code 0}, {@code -1}, {@code (pid_t)-1}. */
        static Long constant(SyntaxNode n) {
            if (n == null) {
                return null;
            }
            SyntaxNode c = n.stripParensAndCasts();
            boolean negative = false;
            if (c.is("unary_expression") && c.child("operator") != null && c.child("operator").text().equals("-")) {
                negative = true;
                c = c.child("argument").stripParensAndCasts();
            }
            if (!c.is("number_literal")) {
                return null;
            }
            try {
                long v = Long.decode(c.text().replaceAll("[uUlL]+$", ""));
                return negative ? -v : v;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** The fork's result: the fork call itself, {@code (pid = fork())}, or the variable it was stored in. */
        private boolean isPid(SyntaxNode n) {
            if (n == null) {
                return false;
            }
            SyntaxNode e = n.stripParensAndCasts();
            if (e == call.call()) {
                return true;
            }
            if (e.is("assignment_expression") && e.child("right") != null
                    && e.child("right").stripParensAndCasts() == call.call()) {
                return true;
            }
            return pidText != null && e.text().equals(pidText) && (e.is("identifier") || e.is("field_expression")
                    || e.is("subscript_expression"));
        }
    }
}
