package interleave.engine.tests.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.State;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.timeline.TimelineText;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.TraceRun;

/**
 * Golden files (traces/golden/NAME.txt) hold the whole model of small runs as text; the window queries must give
 * exactly what a full scan gives. After a deliberate change, rewrite the golden files with
 * {@code ./mvnw ... verify -Dtycho.testArgLine=-Dinterleave.updateGolden=true} and review the diff.
 */
class TimelineModelTest {

    static TimelineModel model(String name) {
        TraceRun run = Traces.read(name);
        return TimelineModel.build(run, Symbolizer.addressesOnly(run)); // no addr2line: same text on every machine
    }

    @ParameterizedTest
    // deadlock-lucky: lock counts and a hand-off; echo-thread: creations and detaches; fork-printf-malloc-nostdio:
    // handlers left by longjmp, nested unfinished inside malloc
    @ValueSource(strings = {"deadlock", "echo-process-noclose", "race", "deadlock-lucky", "echo-thread",
            "fork-printf-malloc-nostdio"})
    void modelMatchesGoldenFile(String name) throws IOException {
        String actual = TimelineText.write(model(name));
        Path golden = Traces.root().resolve("golden").resolve(name + ".txt");
        if (Boolean.getBoolean("interleave.updateGolden")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "timeline of " + name);
    }

    /** Rows are made from the execution-event model: each of its threads has one row, over that thread's file. */
    @ParameterizedTest
    @ValueSource(strings = {"echo-process", "echo-thread", "fork-printf-handler"})
    void everyThreadOfTheEventModelHasItsOwnRow(String name) {
        TimelineModel m = model(name);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (interleave.engine.events.ExecThread t : m.events().threads()) {
            int id = m.rowOf(t);
            assertTrue(seen.add(id), name + ": two threads on row " + id);
            Row r = m.row(id);
            assertEquals(Row.Kind.THREAD, r.kind());
            assertEquals(t.pid() + "/" + t.tid(), r.pid() + "/" + r.tid());
            assertEquals(t.source(), m.thread(id).orElseThrow().file());
            assertEquals(m.events().process(t.pid(), t.process().startNs()).map(p -> p.pid()).orElseThrow(),
                    m.row(r.parentId()).pid());
        }
        assertEquals(m.rows().stream().filter(r -> r.kind() == Row.Kind.THREAD).count(), seen.size(), name);
    }

    @Test
    void deadlockedThreadsEndBlockedInTheLockUnfinished() {
        TimelineModel m = model("deadlock");
        long locks = m.rows().stream().filter(r -> r.kind() == Row.Kind.THREAD)
                .map(r -> m.spans(r.id(), 0, m.durationNs()))
                .filter(s -> !s.isEmpty() && s.get(s.size() - 1).state() == State.LOCK
                        && s.get(s.size() - 1).unfinished())
                .count();
        assertEquals(2, locks);
    }

    @Test
    void uncontendedLockingShowsAsCountsPerThreadAndMutex() {
        TimelineModel m = model("deadlock-lucky");
        java.util.regex.Pattern p = java.util.regex.Pattern
                .compile("^mutex \\S+: (\\d+) locked without waiting, (\\d+) waited; held .* in total, longest .*");
        int summaries = 0;
        long acquisitions = 0;
        for (Row r : m.rows()) {
            for (Instant in : m.instants(r.id(), 0, m.durationNs())) {
                if (in.kind() == Instant.Kind.LOCK_SUMMARY) {
                    java.util.regex.Matcher mm = p.matcher(in.label());
                    assertTrue(mm.matches(), in.label());
                    acquisitions += Long.parseLong(mm.group(1)) + Long.parseLong(mm.group(2));
                    summaries++;
                }
            }
        }
        assertEquals(4, summaries, "two threads, each summarizing m1 and m2 when it ended");
        assertEquals(4, acquisitions, "each thread took each mutex once");
    }

