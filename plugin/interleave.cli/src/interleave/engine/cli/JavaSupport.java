package interleave.engine.cli;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.rules.Language;

/**
 * The Java front end (bundle {@code interleave.java}, with JDT) as the plain-Java command line reaches it: loaded only
 * when Java files are analyzed or Java rules are listed, from the jars the launcher names in the system property
 * {@value #PATH_PROPERTY}, so a C-only run never opens JDT. The engine cannot depend on that bundle (it depends on the
 * engine), hence this small seam: it finds the bundle's front end by name and registers it with {@link FrontEnds},
 * after which Java goes through the one analyzer and the one rule registry like C.
 */
final class JavaSupport {
    static final String PATH_PROPERTY = "interleave.java.path";
    private static final String ENTRY = "interleave.java.cli.JavaEntry";
    private static Class<?> entry;

    private JavaSupport() {
    }

    /** Thrown when the Java front end is not installed beside the engine. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /** The {@code .java} files under the given paths: folders recursively (hidden and target folders skipped). */
    static List<Path> collect(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                List<Path> found = new ArrayList<>();
                Files.walkFileTree(in, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        boolean skip = !dir.equals(in) && (name.startsWith(".") || name.equals("target"));
                        return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && isJava(file)) {
                            found.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE;
                    }
                });
                found.sort(Comparator.naturalOrder());
                out.addAll(found);
            } else if (isJava(in)) {
                out.add(in);
            }
        }
        return out;
    }

    static boolean isJava(Path p) {
        return p.getFileName() != null && p.getFileName().toString().endsWith(".java");
    }

    private static boolean registered;

    /**
     * Registers the Java front end with {@link FrontEnds} when it is installed (its jars on the engine's class path or
     * named by {@value #PATH_PROPERTY}); its rules then come through the registry like every other. Loads no JDT
     * class: the front end's own class names none.
     *
     * @return whether a Java front end is now known
     */
    static synchronized boolean registerIfInstalled() {
        if (!registered) {
            try {
                FrontEnds.register((FrontEnd<?>) call("frontEnd", new Class<?>[0]));
                registered = true;
            } catch (Unavailable e) {
                return FrontEnds.all().stream().anyMatch(f -> f.language() == Language.JAVA);
            }
        }
        return true;
    }

    /** Why Java files cannot be analyzed in this run, or null when the Java front end is there. */
    static String unavailableReason() {
        if (registerIfInstalled()) {
            return null;
        }
        try {
            entry();
            return null;
        } catch (Unavailable e) {
            return e.getMessage();
        }
    }

    private static Object call(String name, Class<?>[] types, Object... args) throws Unavailable {
        try {
            Method m = entry().getMethod(name, types);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new Unavailable("the Java front end is broken: " + e);
        }
    }

    private static synchronized Class<?> entry() throws Unavailable {
        if (entry != null) {
            return entry;
        }
        try {
            entry = Class.forName(ENTRY, true, JavaSupport.class.getClassLoader());
            return entry;
        } catch (ClassNotFoundException | LinkageError e) {
            // not on the engine's own class path: the launcher names its jars
        }
        String path = System.getProperty(PATH_PROPERTY, "");
        if (path.isBlank()) {
            throw new Unavailable("Java analysis needs the interleave.java bundle and JDT (run through ./interleave,"
                    + " which builds and adds them)");
        }
        List<URL> urls = new ArrayList<>();
        for (String p : path.split(File.pathSeparator)) {
            if (p.isBlank()) {
                continue;
            }
            Path f = Path.of(p);
            if (!Files.exists(f)) {
                throw new Unavailable("Java analysis: " + p + " (from -D" + PATH_PROPERTY + ") does not exist");
            }
            try {
                urls.add(f.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new Unavailable("Java analysis: bad path " + p);
            }
        }
        try {
            URLClassLoader loader = new URLClassLoader("interleave-java", urls.toArray(URL[]::new),
                    JavaSupport.class.getClassLoader());
            entry = Class.forName(ENTRY, true, loader);
            return entry;
        } catch (ClassNotFoundException | LinkageError e) {
            throw new Unavailable("Java analysis: the front end could not be loaded from " + path + ": " + e);
        }
    }
}
