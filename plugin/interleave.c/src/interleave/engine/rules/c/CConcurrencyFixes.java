package interleave.engine.rules.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import interleave.engine.c.CProgram;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.facts.CConcurrency;
import interleave.engine.c.facts.GlobalVariables;
import interleave.engine.c.facts.LockFacts;
import interleave.engine.c.facts.SharedAccesses;
import interleave.engine.concurrency.ConcurrencyFixes;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.Fix;
import interleave.engine.finding.TextEdit;

/** C's side of the neutral rules' fixes: {@code _Atomic} on a counter's declaration. */
public final class CConcurrencyFixes implements ConcurrencyFixes {

    private static final Pattern INTEGER = Pattern.compile(
            "(unsigned |signed )?(char|short|int|long|long long|long int|long long int|short int|unsigned|signed)"
                    + "|size_t|ssize_t|u?int(8|16|32|64)?_t|u?intptr_t|u?int_(least|fast)(8|16|32|64)_t|_Bool|bool");

    private final CProgram program;

    public CConcurrencyFixes(CProgram program) {
        this.program = program;
    }

    /**
     * {@code _Atomic} on the declaration, when every write is an increment, a compound assignment or a plain store of
     * a value that does not read the variable: then each of them becomes one atomic operation and every read an atomic
     * load, and all other uses ({@code printf("%ld", cnt)}, comparisons) still compile. Not offered when the address
     * is taken (a {@code long *} would no longer match) or a declaration names several variables.
     */
    @Override
    public List<Fix> atomicCounter(SharedAccess write, List<SharedAccess> accesses) {
        LockFacts.HeldAccess held = CConcurrency.of(program).origin(write);
        if (held == null) {
            return List.of();
        }
        SharedAccesses.Access w = held.access();
        GlobalVariables.Global g = w.global();
        if (g == null || !w.key().equals(g.key()) || g.isPointer()) {
            return List.of();
        }
        String bare = g.typeText().replaceAll("\\b(static|extern|volatile|register)\\b", " ").replaceAll("\\s+", " ")
                .trim();
        if (!INTEGER.matcher(bare).matches()) {
            return List.of();
        }
        Set<String> files = new HashSet<>();
        for (SyntaxNode d : g.declarations()) {
            if (Scopes.declaredNames(d).size() != 1) {
                return List.of();
            }
        }
        if (!w.readModifyWrite()) {
            return List.of(); // the issue's fix is for increments; a plain store needs a design decision
        }
        for (SyntaxTree t : program.trees()) {
            String text = t.file().text();
            if (text.contains(g.name()) && (!g.fileStatic() || t.file() == g.declarations().get(0).file())) {
                if (addressTaken(t.root(), g.name()) || !onlySafeWrites(t.root(), g.name())) {
                    return List.of();
                }
            }
        }
        List<TextEdit> edits = new ArrayList<>();
        for (SyntaxNode d : g.declarations()) {
            if (!files.add(d.file().path() + "@" + d.startByte())) {
                continue;
            }
            SyntaxNode vol = null;
            for (SyntaxNode c : d.children()) {
                if (c.is("type_qualifier") && c.text().equals("volatile")) {
                    vol = c;
                }
            }
            if (vol != null) {
                edits.add(new TextEdit(d.file().path(), vol.startChar(), vol.endChar(), "_Atomic"));
            } else if (d.child("type") != null) {
                edits.add(TextEdit.insert(d.file().path(), d.child("type").startChar(), "_Atomic "));
            } else {
                return List.of();
            }
        }
        SyntaxNode p = w.node().parent();
        String op = p.text().length() <= 24 ? p.text() : w.display() + "++";
        return List.of(new Fix("Declare " + g.name() + " _Atomic: then " + op + " is one atomic"
                + " read-modify-write and every read an atomic load", edits));
    }

    /** {@code &x} in code (comments aside): a {@code long *} made from it would no longer match an _Atomic long. */
    private static boolean addressTaken(SyntaxNode root, String name) {
        for (SyntaxNode p : root.descendants("pointer_expression")) {
            SyntaxNode op = p.child("operator"), arg = p.child("argument");
            if (op != null && op.text().equals("&") && arg != null && name.equals(Scopes.storedVariable(arg))) {
                return true;
            }
        }
        return false;
    }

    /** No write of the form {@code x = ... x ...} (two separate atomic steps even with _Atomic). */
    private static boolean onlySafeWrites(SyntaxNode root, String name) {
        for (SyntaxNode a : root.descendants("assignment_expression")) {
            SyntaxNode left = a.child("left"), right = a.child("right"), op = a.child("operator");
            if (left == null || right == null || op == null || !op.text().equals("=")
                    || !name.equals(Scopes.storedVariable(left))) {
                continue;
            }
            for (SyntaxNode id : right.descendants("identifier")) {
                if (id.text().equals(name)) {
                    return false;
                }
            }
        }
        return true;
    }
}
