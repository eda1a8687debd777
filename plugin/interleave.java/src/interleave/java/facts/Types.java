package interleave.java.facts;

import java.util.HashSet;
import java.util.Set;

import org.eclipse.jdt.core.dom.ITypeBinding;

/** Questions about JDK types asked of bindings: is this type (or one of its supertypes) a given JDK class. */
public final class Types {
    private Types() {
    }

    /** Whether {@code t} is, extends or implements the class or interface named {@code qualifiedName}. */
    public static boolean isA(ITypeBinding t, String qualifiedName) {
        return t != null && isA(t, qualifiedName, new HashSet<>());
    }

    private static boolean isA(ITypeBinding t, String name, Set<String> seen) {
        if (t == null) {
            return false;
        }
        ITypeBinding e = t.getErasure();
        if (!seen.add(e.getKey())) {
            return false;
        }
        if (name.equals(e.getQualifiedName())) {
            return true;
        }
        if (isA(e.getSuperclass(), name, seen)) {
            return true;
        }
        for (ITypeBinding i : e.getInterfaces()) {
            if (isA(i, name, seen)) {
                return true;
            }
        }
        return false;
    }

    public static boolean isAny(ITypeBinding t, String... names) {
        for (String n : names) {
            if (isA(t, n)) {
                return true;
            }
        }
        return false;
    }

    public static String simpleName(ITypeBinding t) {
        if (t == null) {
            return "?";
        }
        ITypeBinding e = t.getErasure();
        return e.isAnonymous() ? "anonymous class" : e.getName();
    }
}
