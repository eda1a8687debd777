package interleave.engine.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link CheckProvider}s this run has, found the way {@link interleave.engine.analysis.FrontEnds} finds front
 * ends: {@link ServiceLoader} on the core's class loader (plain class path; in Eclipse a provider bundle registers as
 * the core's buddy so its services file is seen), or {@link #register} by the provider itself.
 */
public final class CheckProviders {
    private static final List<CheckProvider> REGISTERED = new CopyOnWriteArrayList<>();
    private static volatile List<CheckProvider> discovered;

    private CheckProviders() {
    }

    /** Every provider, each class once: those found on the class path first. */
    public static List<CheckProvider> all() {
        Map<String, CheckProvider> out = new LinkedHashMap<>();
        for (CheckProvider p : discovered()) {
            out.putIfAbsent(p.getClass().getName(), p);
        }
        for (CheckProvider p : REGISTERED) {
            out.putIfAbsent(p.getClass().getName(), p);
        }
        return List.copyOf(out.values());
    }

    /** Every provider's checks, in provider order. */
    public static List<RuleDescriptor> checks() {
        List<RuleDescriptor> out = new ArrayList<>();
        for (CheckProvider p : all()) {
            out.addAll(p.checks());
        }
        return out;
    }

    /** Adds a provider the core's class loader cannot see; idempotent per class. */
    public static void register(CheckProvider provider) {
        if (REGISTERED.stream().noneMatch(p -> p.getClass().equals(provider.getClass()))) {
            REGISTERED.add(provider);
        }
    }

    public static void unregister(CheckProvider provider) {
        REGISTERED.removeIf(p -> p.getClass().equals(provider.getClass()));
    }

    private static List<CheckProvider> discovered() {
        List<CheckProvider> d = discovered;
        if (d == null) {
            List<CheckProvider> found = new ArrayList<>();
            try {
                for (CheckProvider p : ServiceLoader.load(CheckProvider.class, CheckProviders.class.getClassLoader())) {
                    found.add(p);
                }
            } catch (ServiceConfigurationError e) {
                // a broken jar must not hide the static rules
                System.err.println("interleave: a check provider could not be loaded: " + e.getMessage());
            }
            discovered = d = List.copyOf(found);
        }
        return d;
    }
}
