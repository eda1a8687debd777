package interleave.engine.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import interleave.engine.experiments.RaceHistogram;
import interleave.engine.experiments.RaceHistogram.Read;
import interleave.engine.trace.TraceReader;

/** The race experiment's arithmetic on known values, and the values read from recorded runs of race.c. */
class RaceHistogramTest {
    private static final Path TRACES = Path.of(System.getProperty("interleave.traces", "traces"));

    private static RaceHistogram.Run run(int... values) {
        List<Read> reads = new java.util.ArrayList<>();
        for (int k = 0; k < values.length; k++) {
            reads.add(new Read(k, values[k], true));
        }
        return new RaceHistogram.Run(reads);
    }

    @Test
    void countsMismatchesAndValuesNobodySaw() {
        // 4 threads, 3 runs: one run without a race, two where later values were seen
        RaceHistogram h = new RaceHistogram(4, List.of(run(0, 1, 2, 3), run(1, 1, 3, 4), run(2, 2, 2, 4)));
        assertEquals(Map.of(0, 1, 1, 3, 2, 4, 3, 2, 4, 2), h.counts());
        assertEquals(3, h.expectedPerValue());
        assertEquals(12, h.readCount());
        assertEquals(3 + 3, h.mismatched(), "run 2: threads 0, 2, 3; run 3: threads 0, 1, 3");
        assertEquals(2, h.racyRuns());
        assertEquals(List.of(), h.neverSeen());
        assertEquals(List.of(1, 3), new RaceHistogram(4, List.of(run(0, 2, 2, 0))).neverSeen());
        String summary = h.summary();
        assertTrue(summary.startsWith("3 runs of 4 threads: 6 of 12 threads saw another thread's value of i (50%),"
                + " in 2 of 3 runs; 0 of the values 0..3 were seen by no thread at all. No race would give every value"
                + " exactly 3 times (once per run)."), summary);
    }

    @Test
    void withoutARaceEveryValueIsSeenOncePerRun() {
        RaceHistogram h = new RaceHistogram(3, List.of(run(0, 1, 2), run(0, 1, 2)));
        assertEquals(Map.of(0, 2, 1, 2, 2, 2), h.counts());
        assertEquals(0, h.mismatched());
        assertEquals(0, h.racyRuns());
        // every bar reaches the "no race" mark exactly
        for (String line : h.render().lines().skip(1).toList()) {
            assertTrue(line.endsWith("#|") || line.endsWith("|"), line);
            assertTrue(line.matches("\\s+\\d+\\s+2\\s+2\\s+#+\\|?#*"), line);
        }
    }

    @Test
    void renderShowsValuesNoRaceWouldGiveAndTheOnesNobodySaw() {
        RaceHistogram h = new RaceHistogram(3, List.of(run(1, 3, 3)));
        List<String> lines = h.render().lines().toList();
        assertEquals(5, lines.size(), "a header, the values 0..2 and the value 3 after the loop: " + lines);
        assertTrue(lines.get(1).matches("\\s+0\\s+0\\s+1\\s+\\|"), lines.get(1));
        assertTrue(lines.get(4).matches("\\s+3\\s+2\\s+0\\s+#+"), "3 is no thread's own index: " + lines.get(4));
    }

    @Test
    void theReportShowsTheHistogramOpenAndTheStacksFolded() throws Exception {
        RaceHistogram h = new RaceHistogram(3, List.of(run(1, 3, 3)));
        java.io.StringWriter w = new java.io.StringWriter();
        interleave.engine.report.HtmlReport.write("t", List.of(new interleave.engine.report.HtmlReport.Section(
                "race experiment", "d", List.of(), java.util.Optional.empty(), List.of(), List.of(h.summary()),
                List.of(new interleave.engine.report.HtmlReport.Attachment("Histogram", h.render(), true),
                        new interleave.engine.report.HtmlReport.Attachment("Thread stacks", "#0 main")))), w);
        String html = w.toString();
        assertTrue(html.contains("<details class=\"attachment\" open><summary>Histogram</summary><pre>"), html);
        assertTrue(html.contains("<details class=\"attachment\"><summary>Thread stacks</summary>"), html);
        assertTrue(html.contains("no race"), html);
    }

    @Test
    void nothingReadSaysSo() {
        assertEquals("No thread's read was recorded, so there is no histogram.",
                new RaceHistogram(100, List.of()).summary());
    }

    /** What race.c printed about the same run: "  i=  10..  19: 0 2 ..." rows. */
    private static TreeMap<Integer, Integer> programHistogram(Path run) throws Exception {
        TreeMap<Integer, Integer> h = new TreeMap<>();
        Matcher row = Pattern.compile("i=\\s*(\\d+)\\.\\.\\s*\\d+:((?: \\d+)+)")
                .matcher(Files.readString(run.resolve("program-output.txt")));
        while (row.find()) {
            int v = Integer.parseInt(row.group(1));
            for (String n : row.group(2).trim().split(" ")) {
                if (Integer.parseInt(n) > 0) {
                    h.put(v, Integer.parseInt(n));
                }
                v++;
            }
        }
        return h;
    }

    @Test
    void theValuesReadFromARecordedRunAreWhatTheProgramCounted() throws Exception {
        Path dir = TRACES.resolve("race-watch");
        RaceHistogram.Run r = RaceHistogram.readsOf(TraceReader.read(dir));
        assertEquals(20, r.reads().size());
        assertTrue(r.reads().stream().allMatch(Read::watched), "format 1.2: every value from the watchpoint");
        RaceHistogram h = new RaceHistogram(20, List.of(r));
        assertEquals(programHistogram(dir), h.counts());
        for (int k = 0; k < 20; k++) {
            assertEquals(k, r.reads().get(k).index(), "creation order");
        }
    }

    @Test
    void withoutWatchpointsTheValuesAreTheBytesAtThreadStartAndTheSummarySaysSo() throws Exception {
        RaceHistogram.Run r = RaceHistogram.readsOf(TraceReader.read(TRACES.resolve("race-nowatch")));
        assertEquals(20, r.reads().size());
        assertTrue(r.reads().stream().noneMatch(Read::watched));
        assertTrue(new RaceHistogram(20, List.of(r)).summary()
                .endsWith("Values are the bytes at thread start (no watchpoint was available)."));
    }
}
