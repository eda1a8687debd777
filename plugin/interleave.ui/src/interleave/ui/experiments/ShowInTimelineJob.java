package interleave.ui.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.ui.PlatformUI;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.demo.DemoRunner;
import interleave.engine.demo.DemoScenario;
import interleave.engine.demo.ObservedCounterparts;
import interleave.engine.finding.Finding;
import interleave.engine.tracing.WatchedVariables;
import interleave.engine.tracing.TracedLaunch;
import interleave.ui.InterleaveMarkers;
import interleave.ui.launch.TracedRuns;
import interleave.ui.timeline.LoadedRun;
import interleave.ui.timeline.TimelineView;

/**
 * Show in Timeline for a static finding: the latest run of its sample newer than the source, or a fresh traced run of
 * the sample, opened in the Concurrency Timeline with the observed occurrence of the same bug selected. Says so when
 * the file is not a sample, when no detector observes the rule, or when the run did not show the bug.
 */
public final class ShowInTimelineJob extends Job {
    private final String ruleId;
    private final Path source;
    private final int line;
    /** Where the occurrence was shown, once the job is done (tests read it). */
    private volatile Path shownRun;
    private volatile int shownFinding = -1;
    /** What this job started: stopped when the user cancels, and by Eclipse's exit through TracedRuns. */
    private final java.util.Set<Process> started = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ShowInTimelineJob(String ruleId, Path source, int line) {
        super("Show in Timeline: " + ruleId + " in " + source.getFileName());
        this.ruleId = ruleId;
        this.source = source;
        this.line = line;
        setUser(true);
    }

    /** The job for an Interleave marker, or empty when the marker is not one or its file is not on disk. */
    public static Optional<ShowInTimelineJob> forMarker(IMarker marker) {
        try {
            if (!marker.exists() || !InterleaveMarkers.TYPE.equals(marker.getType())
                    || marker.getResource().getLocation() == null) {
                return Optional.empty();
            }
        } catch (CoreException e) {
            return Optional.empty();
        }
        String rule = marker.getAttribute(InterleaveMarkers.RULE_ID, "");
        return rule.isEmpty() ? Optional.empty()
                : Optional.of(new ShowInTimelineJob(rule, marker.getResource().getLocation().toPath(),
                        marker.getAttribute(IMarker.LINE_NUMBER, 1)));
    }

    @Override
    protected void canceling() {
        // the sample's run polls no monitor: stopping its processes ends it at once
        started.forEach(p -> TracedLaunch.stopTree(p.toHandle()));
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == Lecture.FAMILY;
    }

    public Optional<Path> shownRun() {
        return Optional.ofNullable(shownRun);
    }

