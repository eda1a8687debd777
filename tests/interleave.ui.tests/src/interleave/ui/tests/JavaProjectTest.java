package interleave.ui.tests;

import static interleave.ui.tests.Workbench.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IncrementalProjectBuilder;
import org.eclipse.jdt.core.IClasspathEntry;
import org.eclipse.jdt.core.ICompilationUnit;
import org.eclipse.jdt.core.IJavaElement;
import org.eclipse.jdt.core.IJavaModelMarker;
import org.eclipse.jdt.core.IJavaProject;
import org.eclipse.jdt.core.JavaCore;
import org.eclipse.jdt.core.formatter.DefaultCodeFormatterConstants;
import org.eclipse.jdt.launching.JavaRuntime;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.ui.IMarkerResolution;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.part.ISetSelectionTarget;
import org.eclipse.ui.ide.IDE;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.junit.jupiter.api.Test;

import interleave.ui.AnalysisJob;
import interleave.ui.InterleaveMarkers;
import interleave.ui.JavaProjects;

/**
 * A Java project in the workbench (Java nature, a source folder, the JRE container): Analyze concurrency finds the
 * volatile counter bumped from a pool's workers, the quick fix turns it into an AtomicInteger, the marker goes on
 * re-analysis, the fix's text takes the project's formatter settings, and JDT's own builder still compiles the project
 * without errors.
 */
class JavaProjectTest {
    static final String SERVER = """
            package server;

            import java.io.IOException;
            import java.net.InetAddress;
            import java.net.ServerSocket;
            import java.net.Socket;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            /** A pool echo server that counts its clients with ++ on a volatile field, from every worker. */
            public class CountingServer {
                private static volatile int served;

                public static void main(String[] args) throws IOException {
                    ExecutorService pool = Executors.newFixedThreadPool(4);
                    try (ServerSocket listener = new ServerSocket(15199, 50, InetAddress.getLoopbackAddress())) {
                        for (int i = 0; i < 3; i++) {
                            Socket conn = listener.accept();
                            pool.execute(() -> serve(conn));
                        }
                    } finally {
                        pool.shutdown();
                    }
                    System.out.println("served " + served + " clients");
                }

                static void serve(Socket conn) {
                    try (conn) {
                        conn.getOutputStream().write(conn.getInputStream().read());
                        served++;
                    } catch (IOException e) {
                        // the client left early: nothing to answer
                    }
                }
            }
            """;

    @Test
    void volatileCounterIsFoundFixedWithAnAtomicAndTheProjectStillBuilds() throws Exception {
        IProject project = javaProject("java-counter");
        IFile server = project.getFile("src/server/CountingServer.java");
        build(project);
        assertTrue(project.getFile("bin/server/CountingServer.class").exists(), "JDT's builder compiled the project");
        assertEquals(List.of(), errors(project), "the buggy server compiles");

        // what the Package Explorer hands the command: Java elements, which come out as their resources
        IJavaProject java = JavaCore.create(project);
        ICompilationUnit unit = (ICompilationUnit) JavaCore.create(server);
        List<IResource> scope = AnalysisJob.analyzableResources(List.of(java, unit.getParent(), unit));
        assertEquals(List.of(project, project.getFolder("src/server"), server), scope);

        AnalysisJob job = new AnalysisJob(List.of(project));
        job.schedule();
        Workbench.waitForAnalysis();
        int line = Workbench.lineOf(SERVER, "served++;");
        assertEquals(List.of("CountingServer.java:" + line + " unsynchronized-shared-write"),
                describe(Workbench.markers(project)));
        assertEquals("1 finding in 1 of 1 Java file.", job.summary());
        IMarker marker = Workbench.markers(project)[0];
        String headline = marker.getAttribute(IMarker.MESSAGE, "");
        String explanation = marker.getAttribute(InterleaveMarkers.EXPLANATION, "");
        assertTrue(headline.length() <= InterleaveMarkers.MESSAGE_LENGTH && headline.contains("served"), headline);
        assertTrue(explanation.length() >= headline.length() - 40 && explanation.contains("served"), explanation);
        assertEquals(SERVER.indexOf("served++;"), marker.getAttribute(IMarker.CHAR_START, -1),
                "the marker starts at the increment in the editor's text");

        IMarkerResolution[] all = IDE.getMarkerHelpRegistry().getResolutions(marker);
        IMarkerResolution fix = Arrays.stream(all).filter(r -> r.getLabel().contains("AtomicInteger")).findFirst()
                .orElseThrow(() -> new AssertionError("no AtomicInteger fix: "
                        + Arrays.stream(all).map(IMarkerResolution::getLabel).toList()));
        fix.run(marker);
        Workbench.waitForAnalysis();

        String fixed = Workbench.read(server);
        assertTrue(fixed.contains("import java.util.concurrent.atomic.AtomicInteger;"), fixed);
        assertTrue(fixed.contains("private static final AtomicInteger served = new AtomicInteger"), fixed);
        assertTrue(fixed.contains("            served.incrementAndGet ();\n"), "formatted in the project's style: " + fixed);
        assertTrue(fixed.contains("Executors.newFixedThreadPool(4);"), "untouched lines keep their style: " + fixed);
        assertFalse(fixed.contains("served++"), fixed);
        assertEquals(0, server.findMarkers(InterleaveMarkers.TYPE, false, IResource.DEPTH_ZERO).length,
                "re-analysis removed the marker: " + describe(Workbench.markers(project)));

        project.getFile("bin/server/CountingServer.class").delete(true, null);
        build(project);
        assertEquals(List.of(), errors(project), "the fixed server compiles:\n" + fixed);
        assertTrue(project.getFile("bin/server/CountingServer.class").exists(), "JDT's builder compiled the fix");
    }

