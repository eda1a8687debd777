package interleave.ui.tests;

import static interleave.ui.launch.TracedLaunchConfig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.trace.RunEnd;
import interleave.engine.trace.TraceReader;
import interleave.engine.tracing.RunFollower.Snapshot;
import interleave.engine.tracing.TracedLaunch;
import interleave.ui.launch.TracedProcess;
import interleave.ui.launch.TracedRuns;
import interleave.ui.timeline.FollowRunJob;
import interleave.ui.timeline.LiveTimeline;
import interleave.ui.timeline.LoadRunJob;
import interleave.ui.timeline.TimelineView;

/**
 * The Concurrency Timeline follows a traced launch live: the forking server that never reaps its children, under a
 * paced per-request load started by the test, fills the view while it runs (versions and lanes growing), its zombies
 * appear as provisional findings and become final when the run ends; Pause holds the view, Resume shows the newest;
 * Terminate leaves no process. A run directory still written (as by 'interleave trace' in a terminal) is followed
 * too; a damaged one says where; a program that cannot start is said so in the view.
 */
class LiveTimelineTest {
    private static Path samples;
    private final List<ILaunch> launches = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void agentAndSamples() throws IOException, InterruptedException {
        String repo = System.getProperty("interleave.repo");
        assertNotNull(repo, "-Dinterleave.repo is not set (tests/interleave.ui.tests/pom.xml sets it)");
        Path agent = Path.of(repo, "agent/build/libinterleave-agent.so");
        if (!Files.isRegularFile(agent)) {
            Process make = new ProcessBuilder("make", "-s", "-C", Path.of(repo, "agent").toString())
                    .redirectErrorStream(true).start();
            make.getInputStream().readAllBytes();
            assertTrue(make.waitFor(180, TimeUnit.SECONDS) && make.exitValue() == 0, "make -C agent failed");
        }
        System.setProperty(TracedLaunch.AGENT_PROPERTY, agent.toString());
        samples = Path.of(repo, "sample-servers");
        // the load the test drives itself: the sample client, built like the launch builds its program
        Process make = new ProcessBuilder("make", "-s", "-C", samples.toString(), "bin/echo-client")
                .redirectErrorStream(true).start();
        make.getInputStream().readAllBytes();
        assertTrue(make.waitFor(180, TimeUnit.SECONDS) && make.exitValue() == 0, "make bin/echo-client failed");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : started) {
            p.destroyForcibly(); // by the handle (pid) the test started
        }
        for (ILaunch l : launches) {
            if (!l.isTerminated()) {
                l.terminate();
            }
        }
        TracedRuns.stopAll();
        TimelineView view = (TimelineView) Workbench.page().findView(TimelineView.ID);
        if (view != null) {
            view.live().ifPresent(l -> l.job().cancel());
        }
        Workbench.waitForJobs(LoadRunJob.FAMILY);
        Workbench.closeDialogs();
    }

    private ILaunch launch(String name, String program, String args) throws Exception {
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = m.getLaunchConfigurationType(TYPE_ID).newInstance(null,
                m.generateLaunchConfigurationName(name));
        wc.setAttribute(PROGRAM, program);
        wc.setAttribute(ARGUMENTS, args);
        wc.setAttribute(WORKING_DIRECTORY, samples.toString());
        wc.setAttribute(MAKE_DIRECTORY, samples.toString());
        ILaunch l = wc.launch(ILaunchManager.RUN_MODE, null);
        launches.add(l);
        return l;
    }

    private static TimelineView view() {
        return (TimelineView) Workbench.page().findView(TimelineView.ID);
    }

    private static LiveTimeline following(Path dir) {
        LiveTimeline[] live = new LiveTimeline[1];
        Workbench.until("the timeline following " + dir, 20, () -> {
            TimelineView v = view();
            live[0] = v == null ? null : v.live().filter(l -> l.directory().equals(dir)).orElse(null);
            return live[0] != null;
        });
        return live[0];
    }

    /** The walk-through: the buggy thread server under a load, its &connfd race marked while it runs. */
    @Test
    void theThreadServersArgumentRaceIsMarkedWhileItRuns() throws Exception {
        ILaunch l = launch("echo-thread-stackarg live", samples.resolve("bin/echo-thread-stackarg").toString(), "-p 0");
        TracedProcess server = Workbench.traced(l);
        LiveTimeline live = following(server.runDirectory());
        Workbench.until("the server listening", 30, () -> server.output().contains("listening on 127.0.0.1:"));
        Matcher port = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(server.output());
        assertTrue(port.find());
        // the demo's load for this sample: 8 clients at once, each connection its own thread given &connfd
        Process client = new ProcessBuilder(samples.resolve("bin/echo-client").toString(), "-p", port.group(1), "-c",
                "8", "-n", "400", "-m", "persistent", "-t", "30").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(client);
        Workbench.until("the argument race marked, provisional, while the server runs", 40, () -> {
            Snapshot s = live.shown();
            return s != null && s.provisional() && !l.isTerminated()
                    && s.findings().stream().anyMatch(f -> f.ruleId().equals("observed-argument-race"));
        });
        assertTrue(Workbench.running(server.pid()), "the server still runs");
        assertTrue(view().timeline().provisional());
    }

    @Test
    void aTracedLaunchFillsTheTimelineLiveWithProvisionalFindingsUntilItEnds() throws Exception {
        ILaunch l = launch("echo-process-noreap live", samples.resolve("bin/echo-process-noreap").toString(), "-p 0");
        TracedProcess server = Workbench.traced(l);
        LiveTimeline live = following(server.runDirectory());
        TimelineView view = view();
        assertTrue(view.pauseAction().isEnabled());
        Workbench.until("the server listening", 30, () -> server.output().contains("listening on 127.0.0.1:"));
        Matcher port = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(server.output());
        assertTrue(port.find());
        // a paced load: each request its own connection (one child each, never reaped), its line in two halves
        // 25 ms apart: about 3 s of requests
        Process client = new ProcessBuilder(samples.resolve("bin/echo-client").toString(), "-p", port.group(1), "-c",
                "2", "-n", "240", "-m", "per-request", "--split", "25", "-t", "30").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(client);

        // the run grows on screen while the program runs
        Set<Integer> versions = new TreeSet<>();
        Set<Integer> laneCounts = new TreeSet<>();
        Workbench.until("the view growing while the server runs", 30, () -> {
            Snapshot s = live.shown();
            if (s != null && s.hasEvents() && !l.isTerminated()) {
                versions.add(s.version());
                laneCounts.add(view.lanesTree().getItemCount());
            }
            return versions.size() >= 4 && laneCounts.size() >= 3;
        });
        assertTrue(Workbench.running(server.pid()));
        assertTrue(Workbench.page().isPartVisible(view), "the Console did not hide the live timeline");
        Workbench.until("a provisional zombie finding while it runs", 30, () -> {
            Snapshot s = live.shown();
            return s != null && s.provisional() && s.findings().stream().anyMatch(f -> f.ruleId().contains("zombie"));
        });
        assertTrue(view.timeline().provisional(), "findings drawn as provisional");
        assertTrue(view.statusText().startsWith("Following (running)"), view.statusText());
        assertTrue(view.statusText().contains("provisional finding"), view.statusText());

        // Pause: the view keeps what it shows while the run goes on; Resume shows the newest
        view.pauseAction().setChecked(true);
        view.pauseAction().run();
        assertTrue(live.paused());
        int appliedAtPause = live.appliedCount();
        var shownAtPause = view.run().orElseThrow();
        Workbench.processEvents(800);
        assertTrue(client.isAlive(), "the load still runs: the run grew meanwhile");
        assertEquals(appliedAtPause, live.appliedCount(), "paused: no snapshot shown");
        assertSame(shownAtPause, view.run().orElseThrow());
        assertTrue(view.statusText().contains("paused"), view.statusText());
        view.pauseAction().setChecked(false);
        view.pauseAction().run();
        assertFalse(live.paused());
        Workbench.until("resumed: newer snapshots shown", 10, () -> live.appliedCount() > appliedAtPause
                && view.run().orElseThrow() != shownAtPause);
        // target/screenshots: the picture of a live run in the README (docs/screenshot-live-timeline.png), taken with
        // the window at the screen's size (Xvfb has no window manager) and the view maximized
        var shell = Workbench.window().getShell();
        var bounds = shell.getBounds();
        shell.setBounds(Workbench.display().getPrimaryMonitor().getBounds());
        Workbench.page().toggleZoom(Workbench.page().getReference(view));
        Workbench.display().setCursorLocation(2, 2); // off the canvas: no tooltip over the picture
        Workbench.processEvents(600);
        Workbench.screenshot("live-timeline-running");
        Workbench.page().toggleZoom(Workbench.page().getReference(view));
        shell.setBounds(bounds);

        // Terminate: the server and every child it forked are gone; the run ends, its findings final
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the load client ends by itself");
        List<Long> pids = new ArrayList<>();
        pids.add(server.pid());
        ProcessHandle.of(server.pid()).orElseThrow().descendants().forEach(h -> pids.add(h.pid()));
        l.terminate();
        Workbench.until("the launch ended", 20, l::isTerminated);
        Workbench.until("every process gone", 10, () -> pids.stream().noneMatch(Workbench::running));
        Workbench.until("the last snapshot shown", 30, live::ended);
        Snapshot last = live.shown();
        assertFalse(last.provisional());
        assertTrue(last.findings().stream().anyMatch(f -> f.ruleId().contains("zombie")), last.findings().toString());
        assertFalse(view.timeline().provisional(), "final findings drawn as findings");
        assertFalse(view.statusText().startsWith("Following"), view.statusText());
        assertFalse(view.pauseAction().isEnabled());
        assertTrue(view.live().isEmpty());
        // the last snapshot is the run as a whole read gives it
        var whole = TraceReader.read(server.runDirectory());
        assertEquals(whole.eventCount(), last.eventCount());
        assertEquals(view.run().orElseThrow().model(), last.timeline());

        report(live, "forking server, paced per-request load");
    }

    @Test
    void liveEventsReachTheScreenQuickly() throws Exception {
        // a program that records an event every 2 ms for about 3 s: the events a snapshot brings are as fresh as
        // the follower, the UI thread and the frame query let them be
        java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("Makefile", "bin/%: %.c\n\tmkdir -p bin && cc -o $@ $<\n");
        files.put("ticker.c", """
                #include <unistd.h>
                int main(void)
                {
                    for (int i = 0; i < 1500; i++)
                        usleep(2000);
                    return 0;
                }
                """);
        var project = Workbench.project("live-ticker", files);
        ILaunch l = interleave.ui.launch.TracedLaunchShortcut.configurationFor(project.getFile("ticker.c"))
                .orElseThrow().launch(ILaunchManager.RUN_MODE, null);
        launches.add(l);
        LiveTimeline live = following(Workbench.traced(l).runDirectory());
        Workbench.until("the run ended", 60, live::ended);
        Workbench.processEvents(300);
        long[] median = report(live, "ticker: an event every 2 ms");
        assertTrue(median[0] < 1_000_000_000L, "newest event to screen, median " + median[0] / 1e6 + " ms");
    }

    /** Live event-to-screen latency, from the paints of the snapshots (see LiveTimeline#latencies). */
    private static long[] report(LiveTimeline live, String what) throws IOException {
        List<long[]> lat = new ArrayList<>(live.latencies());
        lat.removeIf(a -> a[0] == live.shown().version()); // the last one: the end waits for the run to settle
        assertTrue(lat.size() >= 3, "snapshots painted: " + lat.size());
        long[] newest = lat.stream().mapToLong(a -> a[1]).sorted().toArray();
        long[] waited = lat.stream().skip(1).mapToLong(a -> a[2]).sorted().toArray();
        String text = String.format(
                "%s: live latency over %d painted snapshots: newest event to screen median %.0f ms, p95 %.0f ms, max %.0f"
                        + " ms; first event after the previous snapshot to screen median %.0f ms, p95 %.0f ms, max"
                        + " %.0f ms%n",
                what, lat.size(), ms(pct(newest, 50)), ms(pct(newest, 95)), ms(newest[newest.length - 1]),
                ms(pct(waited, 50)), ms(pct(waited, 95)), ms(waited[waited.length - 1]));
        System.out.print(text);
        Path out = Path.of(System.getProperty("interleave.repo"), "tests/interleave.ui.tests/target/live-latency.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return new long[] {pct(newest, 50), pct(waited, 50)};
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(sorted.length * p / 100.0))];
    }

    private static double ms(long ns) {
        return ns / 1e6;
    }

    @Test
    void aRunDirectoryStillBeingWrittenIsFollowedUntilItsEndRecord(@TempDir Path tmp) throws Exception {
        Path src = TimelineViewTest.trace("echo-thread-nodetach"), dir = tmp.resolve("growing");
        Files.createDirectories(dir);
        copyCut(src, dir, 0.3);
        assertTrue(FollowRunJob.looksLive(dir), "no end record, files just written");
        assertFalse(FollowRunJob.looksLive(src), "a finished run is read, not followed");
        TimelineView view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        view.follow(dir);
        LiveTimeline live = following(dir);
        Workbench.until("the first part shown", 20, () -> live.shown() != null && live.shown().hasEvents());
        int first = live.shown().version();
        long firstEvents = live.shown().eventCount();
        copyCut(src, dir, 0.7);
        Workbench.until("the grown part shown", 20, () -> live.shown().version() > first);
        assertTrue(live.shown().eventCount() > firstEvents);
        assertTrue(live.shown().provisional());
        copyCut(src, dir, 1.0);
        RunEnd.write(dir, TraceReader.read(src).endNs(), "exit", 0);
        Workbench.until("the end shown", 20, live::ended);
        assertEquals(TraceReader.read(src).eventCount(), live.shown().eventCount());
        Workbench.waitForJobs(FollowRunJob.FAMILY);
    }

    @Test
    void aDamagedRunFollowedSaysWhereTheDamageIs(@TempDir Path tmp) throws Exception {
        Path src = TimelineViewTest.trace("echo-thread"), dir = tmp.resolve("damaged");
        Files.createDirectories(dir);
        copyCut(src, dir, 1.0);
        Path victim;
        try (Stream<Path> s = Files.list(dir)) {
            victim = s.filter(p -> p.toString().endsWith(".trace")).sorted().findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(victim);
        Files.write(victim, Arrays.copyOf(all, all.length - 20)); // its last record cut short
        RunEnd.write(dir, TraceReader.read(src).endNs(), "exit", 0);
        TimelineView view = (TimelineView) Workbench.page().showView(TimelineView.ID);
        view.follow(dir);
        Workbench.waitForJobs(FollowRunJob.FAMILY);
        Workbench.until("the run shown", 10, () -> view.run().isPresent() && view.live().isEmpty());
        String status = view.statusText();
        assertTrue(status.contains("Damaged: " + victim.getFileName() + " at byte "), status);
        assertTrue(view.lanesTree().getItemCount() > 0, "what comes before the damage is shown");
    }

    @Test
    void aProgramThatCannotStartIsSaidSoInTheView(@TempDir Path tmp) throws Exception {
        Path program = tmp.resolve("no-interpreter");
        Files.writeString(program, "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Workbench.page().showView(TimelineView.ID);
        ILaunchManager m = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = m.getLaunchConfigurationType(TYPE_ID).newInstance(null,
                m.generateLaunchConfigurationName("cannot start"));
        wc.setAttribute(PROGRAM, program.toString());
        wc.setAttribute(WORKING_DIRECTORY, tmp.toString());
        try {
            launches.add(wc.launch(ILaunchManager.RUN_MODE, null));
            fail("the launch of a program that cannot start fails");
        } catch (CoreException e) {
            assertTrue(e.getMessage().contains("Cannot run " + program), e.getMessage());
        }
        Workbench.until("the view says so", 10, () -> view().statusText().contains("Cannot run " + program));
        assertTrue(TracedRuns.live().isEmpty());
    }

    /** The run's files with only the first fraction of each trace file's records, as the agent grows them. */
    private static void copyCut(Path from, Path to, double fraction) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(RunEnd.FILE)) {
                    continue;
                }
                if (!name.endsWith(".trace")) {
                    Files.copy(f, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                long slots = Math.max(0, (all.length - 4096) / 64);
                int len = (int) Math.min(all.length, 4096 + (long) Math.ceil(slots * fraction) * 64);
                Files.write(to.resolve(name), Arrays.copyOf(all, len));
            }
        }
    }
}
