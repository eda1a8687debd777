package interleave.ui;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.expressions.EvaluationContext;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.ui.IMarkerResolution;
import org.osgi.framework.Bundle;

/**
 * {@code -application interleave.ui.selfcheck}: verifies an installation without a window. Checks that the bundles
 * resolve and the command, menu and quick fixes are contributed, analyzes a small buggy C program in a throw-away
 * project through the real handler and job, applies a quick fix, then (with JDT and the SpotBugs bundle installed)
 * analyzes a small Java project built by JDT with SpotBugs merged in, and prints one result line:
 * {@code SELFCHECK RESULT OK <n> markers} or {@code SELFCHECK RESULT FAIL <reason>}. Exit code 0 or 1.
 */
public final class SelfCheckApplication implements IApplication {
    private static final String SERVER = """
            #include <pthread.h>
            #include <sys/socket.h>
            #include <unistd.h>

            static void *serve(void *vargp)
            {
                int connfd = *((int *)vargp);
                pthread_detach(pthread_self());
                close(connfd);
                return NULL;
            }

            int main(void)
            {
                int listenfd = socket(AF_INET, SOCK_STREAM, 0), connfd;
                pthread_t tid;
                while (1) {
                    connfd = accept(listenfd, NULL, NULL);
                    pthread_create(&tid, NULL, serve, &connfd);
                }
            }
            """;
    private static final String HANDLER = """
            #include <errno.h>
            #include <signal.h>
            #include <stdio.h>
            #include <sys/wait.h>

            static void reap(int sig)
            {
                int saved_errno = errno;
                int pid;
                while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
                    printf("reaped %d\\n", pid);
                errno = saved_errno;
            }

            void install_reaper(void)
            {
                signal(SIGCHLD, reap);
            }
            """;

    @Override
    public Object start(IApplicationContext context) {
        String result;
        try {
            result = check();
        } catch (Exception | LinkageError e) {
            e.printStackTrace(System.out);
            result = "FAIL " + e;
        }
        System.out.println("SELFCHECK RESULT " + result);
        return result.startsWith("OK") ? IApplication.EXIT_OK : Integer.valueOf(1);
    }

