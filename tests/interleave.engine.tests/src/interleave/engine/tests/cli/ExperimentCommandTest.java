package interleave.engine.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.cli.Main;

/** {@code interleave experiment}: what the user is told when the experiment cannot run as asked. */
class ExperimentCommandTest {
    @TempDir
    Path tmp;

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void withoutAnExperimentItNamesBoth() {
        Result r = run("experiment");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("'interleave experiment race' or 'interleave experiment second-client'"),
                r.err());
    }

    @Test
    void outOfRangeCountsAreRefusedBeforeAnythingRuns() {
        Result r = run("experiment", "race", "--runs", "0", "--samples", tmp.toString());
        assertEquals(2, r.status());
        assertEquals("interleave: --runs wants 1..1000 and --threads 1..10000\n", r.err());
        r = run("experiment", "second-client", "--hold", "50", "--samples", tmp.toString());
        assertEquals(2, r.status());
        assertEquals("interleave: --hold wants 100..10000 ms\n", r.err());
    }

    @Test
    void unbuiltSamplesSayHowToBuildThem() throws Exception {
        Files.createDirectories(tmp.resolve("bin"));
        Result r = run("experiment", "race", "--samples", tmp.toString(), "-o", tmp.resolve("runs").toString());
        assertEquals(2, r.status());
        assertEquals("interleave: " + tmp.resolve("bin/race") + " is not built; build the samples with: make -C " + tmp
                + "\n", r.err());
        assertTrue(Files.notExists(tmp.resolve("runs")), "nothing was started");
    }
}
