package interleave.engine.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import interleave.engine.experiments.SecondClientBlock;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/** "Where does the second client block?" read from a recorded run of echo-iterative with two clients. */
class SecondClientBlockTest {
    private static final Path TRACES = Path.of(System.getProperty("interleave.traces", "traces"));

    @Test
    void theSecondClientConnectsAndWritesAtOnceAndWaitsForItsEchoUntilTheFirstLeaves() throws Exception {
        TraceRun run = TraceReader.read(TRACES.resolve("echo-iterative-second-client"));
        SecondClientBlock.Derivation d = SecondClientBlock.derive(run);
        assertEquals("", d.problem());
        SecondClientBlock b = d.block().orElseThrow();
        assertNotEquals(b.firstPid(), b.secondPid());
        assertTrue(b.connectTookNs() < 50_000_000L, "connect returns at once: " + b);
        assertTrue(b.sentNs() - b.connectedNs() < 50_000_000L, "so does the write of the line: " + b);
        assertEquals("poll", b.waitCall(), "echo-client waits until its socket is readable, then reads");
        // the first client held its connection 1.5 s and the second started 0.3 s after it
        assertTrue(b.blockedNs() > 1_000_000_000L && b.blockedNs() < 1_600_000_000L, "blocked " + b.blockedNs());
        assertTrue(b.firstLeftNs() > 0 && b.firstLeftNs() <= b.blockedUntilNs(), "the wait ends after the first left");
        assertTrue(b.blockedUntilNs() - b.firstLeftNs() < 100_000_000L, "and soon after: " + b);
        assertTrue(b.acceptedNs() >= b.firstLeftNs() && b.acceptedNs() <= b.blockedUntilNs(),
                "the server accepted the second connection between the two: " + b);
        String text = b.describe(run.startNs());
        assertTrue(text.startsWith("The second client (pid " + b.secondPid() + ") connected at "), text);
        assertTrue(text.contains("blocked " + b.blockedNs() / 1_000_000 + " ms waiting for the echo (in poll on fd "
                + b.fd() + ", before its read)"), text);
        assertTrue(text.contains("The first client (pid " + b.firstPid() + ") left at"), text);
        assertTrue(text.endsWith("It blocked waiting to read, not in connect (connect took "
                + String.format("%.1f ms", b.connectTookNs() / 1e6) + ")."), text);
    }

    @Test
    void withoutTracedClientsThereIsNoAnswerAndItSaysWhy() throws Exception {
        // the echo-iterative fixture: only the server was traced, its client ran untraced
        SecondClientBlock.Derivation d = SecondClientBlock.derive(TraceReader.read(TRACES.resolve("echo-iterative")));
        assertTrue(d.block().isEmpty());
        assertEquals("the trace has 0 client connection(s); the experiment needs two clients connected to the server",
                d.problem());
    }
}
