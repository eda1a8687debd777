package interleave.engine.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

import interleave.engine.c.CFrontEnd;

/**
 * The front ends this run has: C always, and any other found on the class path or registered.
 *
 * <p>
 * Two ways in, because the engine runs both as a plain jar (the command line) and as an OSGi bundle (Eclipse):
 * <ul>
 * <li>{@link ServiceLoader}: a jar on the command line's class path that lists its front end in
 * {@code META-INF/services/interleave.engine.analysis.FrontEnd} is found with no code here knowing it. The C-only
 * command line has no such jar and never loads JDT.</li>
 * <li>{@link #register}: in OSGi each bundle has its own class loader, so the engine's {@code ServiceLoader} does not
 * see other bundles' services files; a Java front-end bundle registers itself from its activator (or the UI plug-in
 * registers what an extension point contributes). The engine itself stays free of OSGi.</li>
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
        out.put(CFrontEnd.class.getName(), c());
        for (FrontEnd<?> f : discovered()) {
            out.putIfAbsent(f.getClass().getName(), f);
        }
        for (FrontEnd<?> f : REGISTERED) {
            out.putIfAbsent(f.getClass().getName(), f);
        }
        return List.copyOf(out.values());
    }

    private static final FrontEnd<?> C = new CFrontEnd();

    /** The C front end (tree-sitter). */
    public static FrontEnd<?> c() {
        return C;
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
                // a broken jar on the class path must not stop C analysis; the C front end is always there
                System.err.println("interleave: a front end could not be loaded: " + e.getMessage());
            }
            discovered = d = List.copyOf(found);
        }
        return d;
    }
}
