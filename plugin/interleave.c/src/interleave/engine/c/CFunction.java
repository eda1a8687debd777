package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.analysis.SourceFile;

/** A function defined in one of the analyzed files. */
public final class CFunction {
    private final String name;
    private final SyntaxNode definition;
    private final boolean fileStatic;
    private final List<String> parameters;
    final List<CallSite> calls = new ArrayList<>();
    /** Handler assignments to a {@code struct sigaction} in the body; derived once (see EntryPoints). */
    private volatile List<EntryPoints.SaAssignment> sigactionAssignments;
    private volatile java.util.Set<String> namesUsed;

    CFunction(String name, SyntaxNode definition, boolean fileStatic, List<String> parameters) {
        this.name = name;
        this.definition = definition;
        this.fileStatic = fileStatic;
        this.parameters = List.copyOf(parameters);
    }

    public String name() {
        return name;
    }

    /** The {@code function_definition} node. */
    public SyntaxNode definition() {
        return definition;
    }

    /** The body, a {@code compound_statement}. */
    public SyntaxNode body() {
        return definition.child("body");
    }

    public SourceFile file() {
        return definition.file();
    }

    public boolean isFileStatic() {
        return fileStatic;
    }

    /** Parameter names in order; unnamed parameters are empty strings. */
    public List<String> parameters() {
        return parameters;
    }

    /** Every call made in the body, in source order. */
    public List<CallSite> calls() {
        return calls;
    }

    /** The node that names the function in its declarator (for locations). */
    public SyntaxNode nameNode() {
        SyntaxNode d = definition.child("declarator");
        while (d != null && !d.is("identifier")) {
            d = d.child("declarator");
        }
        return d != null ? d : definition;
    }

    /** Every identifier the body mentions (calls, and functions passed as values); derived once. */
    java.util.Set<String> namesUsed() {
        java.util.Set<String> n = namesUsed;
        if (n == null) {
            java.util.Set<String> names = new java.util.HashSet<>();
            body().walk(x -> {
                if (x.is("identifier")) {
                    names.add(x.text());
                }
            });
            n = java.util.Set.copyOf(names);
            namesUsed = n;
        }
        return n;
    }

    List<EntryPoints.SaAssignment> sigactionAssignments() {
        List<EntryPoints.SaAssignment> a = sigactionAssignments;
        if (a == null) {
            a = List.copyOf(EntryPoints.sigactionAssignments(body()));
            sigactionAssignments = a;
        }
        return a;
    }

    @Override
    public String toString() {
        return name + "()";
    }
}
