package interleave.spotbugs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import edu.umd.cs.findbugs.BugCollectionBugReporter;
import edu.umd.cs.findbugs.BugInstance;
import edu.umd.cs.findbugs.BugPattern;
import edu.umd.cs.findbugs.DetectorFactoryCollection;
import edu.umd.cs.findbugs.FindBugs;
import edu.umd.cs.findbugs.FindBugs2;
import edu.umd.cs.findbugs.Priorities;
import edu.umd.cs.findbugs.Project;
import edu.umd.cs.findbugs.SourceLineAnnotation;
import edu.umd.cs.findbugs.Version;
import edu.umd.cs.findbugs.config.UserPreferences;
import interleave.engine.external.ClassFileAnalyzer;
import interleave.engine.finding.Finding;
import interleave.engine.finding.Severity;
import interleave.engine.finding.SourceRange;

/**
 * SpotBugs as a library: runs all its detectors at maximum effort and low priority threshold (as
 * {@code -effort:max -low}) on class folders and jars, and keeps its multithreaded-correctness and resource findings
 * as Interleave findings with rule id {@code spotbugs:BUG_TYPE}.
 */
public final class SpotBugsAnalyzer implements ClassFileAnalyzer {
    public static final String PREFIX = "spotbugs:";

    private List<String> notes = List.of();

    static {
        quietLogging();
    }

