package interleave.ui;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.IWorkspaceRunnable;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.MultiStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.ISchedulingRule;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.MultiRule;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.analysis.Notification;
import interleave.engine.finding.Finding;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.settings.SettingsException;
import interleave.ui.prefs.InterleavePreferences;

/**
 * Analyzes the C and Java files of some projects, folders and files together as one program (a handler defined in one file
 * and installed in another is still found), then replaces Interleave's markers on those resources in one workspace
 * operation. Cancellable between files; a cancelled run leaves the old markers alone.
 */
public final class AnalysisJob extends Job {
    public static final String PLUGIN_ID = "interleave.ui";
    /** Job family, for {@code IJobManager.join} in tests and the self check. */
    public static final Object FAMILY = AnalysisJob.class;

    private final List<IResource> scope;
    private volatile AnalysisResult lastResult;
    private volatile int markersCreated;
    private volatile String summary = "";

    public AnalysisJob(Collection<? extends IResource> scope) {
        super("Analyze concurrency: " + scope.stream().map(IResource::getName).collect(Collectors.joining(", ")));
        this.scope = List.copyOf(scope);
        // Serializes analyses of the same project (each replaces the markers the other writes); other projects and
        // the workspace stay free.
        setRule(projectsRule(this.scope));
    }

    private static ISchedulingRule projectsRule(List<IResource> scope) {
        Set<ISchedulingRule> projects = new LinkedHashSet<>();
        for (IResource r : scope) {
            projects.add(r.getProject() != null ? r.getProject() : r);
        }
        return MultiRule.combine(projects.toArray(ISchedulingRule[]::new));
    }

    public List<IResource> scope() {
        return scope;
    }

    /** The engine's answer of the last completed run, or null. */
    public AnalysisResult lastResult() {
        return lastResult;
    }

    public int markersCreated() {
        return markersCreated;
    }

    /** One line about the last run for the user: findings, files, partial parses; empty before a run ends. */
    public String summary() {
        return summary;
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        try {
            return analyze(monitor);
        } catch (CoreException e) {
            return Status.error("Interleave could not update its problem markers: " + e.getMessage(), e);
        }
    }

    /**
     * The job's work, also callable directly in the calling thread (tests use it with a cancelled monitor). Returns
     * CANCEL without touching any marker when the monitor is cancelled before the markers are replaced.
     */
    public IStatus analyze(IProgressMonitor monitor) throws CoreException {
        try {
            return analyzeAndMark(monitor);
        } catch (OperationCanceledException e) {
            return Status.CANCEL_STATUS;
        }
    }

    private IStatus analyzeAndMark(IProgressMonitor monitor) throws CoreException {
        List<IFile> files = WorkspaceSources.collect(scope);
        // one tick per file read, one per file parsed, a few for the markers
        SubMonitor progress = SubMonitor.convert(monitor, "Analyzing concurrency", files.size() * 2 + 2);
        if (files.isEmpty()) {
            replaceMarkers(List.of(), new WorkspaceSources.Program(List.of(), Map.of(), List.of()),
                    progress.split(2));
            summary = "No .c, .h or .java files in " + describeScope() + ": nothing to analyze.";
            return Status.info(summary);
        }
        WorkspaceSources.Program program = WorkspaceSources.read(files, false, () -> {
            progress.checkCanceled();
            progress.worked(1);
        });
        List<Notification> settingsNotes = new ArrayList<>();
        Settings settings = projectSettings(settingsNotes);
        // every front end (C, and Java with the project's build path); the rules pick the programs they read
        AnalysisResult result = new Analyzer(JavaProjects.frontEnds(scope), RuleRegistry.rules(),
                Runtime.getRuntime().availableProcessors(), settings, null).analyze(program.sources(),
                        new Analyzer.Progress() {
            @Override
            public void parsed(String file) {
                progress.subTask(file);
                progress.worked(1);
            }
        }, progress::isCanceled);
        if (progress.isCanceled()) {
            return Status.CANCEL_STATUS;
        }
        // SpotBugs on the Java projects' compiled classes, when its bundle is installed
        progress.subTask("SpotBugs on the compiled classes");
        SpotBugsInWorkspace.Outcome spotBugs = SpotBugsInWorkspace.addFindings(scope, program, result, settings);
        result = spotBugs.result();
        if (progress.isCanceled()) {
            return Status.CANCEL_STATUS;
        }
        replaceMarkers(result.findings(), program, progress.split(2));
        lastResult = result;

        List<Notification> notes = new ArrayList<>(program.notifications());
        notes.addAll(settingsNotes);
        notes.addAll(result.notifications());
        summary = summarize(result, markersCreated)
                + (spotBugs.summaryNote().isEmpty() ? "" : " " + spotBugs.summaryNote());
        if (notes.isEmpty()) {
            return new Status(IStatus.OK, PLUGIN_ID, summary);
        }
        // Unreadable or partly unreadable files are reported, not thrown: the findings of the rest stand.
        MultiStatus status = new MultiStatus(PLUGIN_ID, 0, summary + " Interleave had " + notes.size()
                + " problem(s) reading " + describeScope() + "; findings may be incomplete.", null);
        for (Notification n : notes) {
            status.add(new Status(IStatus.WARNING, PLUGIN_ID, n.describe()));
        }
        return status;
    }

