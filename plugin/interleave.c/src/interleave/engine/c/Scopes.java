package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Name resolution and the small facts rules ask about blocks: which declaration an identifier refers to, which loops
 * enclose a statement, and where a variable is written. C's scoping is lexical, so walking up the syntax tree from the
 * use and looking at the declarations that come before it in each enclosing block is exact (macros aside).
 */
public final class Scopes {
    private static final Set<String> LOOPS = Set.of("for_statement", "while_statement", "do_statement");

    private Scopes() {
    }

    /** One name introduced by a declaration, with the shape of its declarator. */
    public record Declared(String name, SyntaxNode identifier, boolean isArray, boolean isPointer,
            boolean isFunction) {
    }

    /** The names a {@code declaration}, {@code parameter_declaration} or {@code field_declaration} introduces. */
    public static List<Declared> declaredNames(SyntaxNode declaration) {
        List<Declared> out = new ArrayList<>();
        for (SyntaxNode d : declaration.childrenOf("declarator")) {
            Declared n = unwrap(d);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    private static Declared unwrap(SyntaxNode d) {
        boolean array = false, pointer = false, function = false;
        SyntaxNode n = d;
        while (n != null) {
            switch (n.kind()) {
            case "identifier":
                return new Declared(n.text(), n, array, pointer, function);
            case "array_declarator":
                array = !pointer; // int *a[4] is an array; int (*a)[4] is a pointer
                n = n.child("declarator");
                break;
            case "pointer_declarator":
                pointer = !array;
                n = n.child("declarator");
                break;
            case "function_declarator":
                function = !pointer;
                n = n.child("declarator");
                break;
            case "init_declarator":
            case "attributed_declarator":
                n = n.child("declarator");
                break;
            case "parenthesized_declarator":
                n = n.children().isEmpty() ? null : n.children().get(0);
                break;
            default:
                return null;
            }
        }
        return null;
    }

    public static boolean hasStorageClass(SyntaxNode declaration, String word) {
        for (SyntaxNode c : declaration.children()) {
            if (c.is("storage_class_specifier") && c.text().equals(word)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The variable an identifier use refers to: the nearest declaration before the use in an enclosing block, a
     * parameter of the enclosing function, or a file-scope declaration of the same file. Null when it is declared
     * nowhere in view (a macro, another file's global, a header we do not see).
     */
    public static Variable resolve(SyntaxNode use) {
        String name = use.text();
        SyntaxNode child = use;
        for (SyntaxNode scope = use.parent(); scope != null; child = scope, scope = scope.parent()) {
            switch (scope.kind()) {
            case "compound_statement":
            case "translation_unit":
                for (SyntaxNode stmt : scope.children()) {
                    if (!stmt.startsBefore(child) && stmt != child) {
                        break;
                    }
                    Variable v = fromDeclaration(stmt, name, scope.is("translation_unit"));
                    if (v != null) {
                        return v;
                    }
                }
                break;
            case "for_statement": {
                SyntaxNode init = scope.child("initializer");
                if (init != null && init != child) {
                    Variable v = fromDeclaration(init, name, false);
                    if (v != null) {
                        return v;
                    }
                }
                break;
            }
            case "function_definition": {
                SyntaxNode fd = functionDeclarator(scope);
                if (fd != null && fd.child("parameters") != null) {
                    for (SyntaxNode p : fd.child("parameters").children()) {
                        if (p.is("parameter_declaration")) {
                            for (Declared d : declaredNames(p)) {
                                if (d.name().equals(name)) {
                                    return new Variable(name, Storage.PARAMETER, d.identifier(), p, typeText(p),
                                            d.isArray(), d.isPointer() || d.isArray());
                                }
                            }
                        }
                    }
                }
                break;
            }
            default:
                break;
            }
        }
        return null;
    }

    private static Variable fromDeclaration(SyntaxNode stmt, String name, boolean fileScope) {
        if (!stmt.is("declaration")) {
            return null;
        }
        for (Declared d : declaredNames(stmt)) {
            if (d.name().equals(name) && !d.isFunction()) {
                Storage storage;
                if (fileScope) {
                    storage = Storage.GLOBAL;
                } else if (hasStorageClass(stmt, "static")) {
                    storage = Storage.STATIC_LOCAL;
                } else if (hasStorageClass(stmt, "extern")) {
                    storage = Storage.GLOBAL;
                } else {
                    storage = Storage.AUTOMATIC;
                }
                return new Variable(name, storage, d.identifier(), stmt, typeText(stmt), d.isArray(), d.isPointer());
            }
        }
        return null;
    }

    static String typeText(SyntaxNode declaration) {
        StringBuilder sb = new StringBuilder();
        for (SyntaxNode c : declaration.children()) {
            if (c.is("type_qualifier")) {
                sb.append(c.text()).append(' ');
            }
        }
        SyntaxNode type = declaration.child("type");
        if (type != null) {
            sb.append(type.text().replaceAll("\\s+", " "));
        }
        return sb.toString().trim();
    }

    /** The {@code function_declarator} of a definition (through pointer declarators of the return type). */
    public static SyntaxNode functionDeclarator(SyntaxNode definition) {
        SyntaxNode d = definition.child("declarator");
        while (d != null && !d.is("function_declarator")) {
            d = d.child("declarator");
        }
        return d;
    }

    public static boolean isLoop(SyntaxNode n) {
        return LOOPS.contains(n.kind());
    }

    /** Loops around {@code node} inside {@code within}, innermost first. */
    public static List<SyntaxNode> enclosingLoops(SyntaxNode node, SyntaxNode within) {
        List<SyntaxNode> loops = new ArrayList<>();
        for (SyntaxNode p = node.parent(); p != null && p != within; p = p.parent()) {
            if (isLoop(p)) {
                loops.add(p);
            }
        }
        return loops;
    }

    /**
     * The places inside {@code region} that store into the variable named {@code name}: assignments (plain and
     * compound), increments and decrements, and declarations of that name that initialize it.
     */
    public static List<SyntaxNode> writesTo(SyntaxNode region, String name) {
        List<SyntaxNode> out = new ArrayList<>();
        region.walk(n -> {
            switch (n.kind()) {
            case "assignment_expression": {
                SyntaxNode left = n.child("left");
                if (left != null && name.equals(storedVariable(left))) {
                    out.add(n);
                }
                break;
            }
            case "update_expression": {
                SyntaxNode arg = n.child("argument");
                if (arg != null && name.equals(storedVariable(arg))) {
                    out.add(n);
                }
                break;
            }
            default:
                break;
            }
        });
        return out;
    }

    /**
     * The variable whose own storage an lvalue writes: {@code x}, {@code x.f}, {@code x[i]} all write {@code x};
     * {@code p->f} and {@code *p} write what p points to, not p, so they give null.
     */
    public static String storedVariable(SyntaxNode lvalue) {
        SyntaxNode n = lvalue.stripParensAndCasts();
        while (true) {
            if (n.is("identifier")) {
                return n.text();
            }
            if (n.is("field_expression") && n.child("operator") != null && n.child("operator").text().equals(".")) {
                n = n.child("argument").stripParensAndCasts();
            } else if (n.is("subscript_expression") && n.child("argument") != null) {
                n = n.child("argument").stripParensAndCasts();
            } else {
                return null;
            }
        }
    }

    /** The statement (child of a block) that contains {@code node}. */
    public static SyntaxNode enclosingStatement(SyntaxNode node) {
        SyntaxNode n = node;
        while (n.parent() != null && !n.parent().is("compound_statement") && !n.parent().is("translation_unit")) {
            n = n.parent();
        }
        return n;
    }
}
