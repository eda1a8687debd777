package interleave.engine.report;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

import com.google.gson.stream.JsonWriter;

import interleave.engine.finding.Finding;
import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/**
 * The timeline as Chrome trace-event JSON, which Perfetto UI (and chrome://tracing) opens: one track per thread,
 * grouped by process, state spans as complete events (nested spans nest), instants as instant events, arrows as flow
 * events, and findings as global instants named after their rule. Times are microseconds since the run started.
 * Streamed, so a run of millions of spans does not need its JSON in memory.
 */
public final class PerfettoExport {
    private PerfettoExport() {
    }

    public static void write(TimelineModel m, List<Finding> findings, Writer out) throws IOException {
        long end = Math.max(1, m.durationNs());
        try (JsonWriter w = new JsonWriter(out)) {
            w.beginObject();
            w.name("displayTimeUnit").value("ns");
            w.name("traceEvents").beginArray();
            for (Row r : m.rows()) {
                if (r.kind() == Row.Kind.PROCESS) {
                    meta(w, "process_name", r.pid(), r.pid(), r.label());
                    continue;
                }
                meta(w, "thread_name", r.pid(), r.tid(), r.label());
                for (StateSpan s : m.spans(r.id(), 0, end)) {
                    w.beginObject();
                    w.name("ph").value("X");
                    w.name("name").value(s.state().description());
                    w.name("cat").value(s.state().name().toLowerCase(java.util.Locale.ROOT));
                    w.name("pid").value(r.pid());
                    w.name("tid").value(r.tid());
                    w.name("ts").value(micros(s.startNs()));
                    w.name("dur").value(micros(Math.max(0, s.endNs() - s.startNs())));
                    if ((s.detail() != null && !s.detail().isEmpty()) || s.unfinished()) {
                        w.name("args").beginObject();
                        if (s.detail() != null && !s.detail().isEmpty()) {
                            w.name("detail").value(s.detail());
                        }
                        if (s.unfinished()) {
                            w.name("unfinished").value(true);
                        }
                        w.endObject();
                    }
                    w.endObject();
                }
                for (Instant in : m.instants(r.id(), 0, end)) {
                    w.beginObject();
                    w.name("ph").value("i").name("s").value("t");
                    w.name("name").value(in.label());
                    w.name("cat").value(in.kind().name().toLowerCase(java.util.Locale.ROOT));
                    w.name("pid").value(r.pid()).name("tid").value(r.tid());
                    w.name("ts").value(micros(in.timeNs()));
                    w.endObject();
                }
            }
            long flow = 1;
            for (Arrow a : m.arrows(0, end)) {
                Row from = m.row(a.fromRow()), to = m.row(a.toRow());
                if (from == null || to == null) {
                    continue;
                }
                flowEvent(w, "s", flow, a, from, a.fromNs());
                flowEvent(w, "f", flow, a, to, a.toNs());
                flow++;
            }
            for (Finding f : findings) {
                if (f.moment().isEmpty()) {
                    continue;
                }
                w.beginObject();
                w.name("ph").value("i").name("s").value("g");
                w.name("name").value("finding: " + f.ruleId());
                w.name("cat").value("interleave.finding");
                w.name("pid").value(f.moment().get().pid()).name("tid").value(f.moment().get().tid());
                w.name("ts").value(micros(f.moment().get().timeNanos()));
                w.name("args").beginObject().name("message").value(f.message()).name("location")
                        .value(f.location().toString()).endObject();
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
    }

    private static void flowEvent(JsonWriter w, String phase, long id, Arrow a, Row row, long ns) throws IOException {
        w.beginObject();
        w.name("ph").value(phase);
        w.name("id").value(id);
        w.name("name").value(a.label());
        w.name("cat").value(a.kind().name().toLowerCase(java.util.Locale.ROOT));
        w.name("pid").value(row.pid()).name("tid").value(row.kind() == Row.Kind.THREAD ? row.tid() : row.pid());
        w.name("ts").value(micros(ns));
        if (phase.equals("f")) {
            w.name("bp").value("e");
        }
        w.endObject();
    }

    private static void meta(JsonWriter w, String what, int pid, int tid, String name) throws IOException {
        w.beginObject();
        w.name("ph").value("M").name("name").value(what).name("pid").value(pid).name("tid").value(tid);
        w.name("args").beginObject().name("name").value(name).endObject();
        w.endObject();
    }

    private static double micros(long ns) {
        return ns / 1000.0;
    }
}
