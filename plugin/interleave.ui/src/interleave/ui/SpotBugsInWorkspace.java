package interleave.ui;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.Platform;
import org.eclipse.jdt.core.IClasspathEntry;
import org.eclipse.jdt.core.IJavaProject;
import org.eclipse.jdt.core.JavaCore;
import org.osgi.framework.Bundle;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.SourceFile;
import interleave.engine.external.ClassFileAnalyzer;
import interleave.engine.external.ExternalFindings;
import interleave.engine.finding.Finding;
import interleave.engine.finding.SourceRange;
import interleave.engine.settings.Settings;

/**
 * SpotBugs in the workspace: when bundle {@code interleave.spotbugs} is installed, an analysis of Java projects also
 * runs SpotBugs' thread and resource detectors on each project's compiled classes (the output folders of its source
 * entries) and merges their findings into Interleave's as the command line's {@code --classes} does: a SpotBugs
 * finding on a line where Interleave reports the same bug class is dropped. Only findings in the analyzed files are
 * kept, and none in a file changed since it was last compiled (its classes would describe older code).
 *
 * The SpotBugs bundle is an optional dependency: every use of its classes is in {@link Calls}, reached only after
 * {@link #installed()}.
 */
final class SpotBugsInWorkspace {
    static final String BUNDLE = "interleave.spotbugs";
    /** The prefix of SpotBugs' rule ids (as {@code interleave.spotbugs.SpotBugsAnalyzer.PREFIX}). */
    static final String RULE_PREFIX = "spotbugs:";
    static final String TOOL = "SpotBugs";

    /** SpotBugs keeps global state (its analysis context, detector registry): one run at a time. */
    private static final Object ONE_RUN = new Object();

    private SpotBugsInWorkspace() {
    }

    /**
     * The merged result, how many of its findings are SpotBugs', and what the user should read in the summary
     * (SpotBugs did not run on a project without classes, a file was not rebuilt); empty when SpotBugs had nothing
     * to say.
     */
    record Outcome(AnalysisResult result, int spotBugsFindings, String summaryNote) {
    }

    static boolean isSpotBugsRule(String ruleId) {
        return ruleId.startsWith(RULE_PREFIX);
    }

    /** True when the SpotBugs bundle is installed and can be used. */
    static boolean installed() {
        Bundle b = Platform.getBundle(BUNDLE);
        return b != null && (b.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) != 0;
    }

    /** Where a Java project's sources are and where its builder writes their classes. */
    record SourceFolder(IPath path, Path location, Path output) {
    }