    private void replaceMarkers(List<Finding> findings, WorkspaceSources.Program program, IProgressMonitor monitor)
            throws CoreException {
        IWorkspace workspace = ResourcesPlugin.getWorkspace();
        IWorkspaceRunnable update = m -> {
            int created = 0;
            for (IResource r : scope) {
                if (r.exists()) {
                    r.deleteMarkers(InterleaveMarkers.TYPE, false,
                            r.getType() == IResource.FILE ? IResource.DEPTH_ZERO : IResource.DEPTH_INFINITE);
                }
            }
            for (Finding f : findings) {
                IFile file = program.files().get(f.location().file());
                if (file != null && file.exists()) { // the file may have been deleted while we analyzed
                    InterleaveMarkers.create(file, f, scope);
                    created++;
                }
            }
            markersCreated = created;
        };
        workspace.run(update, getRule(), IWorkspace.AVOID_UPDATE, monitor);
    }

    /**
     * The settings file {@value Settings#FILE_NAME} at the root of the (first) analyzed project, the same file the
     * command line reads; else the workspace's defaults (Preferences > Interleave, kept in the same format); else the
     * rules' own defaults. A broken file is reported and the defaults used.
     */
    private Settings projectSettings(List<Notification> notes) {
        for (IResource r : scope) {
            if (r.getProject() == null || r.getProject().getLocation() == null) {
                continue;
            }
            java.nio.file.Path file = r.getProject().getLocation().toFile().toPath().resolve(Settings.FILE_NAME);
            if (java.nio.file.Files.isRegularFile(file)) {
                return read(file, notes);
            }
            break;
        }
        java.nio.file.Path workspace = InterleavePreferences.workspaceFile();
        return java.nio.file.Files.isRegularFile(workspace) ? read(workspace, notes) : Settings.defaults();
    }

    private static Settings read(java.nio.file.Path file, List<Notification> notes) {
        try {
            return Settings.read(file);
        } catch (SettingsException e) {
            notes.add(Notification.error(file.getFileName().toString(), e.getMessage() + "; using the defaults"));
            return Settings.defaults();
        }
    }

    /**
     * E.g. "3 findings in 2 of 5 C files; 1 file parsed only partially." (or "Java files", "C/Java files"; "2 findings
     * (1 from SpotBugs) in ...").
     */
    static String summarize(AnalysisResult result, int findings) {
        int files = result.filesAnalyzed().size();
        boolean java = result.filesAnalyzed().stream().anyMatch(f -> f.endsWith(".java"));
        boolean c = result.filesAnalyzed().stream().anyMatch(f -> !f.endsWith(".java"));
        String kind = java && c ? "C/Java file" : java ? "Java file" : "C file";
        long partial = result.notifications().stream().filter(Notification::isPartialParse).map(Notification::file)
                .distinct().count();
        long withFindings = result.findings().stream().map(f -> f.location().file()).distinct().count();
        long fromSpotBugs = result.findings().stream()
                .filter(f -> SpotBugsInWorkspace.isSpotBugsRule(f.ruleId())).count();
        String counted = findings == 0 ? "No findings in " + plural(files, kind)
                : plural(findings, "finding") + (fromSpotBugs == 0 ? "" : " (" + fromSpotBugs + " from SpotBugs)")
                        + " in " + withFindings + " of " + plural(files, kind);
        return counted + (partial == 0 ? "." : "; " + plural((int) partial, "file") + " parsed only partially.");
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private String describeScope() {
        return scope.stream().map(r -> r.getFullPath().toString()).collect(Collectors.joining(", "));
    }

    /** The projects, folders and C or Java files among some selected objects (anything that adapts to a resource). */
    public static List<IResource> analyzableResources(Iterable<?> selected) {
        List<IResource> out = new ArrayList<>();
        for (Object o : selected) {
            IResource r = org.eclipse.core.runtime.Adapters.adapt(o, IResource.class);
            if (r == null && o instanceof org.eclipse.jdt.core.IJavaElement java) {
                // Java elements adapt to resources through JDT UI's adapter factory; without it, ask the element
                r = java.getResource();
            }
            if (r == null || !r.isAccessible()) {
                continue;
            }
            boolean ok = switch (r.getType()) {
                case IResource.PROJECT, IResource.FOLDER -> true;
                case IResource.FILE -> WorkspaceSources.isSource(r);
                default -> false;
            };
            if (ok && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }
}