    @Test
    void handlerShowsNestedInsideMallocWithItsDepth() {
        TimelineModel m = model("fork-printf-handler");
        Row main = m.rows().get(1);
        List<StateSpan> spans = m.spans(main.id(), 0, m.durationNs());
        StateSpan handler = spans.stream().filter(s -> s.state() == State.SIGNAL_HANDLER && s.unfinished()
                && s.depth() == 1).findFirst().orElseThrow(() -> new AssertionError(spans.toString()));
        StateSpan outer = spans.stream().filter(s -> s.depth() == 0 && s.startNs() <= handler.startNs()
                && s.endNs() >= handler.startNs()).findFirst().orElseThrow();
        assertEquals(State.MALLOC, outer.state());
        assertTrue(spans.stream().anyMatch(s -> s.depth() == 2 && s.state() == State.MALLOC && s.unfinished()),
                "malloc called inside the handler never returns");
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-process", "fork-printf-handler", "echo-thread-stackarg"})
    void windowQueriesGiveWhatAFullScanGives(String name) {
        TimelineModel m = model(name);
        long d = m.durationNs();
        long[][] windows = {{0, d / 10}, {d / 3, d / 3 + d / 50}, {d / 2, d / 2}, {d - 5, d + 5}};
        List<Arrow> allArrows = m.arrows(Long.MIN_VALUE, Long.MAX_VALUE);
        for (long[] w : windows) {
            for (Row r : m.rows()) {
                List<StateSpan> expected = new ArrayList<>();
                for (StateSpan s : m.spans(r.id(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                    if (s.endNs() >= w[0] && s.startNs() <= w[1]) {
                        expected.add(s);
                    }
                }
                assertEquals(expected, m.spans(r.id(), w[0], w[1]), name + " row " + r.id());
                List<Instant> inst = m.instants(r.id(), Long.MIN_VALUE, Long.MAX_VALUE).stream()
                        .filter(i -> i.timeNs() >= w[0] && i.timeNs() <= w[1]).toList();
                assertEquals(inst, m.instants(r.id(), w[0], w[1]));
            }
            List<Arrow> arrows = allArrows.stream().filter(a -> a.maxNs() >= w[0] && a.minNs() <= w[1]).toList();
            assertEquals(arrows, m.arrows(w[0], w[1]));
        }
    }

    @Test
    void downSampledSpansAreBoundedByPixelsAndCoverTheSameTime() {
        TimelineModel m = model("fork-printf-handler");
        Row main = m.rows().get(1);
        long d = m.durationNs(), res = d / 200;
        List<StateSpan> full = m.spans(main.id(), 0, d);
        List<StateSpan> sampled = m.spans(main.id(), 0, d, res);
        assertTrue(full.size() > 1000, "the main thread has many short spans: " + full.size());
        int depths = m.depthCount(main.id());
        assertTrue(sampled.size() <= depths * (2 * 200 + 2), sampled.size() + " spans for 200 samples");
        for (int depth = 0; depth < depths; depth++) {
            final int dd = depth;
            int merged = sampled.stream().filter(s -> s.depth() == dd).mapToInt(StateSpan::mergedCount).sum();
            long real = full.stream().filter(s -> s.depth() == dd).count();
            assertEquals(real, merged, "every span of depth " + depth + " is in exactly one sample");
        }
    }

    @Test
    void arrowsLinkForksReapsConnectionsAndSignals() {
        TimelineModel m = model("echo-process");
        List<Arrow> arrows = m.arrows(0, m.durationNs());
        assertEquals(12, arrows.stream().filter(a -> a.kind() == Arrow.Kind.FORK).count());
        assertEquals(12, arrows.stream().filter(a -> a.kind() == Arrow.Kind.REAP).count());
        // each connection: closed by the parent after fork, and by the child that served it
        assertEquals(24, arrows.stream().filter(a -> a.kind() == Arrow.Kind.CONNECTION).count());
        assertTrue(arrows.stream().anyMatch(a -> a.kind() == Arrow.Kind.SIGNAL && a.label().startsWith("SIGCHLD")));
        for (Arrow a : arrows) {
            assertTrue(a.fromNs() <= a.toNs() + 10, "an arrow goes forward in time (clock skew < 10 ns): " + a);
        }
        TimelineModel race = model("race");
        assertEquals(20, race.arrows(0, race.durationNs()).stream().filter(a -> a.kind() == Arrow.Kind.CREATE)
                .count());
    }
}