    /**
     * Interleave's result {@code own} on {@code program}, with SpotBugs' findings on the compiled classes of the Java
     * projects in {@code scope} merged in, the settings and {@code interleave-ignore} comments applied to them as on
     * the command line; {@code own} unchanged when there is no Java project or no SpotBugs.
     */
    static Outcome addFindings(Collection<? extends IResource> scope, WorkspaceSources.Program program,
            AnalysisResult own, Settings settings) {
        Map<IProject, List<SourceFolder>> projects = javaProjects(scope);
        boolean anyJava = program.files().keySet().stream().anyMatch(f -> f.endsWith(".java"));
        if (projects.isEmpty() || !anyJava || !installed()) {
            return new Outcome(own, 0, "");
        }
        List<String> summary = new ArrayList<>();
        List<Path> classes = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        List<SourceFolder> folders = new ArrayList<>();
        for (Map.Entry<IProject, List<SourceFolder>> e : projects.entrySet()) {
            Set<Path> outputs = new LinkedHashSet<>();
            for (SourceFolder f : e.getValue()) {
                sources.add(f.location());
                if (hasClassFiles(f.output())) {
                    outputs.add(f.output());
                }
            }
            folders.addAll(e.getValue());
            if (outputs.isEmpty()) {
                summary.add("SpotBugs did not run on " + e.getKey().getName() + ": it has no compiled classes yet"
                        + " (build the project, or turn on Project > Build Automatically).");
            }
            classes.addAll(outputs);
        }
        if (classes.isEmpty()) {
            return new Outcome(own, 0, String.join(" ", summary));
        }
        List<Notification> notes = new ArrayList<>(own.notifications());
        ClassFileAnalyzer tool;
        List<Finding> theirs;
        try {
            synchronized (ONE_RUN) {
                tool = Calls.analyzer();
                theirs = Calls.analyze(tool, classes, JavaProjects.classpath(scope), sources, SpotBugsInWorkspace::display);
                tool.notes().forEach(n -> notes.add(Notification.warning("", n)));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // SpotBugs failing must not cost the user Interleave's own findings
            notes.add(Notification.warning("", "SpotBugs could not analyze the compiled classes (" + e
                    + "); only Interleave's own findings are shown"));
            return new Outcome(new AnalysisResult(own.findings(), own.suppressed(), notes, own.filesAnalyzed()), 0,
                    String.join(" ", summary));
        }
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, SourceFile> byPath = new LinkedHashMap<>();
        for (SourceFile s : program.sources()) {
            texts.put(s.path(), s.text());
            byPath.put(s.path(), s);
        }
        Set<String> stale = new TreeSet<>();
        List<Finding> kept = new ArrayList<>();
        for (Finding f : theirs) {
            IFile file = program.files().get(f.location().file());
            if (file == null) {
                continue; // a class of a file outside what was analyzed (another package, a file not selected)
            }
            if (compiledBefore(file, folders)) {
                stale.add(file.getName());
                continue;
            }
            kept.add(onLineText(f, texts.get(f.location().file())));
        }
        if (!stale.isEmpty()) {
            summary.add("SpotBugs' findings on " + String.join(", ", stale) + " are left out: "
                    + (stale.size() == 1 ? "it has" : "they have") + " changed since last compiled (build the project"
                    + " and analyze again).");
        }
        AnalysisResult merged = ExternalFindings.mergeInto(new AnalysisResult(own.findings(), own.suppressed(), notes,
                own.filesAnalyzed()), kept, tool, settings, byPath::get);
        int fromSpotBugs = (int) merged.findings().stream().filter(f -> isSpotBugsRule(f.ruleId())).count();
        return new Outcome(merged, fromSpotBugs, String.join(" ", summary));
    }

    /** The Java projects of the scope with their source folders (a broken build path leaves a project out). */
    static Map<IProject, List<SourceFolder>> javaProjects(Collection<? extends IResource> scope) {
        Map<IProject, List<SourceFolder>> out = new LinkedHashMap<>();
        IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
        for (IResource r : scope) {
            IProject project = r.getProject();
            if (project == null || out.containsKey(project) || !isJavaProject(project)) {
                continue;
            }
            IJavaProject java = JavaCore.create(project);
            List<SourceFolder> folders = new ArrayList<>();
            try {
                IPath defaultOutput = java.getOutputLocation();
                for (IClasspathEntry e : java.getResolvedClasspath(true)) {
                    if (e.getEntryKind() != IClasspathEntry.CPE_SOURCE) {
                        continue;
                    }
                    IPath output = e.getOutputLocation() != null ? e.getOutputLocation() : defaultOutput;
                    Path source = location(root, e.getPath());
                    Path classes = location(root, output);
                    if (source != null && classes != null) {
                        folders.add(new SourceFolder(e.getPath(), source, classes));
                    }
                }
            } catch (CoreException e) {
                continue;
            }
            out.put(project, folders);
        }
        return out;
    }

    private static boolean isJavaProject(IProject project) {
        try {
            return project.isAccessible() && project.hasNature(JavaCore.NATURE_ID);
        } catch (CoreException e) {
            return false;
        }
    }

    /** A workspace path's place on disk (folders that do not exist yet included), or null. */
    private static Path location(IWorkspaceRoot root, IPath path) {
        IResource member = root.findMember(path);
        if (member == null && path.segmentCount() >= 2) {
            member = root.getFolder(path);
        } else if (member == null && path.segmentCount() == 1) {
            member = root.getProject(path.segment(0));
        }
        IPath location = member == null ? null : member.getLocation();
        return location == null ? null : location.toFile().toPath();
    }

    static boolean hasClassFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            return s.anyMatch(p -> p.toString().endsWith(".class"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The workspace path of a file on disk (as the analysis names files), else the file system path. */
    private static String display(Path p) {
        URI uri = p.toAbsolutePath().normalize().toUri();
        IFile[] files = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(uri);
        return files.length > 0 ? files[0].getFullPath().toString() : p.toString();
    }

    /**
     * True when the source was changed after the builder last wrote its class (the class named like the file in its
     * output folder; a file without such a class is taken as compiled). The builder rewrites a class only when its
     * bytes change, so an edit that changes no byte (a comment's words on the same line) also counts as newer.
     */
    static boolean compiledBefore(IFile source, List<SourceFolder> folders) {
        for (SourceFolder f : folders) {
            if (!f.path().isPrefixOf(source.getFullPath())) {
                continue;
            }
            IPath relative = source.getFullPath().makeRelativeTo(f.path()).removeFileExtension()
                    .addFileExtension("class");
            Path classFile = f.output().resolve(relative.toString());
            try {
                return Files.isRegularFile(classFile)
                        && source.getLocalTimeStamp() > Files.getLastModifiedTime(classFile).toMillis();
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * SpotBugs knows lines, not columns: the finding gets the line's text (leading blanks left out) as its range, so
     * its marker underlines that line in the editor.
     */
    static Finding onLineText(Finding f, String text) {
        SourceRange at = f.location();
        if (text == null || at.hasOffsets()) {
            return f;
        }
        int start = 0;
        for (int line = 1; line < at.startLine(); line++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return f; // past the end: the file changed, keep the line alone
            }
            start = nl + 1;
        }
        int end = text.indexOf('\n', start);
        end = end < 0 ? text.length() : end;
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        int first = start;
        while (first < end && Character.isWhitespace(text.charAt(first))) {
            first++;
        }
        if (first == end) {
            return f;
        }
        SourceRange range = new SourceRange(at.file(), at.startLine(), first - start + 1, at.startLine(),
                end - start + 1, first, end);
        return new Finding(f.ruleId(), f.severity(), f.message(), range, f.evidence(), f.fixes(), f.moment(),
                f.fingerprint());
    }

    /** The explanation page of a SpotBugs rule id, when the bundle is installed and knows the pattern. */
    record Page(String ruleId, String title, String markdown, String html) {
    }

    static Optional<Page> page(String ruleId) {
        if (!isSpotBugsRule(ruleId) || !installed()) {
            return Optional.empty();
        }
        try {
            return Calls.page(ruleId);
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** The only code that names the SpotBugs bundle's classes. */
    private static final class Calls {
        static ClassFileAnalyzer analyzer() {
            return new interleave.spotbugs.SpotBugsAnalyzer();
        }

        static List<Finding> analyze(ClassFileAnalyzer tool, List<Path> classes, List<Path> aux, List<Path> sources,
                Function<Path, String> display) throws IOException {
            return ((interleave.spotbugs.SpotBugsAnalyzer) tool).analyze(classes, aux, sources, display);
        }

        static Optional<Page> page(String ruleId) {
            return interleave.spotbugs.BugPatternPage.of(ruleId)
                    .map(p -> new Page(p.ruleId(), p.title(), p.markdown(), p.html()));
        }
    }
}
