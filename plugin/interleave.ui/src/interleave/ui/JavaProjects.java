package interleave.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.jdt.core.IClasspathEntry;
import org.eclipse.jdt.core.IJavaProject;
import org.eclipse.jdt.core.JavaCore;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.rules.Language;
import interleave.java.cli.JavaEntry;

/**
 * Java in the workspace: registers the Java front end of bundle {@code interleave.java} with the engine (OSGi keeps
 * the engine's ServiceLoader from seeing it), and gives it the build path of the Java projects analyzed, so types
 * from their libraries and from projects they depend on resolve.
 */
public final class JavaProjects {
    private JavaProjects() {
    }

    /** Registers the Java front end once; the class named loads no JDT until a Java file is parsed. */
    static synchronized void register() {
        if (FrontEnds.all().stream().noneMatch(f -> f.language() == Language.JAVA)) {
            FrontEnds.register(JavaEntry.frontEnd());
        }
    }

    public static boolean isJavaSource(IResource r) {
        return r.getType() == IResource.FILE && "java".equals(r.getFileExtension());
    }

    /** Every front end, the Java one with the build path of the Java projects in the scope. */
    static List<FrontEnd<?>> frontEnds(Collection<? extends IResource> scope) {
        register();
        List<Path> classpath = classpath(scope);
        return FrontEnds.all().stream().<FrontEnd<?>>map(f -> f.language() == Language.JAVA
                ? f.withClasspath(classpath) : f).toList();
    }

    /**
     * The libraries (jars, class folders) and the output folders of required projects on the resolved build path of
     * each Java project in the scope. The JDK's own entries are left out: the parser has the running JDK already.
     */
    public static List<Path> classpath(Collection<? extends IResource> scope) {
        Set<Path> out = new LinkedHashSet<>();
        Set<IProject> seen = new LinkedHashSet<>();
        IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
        for (IResource r : scope) {
            IProject project = r.getProject();
            if (project == null || !seen.add(project) || !isJavaProject(project)) {
                continue;
            }
            IJavaProject java = JavaCore.create(project);
            IClasspathEntry[] entries;
            try {
                entries = java.getResolvedClasspath(true);
            } catch (CoreException e) {
                continue; // a broken build path: analyze without bindings from libraries
            }
            for (IClasspathEntry e : entries) {
                switch (e.getEntryKind()) {
                    case IClasspathEntry.CPE_LIBRARY -> add(out, location(root, e.getPath()));
                    case IClasspathEntry.CPE_PROJECT -> {
                        IProject required = root.getProject(e.getPath().lastSegment());
                        if (isJavaProject(required)) {
                            try {
                                Path output = location(root, JavaCore.create(required).getOutputLocation());
                                // not built yet: nothing to read there (and no warning worth giving)
                                if (output != null && Files.isDirectory(output)) {
                                    add(out, output);
                                }
                            } catch (CoreException ex) {
                                // not built or not readable: its types stay unresolved
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean isJavaProject(IProject project) {
        try {
            return project.isAccessible() && project.hasNature(JavaCore.NATURE_ID);
        } catch (CoreException e) {
            return false;
        }
    }

    /** A workspace path's place on disk, or the path itself when it names an external file. */
    private static Path location(IWorkspaceRoot root, IPath path) {
        IResource member = root.findMember(path);
        if (member == null && path.segmentCount() >= 2 && root.getProject(path.segment(0)).exists()) {
            member = root.getFolder(path); // in the workspace but not there yet (an output folder before a build)
        }
        IPath location = member != null ? member.getLocation() : path;
        return location == null ? null : location.toFile().toPath();
    }

    private static void add(Set<Path> out, Path p) {
        // jrt-fs.jar stands for a modular JDK's image; the parser reads the running JDK's modules by itself
        if (p != null && !p.getFileName().toString().equals("jrt-fs.jar")) {
            out.add(p);
        }
    }
}