    private String check() throws Exception {
        for (String id : List.of("interleave.core", "interleave.c", "interleave.trace", "interleave.ui")) {
            Bundle b = Platform.getBundle(id);
            System.out.println("SELFCHECK bundle " + id + " " + (b == null ? "MISSING" : b.getVersion() + " "
                    + stateName(b.getState())));
            if (b == null || b.getState() == Bundle.INSTALLED) {
                return "FAIL bundle " + id + " is missing or unresolved";
            }
        }
        for (String[] point : new String[][] { { "org.eclipse.ui.commands", "command", "id", AnalyzeConcurrencyHandler.COMMAND_ID },
                { "org.eclipse.ui.ide.markerResolution", "markerResolutionGenerator", "markerType", InterleaveMarkers.TYPE },
                { "org.eclipse.ui.views", "view", "id", RuleDocumentationView.ID } }) {
            if (!contributed(point[0], point[1], point[2], point[3])) {
                return "FAIL " + point[0] + " has no " + point[1] + " " + point[3];
            }
            System.out.println("SELFCHECK contributed: " + point[0] + " " + point[3]);
        }

        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("interleave-selfcheck-"
                + System.nanoTime());
        project.create(null);
        project.open(null);
        try {
            IFile server = create(project.getFile("server.c"), SERVER);
            create(project.getFile("reaper.c"), HANDLER);

            // The real handler, with the selection a right-click on the project would give it.
            EvaluationContext selection = new EvaluationContext(null, project);
            selection.addVariable("selection", new StructuredSelection(project));
            Object job = new AnalyzeConcurrencyHandler().execute(new ExecutionEvent(null, Map.of(), null,
                    selection));
            if (!(job instanceof AnalysisJob analysis)) {
                return "FAIL the handler did not start an analysis for the selected project";
            }
            Job.getJobManager().join(AnalysisJob.FAMILY, null);
            IStatus status = analysis.getResult();
            System.out.println("SELFCHECK analysis job: " + status);
            if (status == null || status.getSeverity() == IStatus.ERROR) {
                return "FAIL analysis job ended with " + status;
            }
            IMarker[] markers = project.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_INFINITE);
            Set<String> rules = new TreeSet<>();
            for (IMarker m : markers) {
                rules.add(m.getAttribute(InterleaveMarkers.RULE_ID, "?"));
                System.out.println("SELFCHECK marker " + m.getResource().getName() + ":"
                        + m.getAttribute(IMarker.LINE_NUMBER, -1) + " " + m.getAttribute(InterleaveMarkers.RULE_ID, ""));
            }
            if (!rules.equals(Set.of("stack-address-to-thread", "unsafe-call-in-signal-handler"))) {
                return "FAIL expected markers of both rules, got " + rules + " (" + markers.length + " markers)";
            }

            // Quick fix path: recompute the fix from the marker's keys, apply it, re-analyze.
            IMarker connfd = server.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO)[0];
            List<String> labels = new ArrayList<>();
            ApplyFixResolution fix = null;
            for (IMarkerResolution r : new FindingResolutionGenerator().getResolutions(connfd)) {
                labels.add(r.getLabel());
                if (r instanceof ApplyFixResolution a && fix == null) {
                    fix = a;
                }
            }
            System.out.println("SELFCHECK resolutions: " + labels);
            if (fix == null) {
                return "FAIL no quick fix offered for " + connfd.getAttribute(IMarker.MESSAGE, "");
            }
            IStatus applied = fix.apply();
            if (!applied.isOK()) {
                return "FAIL quick fix: " + applied.getMessage();
            }
            AnalysisJob again = new AnalysisJob(List.of(project));
            again.schedule();
            again.join();
            int left = server.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO).length;
            if (left != 0) {
                return "FAIL the quick fix '" + fix.getLabel() + "' left " + left + " marker(s) on server.c";
            }
            String java = checkJavaWithSpotBugs();
            if (java != null) {
                return java;
            }
            return "OK " + markers.length + " markers";
        } finally {
            project.delete(true, true, null);
            ResourcesPlugin.getWorkspace().save(true, null);
        }
    }

    private static final String COUNTER = """
            package check;

            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            public class Counter {
                private static volatile int served;

                public static void main(String[] args) {
                    ExecutorService pool = Executors.newFixedThreadPool(4);
                    for (int i = 0; i < 100; i++) {
                        pool.execute(Counter::serve);
                    }
                    pool.shutdown();
                    new Thread(Counter::serve).run();
                }

                static void serve() {
                    served++;
                }
            }
            """;

    /**
     * When JDT and the SpotBugs bundle are installed: a Java project built by JDT's builder, analyzed through the job,
     * gets Interleave's marker and SpotBugs' (naming its tool). Null when it passes or cannot apply, else the failure.
     */
    private static String checkJavaWithSpotBugs() throws Exception {
        for (String id : List.of(SpotBugsInWorkspace.BUNDLE, "org.eclipse.jdt.launching")) {
            if (Platform.getBundle(id) == null) {
                System.out.println("SELFCHECK java: skipped, " + id + " is not installed");
                return null;
            }
        }
        if (!SpotBugsInWorkspace.installed()) {
            return "FAIL bundle " + SpotBugsInWorkspace.BUNDLE + " is installed but unresolved";
        }
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("interleave-selfcheck-java-"
                + System.nanoTime());
        project.create(null);
        project.open(null);
        try {
            var description = project.getDescription();
            description.setNatureIds(new String[] { org.eclipse.jdt.core.JavaCore.NATURE_ID });
            project.setDescription(description, null);
            var src = project.getFolder("src");
            src.create(true, true, null);
            src.getFolder("check").create(true, true, null);
            create(src.getFile("check/Counter.java"), COUNTER);
            var java = org.eclipse.jdt.core.JavaCore.create(project);
            java.setRawClasspath(new org.eclipse.jdt.core.IClasspathEntry[] {
                    org.eclipse.jdt.core.JavaCore.newSourceEntry(src.getFullPath()),
                    org.eclipse.jdt.core.JavaCore.newContainerEntry(
                            org.eclipse.core.runtime.IPath.fromOSString("org.eclipse.jdt.launching.JRE_CONTAINER")) },
                    project.getFolder("bin").getFullPath(), null);
            project.build(org.eclipse.core.resources.IncrementalProjectBuilder.FULL_BUILD, null);
            if (!project.getFile("bin/check/Counter.class").exists()) {
                return "FAIL JDT's builder wrote no bin/check/Counter.class";
            }
            AnalysisJob analysis = new AnalysisJob(List.of(project));
            analysis.schedule();
            analysis.join();
            System.out.println("SELFCHECK java analysis: " + analysis.summary());
            Set<String> found = new TreeSet<>();
            for (IMarker m : project.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_INFINITE)) {
                found.add(m.getAttribute(InterleaveMarkers.TOOL, "?") + " " + m.getAttribute(InterleaveMarkers.RULE_ID,
                        "?"));
            }
            System.out.println("SELFCHECK java markers: " + found);
            Set<String> expected = Set.of("Interleave unsynchronized-shared-write", "SpotBugs spotbugs:RU_INVOKE_RUN");
            return found.equals(expected) ? null : "FAIL Java with SpotBugs: expected markers " + expected + ", got "
                    + found + " (" + analysis.summary() + ")";
        } finally {
            project.delete(true, true, null);
        }
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED (unresolved)";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    private static boolean contributed(String point, String element, String attribute, String value) {
        for (IConfigurationElement e : Platform.getExtensionRegistry().getConfigurationElementsFor(point)) {
            if (e.getName().equals(element) && value.equals(e.getAttribute(attribute))) {
                return true;
            }
        }
        return false;
    }

    private static IFile create(IFile file, String text) throws Exception {
        file.create(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true, null);
        return file;
    }

    @Override
    public void stop() {
    }
}