    @Test
    void projectExplorerOffersTheCommandOnAJavaFileAndItsPackageAndRunsItOnTheFile() throws Exception {
        IProject project = javaProject("java-menu");
        IFile server = project.getFile("src/server/CountingServer.java");
        Workbench.write(project.getFile("README.txt"), "notes\n");
        // with JDT UI installed the Project Explorer shows a Java project as Java elements: a package, a compilation unit
        ICompilationUnit unit = (ICompilationUnit) JavaCore.create(server);
        for (IJavaElement offered : List.of(unit.getParent(), unit)) {
            selectInProjectExplorer(offered);
            Menu menu = AnalyzeConcurrencyCommandTest.projectExplorerMenu();
            MenuItem analyze = Workbench.showAndFind(menu, "Analyze concurrency");
            assertNotNull(analyze, "menu of " + offered + ": " + Workbench.labels(menu));
            if (offered.equals(unit)) {
                analyze.notifyListeners(SWT.Selection, new Event());
            }
            Workbench.hide(menu);
        }
        Workbench.waitForAnalysis();
        assertEquals(List.of("CountingServer.java:" + Workbench.lineOf(SERVER, "served++;")
                + " unsynchronized-shared-write"), describe(Workbench.markers(project)));
        Workbench.closeDialogs();
    }

    @Test
    void theFrontEndGetsTheBuildPathsLibrariesClassFoldersAndRequiredProjects() throws Exception {
        IProject base = javaProject("java-base");
        build(base); // its output folder exists only once built
        IProject app = javaProject("java-app");
        IFile jar = app.getFile("lib/util.jar");
        app.getFolder("lib").create(true, true, null);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(bytes)) {
            out.putNextEntry(new java.util.jar.JarEntry("util/"));
        }
        jar.create(new java.io.ByteArrayInputStream(bytes.toByteArray()), true, null);
        IFolder classes = app.getFolder("classes");
        classes.create(true, true, null);
        IJavaProject javaApp = JavaCore.create(app);
        List<IClasspathEntry> entries = new ArrayList<>(List.of(javaApp.getRawClasspath()));
        entries.add(JavaCore.newLibraryEntry(jar.getFullPath(), null, null));
        entries.add(JavaCore.newLibraryEntry(classes.getFullPath(), null, null));
        entries.add(JavaCore.newProjectEntry(base.getFullPath()));
        javaApp.setRawClasspath(entries.toArray(IClasspathEntry[]::new), null);