    /**
     * SpotBugs logs through SLF4J; without a provider SLF4J warns on stderr at start. The warning is noise here: called
     * before SpotBugs' first class loads (also by {@link SpotBugsChecks}, which loads it to describe its patterns).
     */
    static void quietLogging() {
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    @Override
    public String toolName() {
        return "SpotBugs";
    }

    @Override
    public String toolVersion() {
        return Version.VERSION_STRING;
    }

    @Override
    public String informationUri() {
        return "https://spotbugs.github.io/";
    }

    @Override
    public String rulePrefix() {
        return PREFIX;
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public Optional<String> sameBugAs(String ruleId) {
        if (!ruleId.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return BugTypes.twin(ruleId.substring(PREFIX.length())).map(BugTypes.Twin::ruleId);
    }

    @Override
    public List<Finding> analyze(List<Path> classes, List<Path> sourceRoots, Function<Path, String> display)
            throws IOException {
        return analyze(classes, List.of(), sourceRoots, display);
    }

    /**
     * As {@link #analyze(List, List, Function)}, with the libraries the classes use ({@code auxClasspath}: jars and
     * class folders that are read for types, never reported on), as Eclipse knows them from a project's build path.
     */
    public List<Finding> analyze(List<Path> classes, List<Path> auxClasspath, List<Path> sourceRoots,
            Function<Path, String> display) throws IOException {
        for (Path c : classes) {
            if (!Files.exists(c)) {
                throw new IOException(c + ": no such class folder or jar");
            }
        }
        Project project = new Project();
        for (Path c : classes) {
            project.addFile(c.toAbsolutePath().toString());
        }
        for (Path a : auxClasspath) {
            if (Files.exists(a)) {
                project.addAuxClasspathEntry(a.toAbsolutePath().toString());
            }
        }
        for (Path s : sourceRoots) {
            project.addSourceDirs(List.of(s.toAbsolutePath().toString()));
        }
        notes = new ArrayList<>();
        // SpotBugs prints missing classes and analysis errors to stderr at the end; they become notes instead
        BugCollectionBugReporter reporter = new BugCollectionBugReporter(project) {
            @Override
            public void reportQueuedErrors() {
                int missing = getMissingClasses().size();
                if (missing > 0) {
                    notes.add("SpotBugs: " + missing + " class(es) the analyzed classes use were not found (give"
                            + " their jars with the classes); findings that need them may be missed");
                }
                int errors = getQueuedErrors().size();
                if (errors > 0) {
                    notes.add("SpotBugs: " + errors + " error(s) during the analysis, e.g. "
                            + getQueuedErrors().iterator().next().getMessage());
                }
            }
        };
        reporter.setPriorityThreshold(Priorities.LOW_PRIORITY);
        UserPreferences prefs = UserPreferences.createDefaultUserPreferences();
        prefs.setEffort(UserPreferences.EFFORT_MAX);
        prefs.getFilterSettings().setMinPriority("Low");
        FindBugs2 engine = new FindBugs2();
        try {
            engine.setProject(project);
            engine.setBugReporter(reporter);
            engine.setDetectorFactoryCollection(DetectorFactoryCollection.instance());
            engine.setUserPreferences(prefs);
            engine.setAnalysisFeatureSettings(FindBugs.MAX_EFFORT);
            engine.setNoClassOk(true);
            engine.finishSettings();
            engine.execute();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("SpotBugs was interrupted", e);
        } finally {
            engine.dispose();
        }
        SourceFinder sources = new SourceFinder(sourceRoots);
        List<Finding> out = new ArrayList<>();
        for (BugInstance b : reporter.getBugCollection()) {
            BugPattern pattern = b.getBugPattern();
            String type = b.getType();
            if (!BugTypes.shown(type, pattern.getCategory())) {
                continue;
            }
            SourceLineAnnotation line = b.getPrimarySourceLineAnnotation();
            String file = sources.find(line.getPackageName(), line.getSourceFile()).map(display)
                    .orElse(line.getSourcePath());
            int startLine = Math.max(1, line.getStartLine());
            SourceRange where = SourceRange.line(file, startLine);
            String ruleId = PREFIX + type;
            Severity severity = BugTypes.WEAK_EVIDENCE.contains(type) ? Severity.NOTE : severity(b.getPriority());
            out.add(Finding.of(ruleId, severity, message(b, type), where, List.of(), List.of(),
                    b.getInstanceKey()));
        }
        return out;
    }

    /**
     * SpotBugs' own sentence, then the lecture concept and Interleave's rule page when the bug class has a twin (the
     * rule id, {@code spotbugs:TYPE}, says which tool found it).
     */
    static String message(BugInstance b, String type) {
        StringBuilder sb = new StringBuilder(b.getMessageWithoutPrefix().strip());
        if (!sb.isEmpty() && ".!?".indexOf(sb.charAt(sb.length() - 1)) < 0) {
            sb.append('.');
        }
        BugTypes.twin(type).ifPresent(t -> sb.append(" Lecture: ").append(t.concept()).append(" (interleave explain ")
                .append(t.ruleId()).append(")."));
        return sb.toString();
    }

    static Severity severity(int priority) {
        return switch (priority) {
            case Priorities.HIGH_PRIORITY -> Severity.ERROR;
            case Priorities.NORMAL_PRIORITY -> Severity.WARNING;
            default -> Severity.NOTE;
        };
    }

    /** Source files by package and name under the source roots (their package folder, else anywhere below). */
    static final class SourceFinder {
        private final List<Path> roots;
        private Map<String, List<Path>> byName;

        SourceFinder(List<Path> roots) {
            this.roots = roots;
        }

        Optional<Path> find(String packageName, String fileName) {
            if (fileName == null || fileName.isEmpty() || fileName.equals(SourceLineAnnotation.UNKNOWN_SOURCE_FILE)) {
                return Optional.empty();
            }
            String dir = packageName == null || packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/";
            for (Path r : roots) {
                Path p = Files.isDirectory(r) ? r.resolve(dir + fileName) : r;
                if (Files.isRegularFile(p) && p.getFileName().toString().equals(fileName)) {
                    return Optional.of(p);
                }
            }
            List<Path> named = index().getOrDefault(fileName, List.of());
            return named.stream().filter(p -> p.toString().replace('\\', '/').endsWith("/" + dir + fileName))
                    .findFirst();
        }

        private Map<String, List<Path>> index() {
            if (byName == null) {
                byName = new HashMap<>();
                for (Path r : roots) {
                    if (!Files.isDirectory(r)) {
                        continue;
                    }
                    try (Stream<Path> s = Files.walk(r)) {
                        s.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).forEach(
                                p -> byName.computeIfAbsent(p.getFileName().toString(), k -> new ArrayList<>()).add(p));
                    } catch (IOException | java.io.UncheckedIOException e) {
                        // an unreadable folder: its sources are simply not found
                    }
                }
            }
            return byName;
        }
    }
}
