package interleave.engine.tests.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import interleave.engine.cli.Main;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.finding.Finding;
import interleave.engine.report.HtmlReport;
import interleave.engine.report.PerfettoExport;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/** The HTML report, the Perfetto export and the report command, on traces the agent recorded from the samples. */
class TraceReportsTest {
    @TempDir
    Path tmp;

    static Path trace(String name) {
        Path root = Path.of(System.getProperty("interleave.fixtures")).getParent().resolve("traces");
        return root.resolve(name);
    }

    record Loaded(TraceRun run, TimelineModel model, List<Finding> findings) {
    }

    static Loaded load(String name) throws Exception {
        TraceRun run = TraceReader.read(trace(name));
        TimelineModel model = TimelineModel.build(run);
        return new Loaded(run, model, DetectorRegistry.detectAll(run, model));
    }

    @Test
    void htmlReportDrawsEveryLaneAndMarksEachFindingAtItsMoment() throws Exception {
        Loaded l = load("race");
        assertFalse(l.findings().isEmpty(), "the race trace has the observed argument race");
        StringWriter w = new StringWriter();
        HtmlReport.write("race", List.of(new HtmlReport.Section("race", "&i to 100 threads", List.of(),
                Optional.of(l.model()), l.findings(), List.of())), w);
        String html = w.toString();
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
        assertFalse(html.contains("<script src") || html.contains("<link "), "self-contained");
        int lanes = Math.min(l.model().rows().size(), 160);
        assertEquals(lanes, count(html, "<text x=\""), "one label per lane");
        for (int i = 0; i < l.findings().size(); i++) {
            assertTrue(html.contains("id=\"f" + i + "\"") && html.contains("id=\"m" + i + "\""),
                    "finding " + i + " listed and marked");
        }
        assertTrue(html.contains("observed-argument-race"));
    }

    @Test
    void perfettoExportIsValidTraceEventJson() throws Exception {
        Loaded l = load("echo-process");
        StringWriter w = new StringWriter();
        PerfettoExport.write(l.model(), l.findings(), w);
        JsonObject root = JsonParser.parseString(w.toString()).getAsJsonObject();
        JsonArray events = root.getAsJsonArray("traceEvents");
        Set<String> threadsNamed = new HashSet<>();
        Map<Long, Integer> flows = new HashMap<>();
        int complete = 0;
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            String ph = o.get("ph").getAsString();
            switch (ph) {
            case "M" -> {
                if (o.get("name").getAsString().equals("thread_name")) {
                    threadsNamed.add(o.get("pid").getAsInt() + "/" + o.get("tid").getAsInt());
                }
            }
            case "X" -> {
                complete++;
                assertTrue(o.get("dur").getAsDouble() >= 0 && o.get("ts").getAsDouble() >= 0);
            }
            case "s", "f" -> flows.merge(o.get("id").getAsLong(), 1, Integer::sum);
            case "i" -> assertTrue(o.has("ts"));
            default -> throw new AssertionError("unexpected phase " + ph);
            }
        }
        long threads = l.model().rows().stream().filter(r -> r.kind() == Row.Kind.THREAD).count();
        assertEquals(threads, threadsNamed.size(), "every thread has a named track");
        assertTrue(complete > 0, "state spans exported");
        assertTrue(flows.values().stream().allMatch(n -> n == 2), "every flow has a start and an end");
        assertFalse(flows.isEmpty(), "fork arrows exported as flows");
    }

    @Test
    void reportCommandWritesHtmlTextAndSarifAndExitsOneOnFindings() throws IOException {
        Path run = copy(trace("echo-thread-nodetach"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new String[] {"report", run.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, status, err.toString());
        assertTrue(Files.readString(run.resolve("report.html")).contains("observed-thread-not-joined-or-detached"));
        out = new StringWriter();
        status = Main.run(new String[] {"report", "--format", "sarif", run.toString()}, new PrintWriter(out),
                new PrintWriter(err));
        assertEquals(1, status);
        JsonObject sarif = JsonParser.parseString(out.toString()).getAsJsonObject();
        JsonObject result = sarif.getAsJsonArray("runs").get(0).getAsJsonObject().getAsJsonArray("results").get(0)
                .getAsJsonObject();
        assertTrue(result.getAsJsonObject("properties").has("timeNanos"), "dynamic findings carry their moment");
        out = new StringWriter();
        Main.run(new String[] {"export", "--perfetto", run.toString(), "-o", tmp.resolve("p.json").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertTrue(Files.size(tmp.resolve("p.json")) > 100);
    }

    @Test
    void correctServerReportsNothing() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new String[] {"report", "--format", "text", trace("echo-select").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, out + "\n" + err);
    }

    @Test
    void missingOrEmptyRunDirectoryIsAClearError() throws IOException {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"report", tmp.resolve("nope").toString()}, new PrintWriter(out),
                new PrintWriter(err)));
        assertTrue(err.toString().contains("nope"), err.toString());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"report", empty.toString()}, new PrintWriter(out),
                new PrintWriter(err)));
        assertTrue(err.toString().contains("empty"), err.toString());
    }

    @Test
    void theLaunchersEndTimeExtendsARunThatStoppedRecording() throws Exception {
        Path run = copy(trace("deadlock"));
        long lastEvent = TraceReader.read(run).endNs();
        interleave.engine.trace.RunEnd.write(run, lastEvent + 5_000_000_000L, "timeout", -1);
        assertEquals(lastEvent + 5_000_000_000L, TraceReader.read(run).endNs());
        Files.writeString(run.resolve(interleave.engine.trace.RunEnd.FILE), "end_mono_ns=garbage\n");
        assertEquals(lastEvent, TraceReader.read(run).endNs(), "an unreadable end note is ignored");
    }

    private Path copy(Path from) throws IOException {
        Path to = Files.createDirectories(tmp.resolve(from.getFileName()));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
