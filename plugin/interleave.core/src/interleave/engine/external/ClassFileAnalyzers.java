package interleave.engine.external;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import interleave.engine.rules.CheckProvider;
import interleave.engine.rules.CheckProviders;

/**
 * Finds the SpotBugs bundle at run time: on the engine's own class path when it is there (tests, Eclipse), else in
 * the bundle folder the launcher names with {@code -Dinterleave.spotbugs.home=DIR} (its {@code target/classes} and
 * {@code lib/*.jar}, in a class loader of its own). Only called when classes are to be analyzed.
 */
public final class ClassFileAnalyzers {
    public static final String SPOTBUGS_CLASS = "interleave.spotbugs.SpotBugsAnalyzer";
    public static final String SPOTBUGS_CHECKS_CLASS = "interleave.spotbugs.SpotBugsChecks";
    public static final String HOME_PROPERTY = "interleave.spotbugs.home";

    private ClassFileAnalyzers() {
    }

    /** Thrown with a message for the user when the bundle is not installed or cannot start. */
    public static final class NotInstalledException extends Exception {
        private static final long serialVersionUID = 1L;

        NotInstalledException(String message) {
            super(message);
        }
    }

    public static ClassFileAnalyzer spotBugs() throws NotInstalledException {
        return instantiate(load(SPOTBUGS_CLASS), ClassFileAnalyzer.class);
    }

    /**
     * SpotBugs' patterns that Interleave runs, as checks of the one registry; registers them with
     * {@link CheckProviders} (once) so that {@code rules}, {@code explain} and SARIF see them.
     */
    public static CheckProvider spotBugsChecks() throws NotInstalledException {
        CheckProvider p = instantiate(load(SPOTBUGS_CHECKS_CLASS), CheckProvider.class);
        CheckProviders.register(p);
        return p;
    }

    /** The bundle's own loader, made once: SpotBugs keeps global state (its detector registry) per loader. */
    private static URLClassLoader own;

    private static synchronized Class<?> load(String className) throws NotInstalledException {
        ClassLoader loader = ClassFileAnalyzers.class.getClassLoader();
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            // not on our class path: look in the bundle folder
        }
        if (own == null) {
            own = bundleLoader(loader);
        }
        try {
            return Class.forName(className, true, own);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new NotInstalledException("SpotBugs bundle in " + System.getProperty(HOME_PROPERTY)
                    + " is incomplete: " + e);
        }
    }

    private static URLClassLoader bundleLoader(ClassLoader parent) throws NotInstalledException {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || !Files.isDirectory(Path.of(home, "target", "classes"))) {
            throw new NotInstalledException("SpotBugs analysis is not installed (build plugin/interleave.spotbugs,"
                    + " or run through ./interleave, which builds it)");
        }
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(Path.of(home, "target", "classes").toUri().toURL());
            Path lib = Path.of(home, "lib");
            if (Files.isDirectory(lib)) {
                try (Stream<Path> jars = Files.list(lib)) {
                    for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                        urls.add(jar.toUri().toURL());
                    }
                }
            }
        } catch (MalformedURLException e) {
            throw new NotInstalledException("SpotBugs bundle folder " + home + ": " + e.getMessage());
        } catch (IOException e) {
            throw new NotInstalledException("SpotBugs bundle folder " + home + " cannot be read: " + e.getMessage());
        }
        // the engine's loader is the parent, so both sides see the same Finding and ClassFileAnalyzer classes
        return new URLClassLoader("interleave.spotbugs", urls.toArray(URL[]::new), parent);
    }

    private static <T> T instantiate(Class<?> c, Class<T> type) throws NotInstalledException {
        try {
            return type.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new NotInstalledException("SpotBugs analysis cannot start: " + e);
        }
    }
}
