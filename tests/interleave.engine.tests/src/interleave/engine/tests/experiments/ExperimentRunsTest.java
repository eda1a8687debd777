package interleave.engine.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.experiments.ExperimentProgress;
import interleave.engine.experiments.RaceExperiment;
import interleave.engine.experiments.SecondClientExperiment;

/**
 * Both experiments run for real: the samples and the agent are built with make when missing, every process runs on
 * loopback, and none is left when an experiment returns.
 */
class ExperimentRunsTest {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final Path AGENT = REPO.resolve("agent/build/libinterleave-agent.so");
    private static final Path BIN = REPO.resolve("sample-servers/bin");

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        for (String dir : List.of("agent", "sample-servers")) {
            Process make = new ProcessBuilder("make", "-s", "-C", REPO.resolve(dir).toString()).redirectErrorStream(true)
                    .start();
            make.getInputStream().readAllBytes();
            assertTrue(make.waitFor(300, TimeUnit.SECONDS) && make.exitValue() == 0, "make -C " + dir);
        }
    }

    private static void noProcessLeft() {
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.startsWith(BIN.toString())).orElse(false)).toList();
        assertEquals(List.of(), left, "every sample started was stopped");
    }

    @Test
    void theRaceExperimentCollectsEveryThreadsReadOfEveryRun() throws Exception {
        List<String> steps = new java.util.ArrayList<>();
        RaceExperiment.Result r = new RaceExperiment(BIN.resolve("race"), AGENT).run(tmp, 3, 20,
                (done, total, what) -> steps.add(done + "/" + total + " " + what));
        assertEquals(List.of(), r.problems());
        assertEquals(3, r.runDirs().size());
        assertEquals(3, r.histogram().runs().size());
        assertEquals(60, r.histogram().readCount(), "20 threads in each of 3 runs");
        assertEquals(List.of("0/3 run 1 of 3", "1/3 run 2 of 3", "2/3 run 3 of 3", "3/3 done"), steps);
        for (Path d : r.runDirs()) {
            assertTrue(Files.readString(d.resolve("program-output.txt")).contains("mismatched="), d.toString());
        }
        noProcessLeft();
    }

    @Test
    void aCancelledRaceExperimentStopsBeforeTheNextRun() throws Exception {
        RaceExperiment.Result r = new RaceExperiment(BIN.resolve("race"), AGENT).run(tmp, 5, 10,
                new ExperimentProgress() {
                    int runs;

                    @Override
                    public void step(int done, int total, String what) {
                        runs = done;
                    }

                    @Override
                    public boolean cancelled() {
                        return runs >= 1;
                    }
                });
        assertTrue(r.cancelled());
        assertEquals(1, r.histogram().runs().size());
        noProcessLeft();
    }

    @Test
    void theSecondClientExperimentAnswersFromItsOwnTrace() throws Exception {
        SecondClientExperiment.Result r = new SecondClientExperiment(BIN, AGENT).run(tmp.resolve("run"), 800,
                ExperimentProgress.NONE);
        assertEquals("", r.problem());
        var b = r.derivation().block().orElseThrow(() -> new AssertionError(r.derivation().problem()));
        assertTrue(b.blockedNs() > 300_000_000L, "held 800 ms, second client started 300 ms later: " + b);
        assertTrue(b.connectTookNs() < b.blockedNs() / 10, b.toString());
        assertTrue(r.describe().startsWith("The second client (pid " + b.secondPid() + ")"), r.describe());
        noProcessLeft();
    }
}