    public int shownFinding() {
        return shownFinding;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        String file = source.getFileName().toString();
        Set<String> observed = ObservedCounterparts.observedIds(ruleId);
        if (observed.isEmpty()) {
            return told(ruleId + " is found in the source only: no detector watches for it in a run, so there is no"
                    + " moment to show on the timeline.");
        }
        List<DemoScenario> scenarios = ObservedCounterparts.scenariosOf(file);
        Path folder = source.getParent();
        if (scenarios.isEmpty() || !Files.isRegularFile(folder.resolve("Makefile"))) {
            return told(file + " is not one of the lecture's samples, so Interleave does not know how to run it. Run"
                    + " your program with Run As > Traced C Application, then select the observed "
                    + String.join(" or ", observed.stream().sorted().toList()) + " finding in the Concurrency Timeline.");
        }
        SubMonitor sub = SubMonitor.convert(monitor, 2 + 2 * scenarios.size());
        try {
            String sample = scenarios.get(0).sample();
            Optional<Path> latest = latestRun(sample);
            sub.worked(1);
            if (latest.isPresent()) {
                sub.subTask("Opening " + latest.get().getFileName());
                if (showOccurrence(latest.get(), observed, file)) {
                    return Status.OK_STATUS;
                }
            }
            sub.subTask("make " + sample);
            boolean server = scenarios.stream().anyMatch(DemoScenario::isServer);
            if (server) {
                Lecture.make(folder, sample, "echo-client");
            } else {
                Lecture.make(folder, sample);
            }
            sub.worked(1);
            DemoRunner runner = new DemoRunner(folder.resolve("bin"), Lecture.agent()).onStart(p -> {
                started.add(p);
                TracedRuns.started(p);
            });
            Path last = null;
            for (DemoScenario s : scenarios) {
                if (sub.isCanceled()) {
                    return Status.CANCEL_STATUS;
                }
                sub.subTask("Running " + s.name() + " traced (" + s.bug() + ")");
                Path dir = Lecture.newRunDir(s.sample());
                DemoRunner.ScenarioRun r = runner.run(s, dir, watchEnvironment(folder, s));
                sub.worked(1);
                if (sub.isCanceled()) {
                    return Status.CANCEL_STATUS;
                }
                last = dir;
                if (!r.problem().isEmpty() && !Files.isDirectory(dir)) {
                    return told("Running " + s.name() + " did not work: " + r.problem());
                }
                if (showOccurrence(dir, observed, file)) {
                    return Status.OK_STATUS;
                }
                sub.worked(1);
            }
            return told("Ran " + file.replaceFirst("\\.c$", "") + " traced, but " + ruleId + " did not happen in this"
                    + " run (it depends on timing): the run is shown in the Concurrency Timeline (" + last.getFileName()
                    + "). Run Show in Timeline again to try once more.");
        } catch (CoreException e) {
            return told("Show in Timeline could not run " + file + ": " + e.getStatus().getMessage());
        } catch (IOException e) {
            return told("Show in Timeline could not run " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.CANCEL_STATUS;
        }
    }

    /** The watched variables for the unsynchronized-write detector, as the demo and `trace --source` arm them. */
    private Map<String, String> watchEnvironment(Path folder, DemoScenario s) {
        Path bin = folder.resolve("bin").resolve(s.sample());
        List<Path> program = s.isServer() ? List.of(source, folder.resolve("common.c")) : List.of(source);
        AnalysisResult a = new CAnalyzer().analyzeFiles(program.stream().filter(Files::isRegularFile).toList(),
                Path::toString, CAnalyzer.Progress.NONE, () -> false);
        return WatchedVariables.resolve(WatchedVariables.flaggedNames(a.findings()), bin, 0).environment(bin);
    }

    /** The newest run folder of this sample written after the source was last changed. */
    private Optional<Path> latestRun(String sample) throws IOException {
        Path base = Lecture.runsBase();
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        long sourceTime = Files.getLastModifiedTime(source).toMillis();
        try (var dirs = Files.list(base)) {
            return dirs.filter(d -> d.getFileName().toString().matches(java.util.regex.Pattern.quote(sample)
                    + "-\\d{8}-\\d{6}(-\\d+)?")).filter(Files::isDirectory).filter(d -> modified(d) > sourceTime)
                    .max(Comparator.comparingLong(ShowInTimelineJob::modified));
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Opens the run and selects the occurrence; false (the run stays shown) when the run has none. */
    private boolean showOccurrence(Path runDir, Set<String> observed, String file) throws InterruptedException {
        Optional<TimelineView> view = Lecture.openAndWait(runDir);
        if (view.isEmpty()) {
            return false;
        }
        AtomicReference<Integer> chosen = new AtomicReference<>(-1);
        PlatformUI.getWorkbench().getDisplay().syncExec(() -> {
            TimelineView v = view.get();
            Optional<LoadedRun> run = v.run().filter(r -> r.directory().equals(runDir));
            if (run.isEmpty()) {
                return;
            }
            List<Finding> findings = run.get().findings();
            Optional<Integer> i = ObservedCounterparts.occurrence(findings, observed, file, line);
            if (i.isPresent()) {
                v.findingsTable().setSelection(i.get());
                v.showFinding(i.get());
                chosen.set(i.get());
            }
        });
        if (chosen.get() < 0) {
            return false;
        }
        shownRun = runDir;
        shownFinding = chosen.get();
        Lecture.tell("Interleave: Show in Timeline", "The " + ruleId + " finding in " + file
                + " as it happened in run " + runDir.getFileName() + ": selected in the Concurrency Timeline.");
        return true;
    }

    private static IStatus told(String message) {
        Lecture.tell("Interleave: Show in Timeline", message);
        return Status.OK_STATUS;
    }
}
