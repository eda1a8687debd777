package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;

/** A function defined in one of the analyzed files. */
public final class CFunction {
    private final String name;
    private final SyntaxNode definition;
    private final boolean fileStatic;
    private final List<String> parameters;
    final List<CallSite> calls = new ArrayList<>();

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

    @Override
    public String toString() {
        return name + "()";
    }
}