        List<java.nio.file.Path> classpath = JavaProjects.classpath(List.of(app.getFile(
                "src/server/CountingServer.java")));
        java.nio.file.Path jdk = java.nio.file.Path.of(System.getProperty("java.home"));
        assertEquals(List.of(jar.getLocation().toFile().toPath(), classes.getLocation().toFile().toPath(),
                base.getFolder("bin").getLocation().toFile().toPath()),
                classpath.stream().filter(p -> !p.startsWith(jdk)).toList(), "all: " + classpath);
        assertTrue(classpath.stream().noneMatch(p -> p.getFileName().toString().equals("jrt-fs.jar")), "the JDK"
                + " image is the parser's own: " + classpath);
        assertEquals(List.of(), JavaProjects.classpath(List.of(Workbench.project("c-only", Map.of("a.c",
                "int main(void) { return 0; }\n")))), "a project without the Java nature has no build path");
    }

    static void selectInProjectExplorer(IJavaElement element) throws Exception {
        IViewPart explorer = Workbench.page().showView(IPageLayout.ID_PROJECT_EXPLORER);
        ((ISetSelectionTarget) explorer).selectReveal(new StructuredSelection(element));
        Workbench.page().activate(explorer);
        explorer.setFocus();
        Workbench.processEvents(100);
        assertEquals(List.of(element),
                ((StructuredSelection) explorer.getSite().getSelectionProvider().getSelection()).toList());
    }

    /** A Java project as the New Java Project wizard makes it: src/ to bin/, on the workbench's default JRE. */
    static IProject javaProject(String name) throws Exception {
        IProject project = Workbench.project(name, Map.of());
        IProjectDescription description = project.getDescription();
        description.setNatureIds(new String[] {JavaCore.NATURE_ID});
        project.setDescription(description, null);
        IFolder src = project.getFolder("src");
        src.create(true, true, null);
        src.getFolder("server").create(true, true, null);
        Workbench.write(src.getFile("server/CountingServer.java"), SERVER);
        IJavaProject java = JavaCore.create(project);
        java.setRawClasspath(new IClasspathEntry[] {JavaCore.newSourceEntry(src.getFullPath()),
                JavaRuntime.getDefaultJREContainerEntry()}, project.getFolder("bin").getFullPath(), null);
        java.setOption(JavaCore.COMPILER_COMPLIANCE, "21");
        java.setOption(JavaCore.COMPILER_SOURCE, "21");
        java.setOption(JavaCore.COMPILER_CODEGEN_TARGET_PLATFORM, "21");
        // a house style the sample does not follow (a space before a call's parenthesis): the fix's new text must
        // take it, the lines the fix does not touch must keep theirs
        java.setOption(DefaultCodeFormatterConstants.FORMATTER_TAB_CHAR, JavaCore.SPACE);
        java.setOption(DefaultCodeFormatterConstants.FORMATTER_TAB_SIZE, "4");
        java.setOption(DefaultCodeFormatterConstants.FORMATTER_INSERT_SPACE_BEFORE_OPENING_PAREN_IN_METHOD_INVOCATION,
                JavaCore.INSERT);
        return project;
    }

    private static void build(IProject project) throws Exception {
        project.refreshLocal(IResource.DEPTH_INFINITE, null);
        project.build(IncrementalProjectBuilder.FULL_BUILD, null);
    }

    /** JDT's compile errors and build-path errors, "file:line message". */
    private static List<String> errors(IProject project) throws Exception {
        List<String> out = new ArrayList<>();
        for (String type : List.of(IJavaModelMarker.JAVA_MODEL_PROBLEM_MARKER,
                IJavaModelMarker.BUILDPATH_PROBLEM_MARKER)) {
            for (IMarker m : project.findMarkers(type, true, IResource.DEPTH_INFINITE)) {
                if (m.getAttribute(IMarker.SEVERITY, -1) == IMarker.SEVERITY_ERROR) {
                    out.add(m.getResource().getName() + ":" + m.getAttribute(IMarker.LINE_NUMBER, -1) + " "
                            + m.getAttribute(IMarker.MESSAGE, ""));
                }
            }
        }
        return out;
    }
}
