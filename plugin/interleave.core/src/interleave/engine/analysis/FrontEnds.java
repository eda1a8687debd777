package interleave.engine.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

import interleave.engine.rules.Language;

/**
 * The front ends this run has: C (bundle interleave.c) and any other found on the class path or registered. The core
 * names none of them.
 *
 * <p>
 * Two ways in, because the engine runs both as plain jars (the command line) and as OSGi bundles (Eclipse):
 * <ul>
 * <li>{@link ServiceLoader}: a jar on the class path that lists its front end in
 * {@code META-INF/services/interleave.engine.analysis.FrontEnd} is found with no code here knowing it. The C bundle
 * is found this way; the C-only command line has no Java jar and never loads JDT. In Eclipse the C bundle registers
 * itself as a buddy of the core ({@code Eclipse-RegisterBuddy}), so the same lookup sees its services file.</li>
 * <li>{@link #register}: a bundle the core's class loader cannot see (the Java front end, loaded on a class loader of
 * its own on the command line and only when Java is analyzed) registers its front end itself. The core stays free
 * of OSGi.</li>
 * </ul>
 */
public final class FrontEnds {
    private static final List<FrontEnd<?>> REGISTERED = new CopyOnWriteArrayList<>();
    private static volatile List<FrontEnd<?>> discovered;

    private FrontEnds() {
    }

    /** C first, then every other front end, each class once. */
    public static List<FrontEnd<?>> all() {
        Map<String, FrontEnd<?>> out = new LinkedHashMap<>();
        FrontEnd<?> c = cOrNull();
        if (c != null) {
            out.put(c.getClass().getName(), c);
        }
        for (FrontEnd<?> f : discovered()) {
            out.putIfAbsent(f.getClass().getName(), f);
        }
        for (FrontEnd<?> f : REGISTERED) {
            out.putIfAbsent(f.getClass().getName(), f);
        }
        return List.copyOf(out.values());
    }

    /** The C front end (tree-sitter, bundle interleave.c). */
    public static FrontEnd<?> c() {
        FrontEnd<?> c = cOrNull();
        if (c == null) {
            throw new IllegalStateException("no C front end: the interleave.c bundle (or jar) is missing");
        }
        return c;
    }

    private static FrontEnd<?> cOrNull() {
        for (FrontEnd<?> f : discovered()) {
            if (f.language() == Language.C) {
                return f;
            }
        }
        for (FrontEnd<?> f : REGISTERED) {
            if (f.language() == Language.C) {
                return f;
            }
        }
        return null;
    }

    /** Adds a front end from a bundle the engine's class loader cannot see (OSGi); idempotent per class. */
    public static void register(FrontEnd<?> frontEnd) {
        if (REGISTERED.stream().noneMatch(f -> f.getClass().equals(frontEnd.getClass()))) {
            REGISTERED.add(frontEnd);
        }
    }

    public static void unregister(FrontEnd<?> frontEnd) {
        REGISTERED.removeIf(f -> f.getClass().equals(frontEnd.getClass()));
    }

    @SuppressWarnings("rawtypes")
    private static List<FrontEnd<?>> discovered() {
        List<FrontEnd<?>> d = discovered;
        if (d == null) {
            List<FrontEnd<?>> found = new ArrayList<>();
            try {
                for (FrontEnd f : ServiceLoader.load(FrontEnd.class, FrontEnds.class.getClassLoader())) {
                    found.add(f);
                }
            } catch (ServiceConfigurationError e) {
                // a broken jar on the class path must not stop the analysis of the other languages
                System.err.println("interleave: a front end could not be loaded: " + e.getMessage());
            }
            discovered = d = List.copyOf(found);
        }
        return d;
    }
}
