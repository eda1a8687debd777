package interleave.engine.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a file says outside its functions, derived once per syntax tree: the names its declarations mention (tables of
 * function pointers, for {@link Programs}) and its {@code sigaction} initializers (for {@link EntryPoints}). Every
 * program of a folder reads the shared headers, and a re-analysis with cached trees reads every unchanged file again:
 * walking their declarations each time was most of a re-analysis.
 */
final class FileScope {
    /** A {@code .sa_handler = h} initializer at file scope, and the first name its declaration declares (or null). */
    record Sigaction(EntryPoints.SaAssignment assignment, String declared) {
    }

    final Set<String> names;
    final List<Sigaction> sigactions;

    private FileScope(Set<String> names, List<Sigaction> sigactions) {
        this.names = names;
        this.sigactions = sigactions;
    }

    /** The file scope of this tree; kept on its source file together with the tree's root it was derived from. */
    static FileScope of(SyntaxTree tree) {
        return tree.file().derived(tree.root(), FileScope.class, () -> derive(tree));
    }

    private static FileScope derive(SyntaxTree tree) {
        Set<String> names = new HashSet<>();
        List<Sigaction> sigactions = new ArrayList<>();
        for (SyntaxNode top : tree.root().children()) {
            if (!top.is("declaration")) {
                continue;
            }
            top.walk(c -> {
                if (c.is("identifier")) {
                    names.add(c.text());
                }
            });
            List<EntryPoints.SaAssignment> found = EntryPoints.sigactionAssignments(top);
            if (!found.isEmpty()) {
                List<Scopes.Declared> declared = Scopes.declaredNames(top);
                String first = declared.isEmpty() ? null : declared.get(0).name();
                for (EntryPoints.SaAssignment a : found) {
                    sigactions.add(new Sigaction(a, first));
                }
            }
        }
        // the same set as a fresh walk gives, iteration order included: Programs visits names in that order
        return new FileScope(java.util.Collections.unmodifiableSet(names), List.copyOf(sigactions));
    }
}
