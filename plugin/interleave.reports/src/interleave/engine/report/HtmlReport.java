package interleave.engine.report;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.timeline.Arrow;
import interleave.engine.timeline.Instant;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.StateSpan;
import interleave.engine.timeline.TimelineModel;

/**
 * A self-contained HTML page: for each section (one traced program, or one sample of the demo) the static findings of
 * its source, its timeline drawn as SVG (one lane per process and thread, states, instants, arrows), and the dynamic
 * findings, each marked on the timeline at the moment it happened and linked to a close-up of that moment. No
 * external files, scripts or fonts: the page can be mailed or attached to a CI run.
 */
public final class HtmlReport {
    /** Lanes drawn per timeline at most; a run with more says how many were left out. */
    static final int MAX_ROWS = 160;
    static final int WIDTH = 1100;
    static final int LABEL_WIDTH = 250;
    static final int ROW_HEIGHT = 16;
    static final int AXIS_HEIGHT = 22;
    /** Detail drawn beyond the page width, so zooming in (mouse wheel) still shows real spans. */
    static final int DETAIL = 4;

    /** One program's part of the report; attachments are texts shown folded (e.g. thread stacks of a hang). */
    public record Section(String title, String description, List<Finding> staticFindings,
            Optional<TimelineModel> timeline, List<Finding> dynamicFindings, List<String> notes,
            List<Attachment> attachments) {
        public Section(String title, String description, List<Finding> staticFindings,
                Optional<TimelineModel> timeline, List<Finding> dynamicFindings, List<String> notes) {
            this(title, description, staticFindings, timeline, dynamicFindings, notes, List.of());
        }

        /**
         * A section of a run whose sources were not given: its static part says so rather than "No findings", which
         * would read as "the source is fine".
         */
        public static Section withoutSource(String title, String description, TimelineModel timeline,
                List<Finding> dynamicFindings, List<String> notes, List<Attachment> attachments) {
            return new Section(title, description, NO_SOURCE, Optional.of(timeline), dynamicFindings, notes,
                    attachments);
        }
    }

    /** Marks "no source given" by identity (a list of its own, never one a caller builds). */
    private static final List<Finding> NO_SOURCE = java.util.Collections.unmodifiableList(new ArrayList<>());

    /** A named text, such as the stacks the tracer captured before stopping a hung program. */
    public record Attachment(String title, String text, boolean open) {
        /** Folded until the reader opens it (long texts such as thread stacks). */
        public Attachment(String title, String text) {
            this(title, text, false);
        }
    }

    private final StringBuilder html = new StringBuilder(64 * 1024);
    private int findingCounter;

    private HtmlReport() {
    }

    public static void write(String title, List<Section> sections, Writer out) throws IOException {
        HtmlReport r = new HtmlReport();
        r.page(title, sections);
        out.write(r.html.toString());
        out.flush();
    }

    private void page(String title, List<Section> sections) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>").append(CSS).append("</style></head><body>\n<h1>").append(esc(title))
                .append("</h1>\n");
        summaryTable(sections);
        legend();
        int i = 0;
        for (Section s : sections) {
            section(s, i++);
        }
        html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    }

    private void summaryTable(List<Section> sections) {
        if (sections.size() < 2) {
            return;
        }
        html.append("<table class=\"summary\"><tr><th>program</th><th>what it shows</th><th>static findings</th>"
                + "<th>observed in the trace</th></tr>\n");
        int i = 0;
        for (Section s : sections) {
            html.append("<tr><td><a href=\"#s").append(i++).append("\">").append(esc(s.title())).append("</a></td><td>")
                    .append(esc(s.description())).append("</td><td>").append(countByRule(s.staticFindings()))
                    .append("</td><td>").append(countByRule(s.dynamicFindings())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static String countByRule(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "<span class=\"none\">none</span>";
        }
        java.util.TreeMap<String, Integer> by = new java.util.TreeMap<>();
        findings.forEach(f -> by.merge(f.ruleId(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        by.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "<br>").append(v).append(" × <code>").append(esc(k))
                .append("</code>"));
        return sb.toString();
    }

    private void legend() {
        html.append("<details class=\"legend\"><summary>How to read the timelines</summary><p>One lane per process"
                + " (bold) and per thread (below it). Colour = what the thread was doing; thinner bars inside are"
                + " nested (a signal handler inside <code>printf</code>). Ticks are instants (fork, accept, close,"
                + " signals, exits); lines are arrows (fork, thread creation, signal sender → handler, lock hand-off,"
                + " accept → close). Red markers are findings: click one in the list to zoom there. Mouse wheel"
                + " zooms, drag pans, double-click resets.</p><p>");
        for (interleave.engine.timeline.State s : interleave.engine.timeline.State.values()) {
            html.append("<span class=\"key\"><span class=\"sw\" style=\"background:").append(TimelineColors.of(s))
                    .append("\"></span>").append(esc(s.description())).append("</span> ");
        }
        html.append("</p></details>\n");
    }

    private void section(Section s, int index) {
        html.append("<section id=\"s").append(index).append("\"><h2>").append(esc(s.title())).append("</h2>\n");
        if (!s.description().isEmpty()) {
            html.append("<p class=\"desc\">").append(esc(s.description())).append("</p>\n");
        }
        for (String n : s.notes()) {
            html.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        }
        html.append("<h3>Static analysis of the source</h3>\n");
        if (s.staticFindings() == NO_SOURCE) {
            html.append("<p class=\"none\">No source given: add the program's C files with"
                    + " <code>--source FILES</code> to see what the static rules find in them.</p>\n");
        } else {
            findingList(s.staticFindings(), null, index);
        }
        if (s.timeline().isPresent()) {
            TimelineModel m = s.timeline().get();
            html.append("<h3>As it happened: ").append(m.rows().size()).append(" lanes, ")
                    .append(duration(m.durationNs())).append(", ").append(m.run().eventCount())
                    .append(" events</h3>\n");
            int firstFinding = findingCounter;
            findingList(s.dynamicFindings(), m, index);
            timeline(m, s.dynamicFindings(), index, firstFinding);
        }
        for (Attachment a : s.attachments()) {
            html.append("<details class=\"attachment\"").append(a.open() ? " open" : "").append("><summary>").append(esc(a.title())).append("</summary><pre>")
                    .append(esc(a.text())).append("</pre></details>\n");
        }
        html.append("</section>\n");
    }

    private void findingList(List<Finding> findings, TimelineModel m, int section) {
        if (findings.isEmpty()) {
            html.append("<p class=\"none\">No findings.</p>\n");
            return;
        }
        html.append("<ol class=\"findings\">\n");
        for (Finding f : findings) {
            int id = findingCounter++;
            html.append("<li class=\"").append(f.severity().label()).append("\" id=\"f").append(id).append("\">");
            if (m != null && f.moment().isPresent()) {
                long t = f.moment().get().timeNanos();
                html.append("<a class=\"moment\" href=\"#\" data-tl=\"tl").append(section).append("\" data-t=\"")
                        .append(t).append("\" data-f=\"").append(id).append("\">at ").append(duration(t))
                        .append("</a> ");
            }
            html.append("<b>").append(esc(f.severity().label())).append("</b> <code>").append(esc(f.ruleId()))
                    .append("</code> <span class=\"loc\">").append(esc(f.location().toString())).append("</span><br>")
                    .append(esc(f.message()));
            if (!f.evidence().isEmpty()) {
                html.append("<ul class=\"evidence\">");
                for (RelatedLocation r : f.evidence()) {
                    html.append("<li><span class=\"loc\">").append(esc(r.range().toString())).append("</span> ")
                            .append(esc(r.message())).append("</li>");
                }
                html.append("</ul>");
            }
            if (!f.fixes().isEmpty()) {
                html.append("<div class=\"fix\">Fix: ").append(esc(f.fixes().get(0).label())).append("</div>");
            }
            html.append("</li>\n");
        }
        html.append("</ol>\n");
    }

    /** "; 1,204,332 read/write calls after 12.3 s kept as counts ..." for a thread lane past the budget, else "". */
    private static String counted(TimelineModel m, Row r) {
        if (r.kind() != Row.Kind.THREAD || m.events().countedCalls() == 0) {
            return "";
        }
        String s = m.execThread(r.id()).map(t -> interleave.engine.events.CountedCalls.summary(t, m.events()
                .startNs())).orElse("");
        return s.isEmpty() ? "" : "; " + s;
    }

    /** Lanes: label column and the drawing, one SVG each so labels stay put while the drawing zooms. */
    private void timeline(TimelineModel m, List<Finding> findings, int section, int firstFinding) {
        List<Row> rows = m.rows();
        List<Row> shown = chooseRows(rows, findings);
        if (shown.size() < rows.size()) {
            html.append("<p class=\"note\">").append(rows.size() - shown.size()).append(" of ").append(rows.size())
                    .append(" lanes are not drawn (the lanes of processes with findings are); export the run to"
                            + " Perfetto to see all of them.</p>\n");
        }
        if (m.events().countedCalls() > 0) {
            html.append("<p class=\"note\">").append(String.format(java.util.Locale.ROOT, "%,d", m.events()
                    .countedCalls())).append(" plain I/O calls (reads, writes, polls...) were kept as counts, past the"
                            + " budget of ").append(String.format(java.util.Locale.ROOT, "%,d", m.events().budget()))
                    .append(" kept events: their lanes do not show them (the lane's label says how many).</p>\n");
        }
        long t0 = 0;
        long t1 = Math.max(1, m.durationNs());
        double wide = (double) WIDTH * DETAIL;
        double scale = wide / (t1 - t0);
        long resolution = Math.max(1, (long) ((t1 - t0) / wide));
        int height = AXIS_HEIGHT + shown.size() * ROW_HEIGHT + 4;
        java.util.Map<Integer, Integer> lane = new java.util.HashMap<>();
        for (int i = 0; i < shown.size(); i++) {
            lane.put(shown.get(i).id(), i);
        }
        html.append("<div class=\"timeline\" id=\"tl").append(section).append("\" data-duration=\"").append(t1)
                .append("\" data-wide=\"").append((long) wide).append("\">\n");
        html.append("<svg class=\"labels\" width=\"").append(LABEL_WIDTH).append("\" height=\"").append(height)
                .append("\">");
        for (int i = 0; i < shown.size(); i++) {
            Row r = shown.get(i);
            int y = AXIS_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT - 4;
            boolean process = r.kind() == Row.Kind.PROCESS;
            html.append("<text x=\"").append(process ? 4 : 16).append("\" y=\"").append(y).append("\"")
                    .append(process ? " font-weight=\"bold\"" : "").append("><title>").append(esc(r.label()))
                    .append(esc(counted(m, r))).append("</title>").append(esc(shorten(r.label(), process ? 34 : 32)))
                    .append("</text>");
        }
        html.append("</svg>");
        // the time axis is drawn by the page's script, so its labels stay readable when the lanes are zoomed
        html.append("<div class=\"draw\"><svg class=\"axis\" width=\"").append(WIDTH).append("\" height=\"")
                .append(AXIS_HEIGHT).append("\"></svg><svg class=\"lanes\" preserveAspectRatio=\"none\" viewBox=\"0 ")
                .append(AXIS_HEIGHT).append(' ').append((long) wide).append(' ').append(height - AXIS_HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height - AXIS_HEIGHT)
                .append("\">\n");
        axis(t1, wide, height);
        for (int i = 0; i < shown.size(); i++) {
            Row r = shown.get(i);
            int y = AXIS_HEIGHT + i * ROW_HEIGHT;
            if (i % 2 == 1) {
                html.append("<rect x=\"0\" y=\"").append(y).append("\" width=\"").append((long) wide)
                        .append("\" height=\"").append(ROW_HEIGHT).append("\" fill=\"#fafafa\"/>");
            }
            for (StateSpan sp : m.spans(r.id(), t0, t1, resolution)) {
                double x = (sp.startNs() - t0) * scale;
                double w = Math.max(0.6, (sp.endNs() - sp.startNs()) * scale);
                int inset = Math.min(sp.depth() * 3, ROW_HEIGHT / 2 - 2);
                html.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(y + 1 + inset)
                        .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(ROW_HEIGHT - 2 - 2 * inset)
                        .append("\" fill=\"").append(TimelineColors.of(sp.state())).append("\"")
                        .append(sp.unfinished() ? " stroke=\"#b71c1c\" stroke-dasharray=\"2\"" : "")
                        .append("><title>").append(esc(sp.state().description()))
                        .append(sp.detail() == null || sp.detail().isEmpty() ? "" : ": " + esc(sp.detail()))
                        .append(sp.mergedCount() > 1 ? " (" + sp.mergedCount() + " spans)" : "").append(", ")
                        .append(duration(sp.startNs())).append(" + ").append(duration(sp.endNs() - sp.startNs()))
                        .append(sp.unfinished() ? ", never finished" : "").append("</title></rect>");
            }
            instants(m, r.id(), t0, t1, scale, y);
        }
        arrows(m, lane, t0, t1, scale);
        int n = firstFinding;
        for (Finding f : findings) {
            int id = n++;
            if (f.moment().isEmpty()) {
                continue;
            }
            Integer l = laneOf(m, lane, f.moment().get().pid(), f.moment().get().tid());
            double x = (f.moment().get().timeNanos() - t0) * scale;
            int y = l == null ? AXIS_HEIGHT : AXIS_HEIGHT + l * ROW_HEIGHT;
            html.append("<g class=\"mark\" id=\"m").append(id).append("\"><line x1=\"").append(fmt(x)).append("\" x2=\"")
                    .append(fmt(x)).append("\" y1=\"").append(AXIS_HEIGHT).append("\" y2=\"").append(height)
                    .append("\" stroke=\"#d50000\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\""
                            + " stroke-dasharray=\"4 3\"/><line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x))
                    .append("\" y1=\"").append(y).append("\" y2=\"").append(y + ROW_HEIGHT)
                    .append("\" stroke=\"#d50000\" stroke-width=\"7\" vector-effect=\"non-scaling-stroke\"><title>")
                    .append(esc(f.ruleId())).append(": ").append(esc(shorten(f.message(), 200)))
                    .append("</title></line></g>\n");
        }
        html.append("</svg></div></div>\n");
    }

    /**
     * At most {@link #MAX_ROWS} lanes, in the model's order: first the lanes of the processes where findings
     * happened and the first process (the program itself), then the others as they come.
     */
    private static List<Row> chooseRows(List<Row> rows, List<Finding> findings) {
        if (rows.size() <= MAX_ROWS) {
            return rows;
        }
        Set<Integer> pids = new HashSet<>();
        pids.add(rows.get(0).pid());
        findings.forEach(f -> f.moment().ifPresent(mo -> pids.add(mo.pid())));
        Set<Integer> keep = new HashSet<>();
        for (Row r : rows) {
            if (pids.contains(r.pid()) && keep.size() < MAX_ROWS) {
                keep.add(r.id());
            }
        }
        for (Row r : rows) {
            if (keep.size() >= MAX_ROWS) {
                break;
            }
            keep.add(r.id());
        }
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (keep.contains(r.id())) {
                out.add(r);
            }
        }
        return out;
    }

    private Integer laneOf(TimelineModel m, java.util.Map<Integer, Integer> lane, int pid, int tid) {
        for (Row r : m.rows()) {
            if (r.kind() == Row.Kind.THREAD && r.pid() == pid && r.tid() == tid && lane.containsKey(r.id())) {
                return lane.get(r.id());
            }
        }
        for (Row r : m.rows()) {
            if (r.kind() == Row.Kind.PROCESS && r.pid() == pid && lane.containsKey(r.id())) {
                return lane.get(r.id());
            }
        }
        return null;
    }

    private void axis(long duration, double wide, int height) {
        long step = niceStep(duration / 10);
        for (long t = 0; t <= duration; t += step) {
            double x = t * (wide / duration);
            html.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"16\" y2=\"")
                    .append(height).append("\" stroke=\"#eeeeee\" vector-effect=\"non-scaling-stroke\"/>");
        }
    }

    private void instants(TimelineModel m, int row, long t0, long t1, double scale, int y) {
        List<Instant> all = m.instants(row, t0, t1);
        Set<Long> used = new HashSet<>();
        for (Instant in : all) {
            long px = (long) ((in.timeNs() - t0) * scale);
            if (all.size() > 400 && !used.add(px)) {
                continue; // one instant per pixel column is all the eye can see
            }
            double x = (in.timeNs() - t0) * scale;
            html.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(y + 1)
                    .append("\" y2=\"").append(y + ROW_HEIGHT - 1).append("\" stroke=\"")
                    .append(TimelineColors.of(in.kind())).append("\" stroke-width=\"1.5\""
                            + " vector-effect=\"non-scaling-stroke\"><title>").append(esc(in.label())).append(" at ")
                    .append(duration(in.timeNs())).append("</title></line>");
        }
    }

    private void arrows(TimelineModel m, java.util.Map<Integer, Integer> lane, long t0, long t1, double scale) {
        List<Arrow> all = m.arrows(t0, t1);
        int drawn = 0;
        for (Arrow a : all) {
            Integer from = lane.get(a.fromRow());
            Integer to = lane.get(a.toRow());
            if (from == null || to == null || drawn++ > 3000) {
                continue;
            }
            double x1 = (a.fromNs() - t0) * scale, x2 = (a.toNs() - t0) * scale;
            int y1 = AXIS_HEIGHT + from * ROW_HEIGHT + ROW_HEIGHT / 2, y2 = AXIS_HEIGHT + to * ROW_HEIGHT + ROW_HEIGHT / 2;
            html.append("<line x1=\"").append(fmt(x1)).append("\" y1=\"").append(y1).append("\" x2=\"").append(fmt(x2))
                    .append("\" y2=\"").append(y2).append("\" stroke=\"").append(TimelineColors.of(a.kind()))
                    .append("\" stroke-opacity=\"0.55\" vector-effect=\"non-scaling-stroke\"><title>")
                    .append(esc(a.label())).append("</title></line>");
        }
    }

    private static long niceStep(long raw) {
        long step = 1;
        while (step * 10 <= raw) {
            step *= 10;
        }
        if (step * 5 <= raw) {
            return step * 5;
        }
        if (step * 2 <= raw) {
            return step * 2;
        }
        return Math.max(1, step);
    }

    /** A duration in the unit that reads best: ns, µs, ms or s. */
    static String duration(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '<' -> sb.append("&lt;");
            case '>' -> sb.append("&gt;");
            case '&' -> sb.append("&amp;");
            case '"' -> sb.append("&quot;");
            default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.2em;color:#212121}h1{font-size:1.5em}
            h2{border-top:2px solid #90a4ae;padding-top:.6em;margin-top:2em}h3{font-size:1.05em;margin:1em 0 .4em}
            code{font-size:92%}.loc{font-family:monospace;color:#455a64}.none{color:#2e7d32}
            .note{color:#6d4c41;font-style:italic}.desc{color:#37474f}
            table.summary{border-collapse:collapse}table.summary td,table.summary th{border:1px solid #cfd8dc;
            padding:.3em .6em;vertical-align:top;text-align:left}
            ol.findings li{margin:.4em 0}li.error b{color:#c62828}li.warning b{color:#ef6c00}
            ul.evidence{margin:.2em 0;font-size:92%;color:#37474f}.fix{font-size:92%;color:#1b5e20}
            .timeline{display:flex;border:1px solid #cfd8dc;margin:.5em 0;background:#fff}
            .timeline .draw{overflow:hidden;cursor:grab}.timeline svg{display:block}.tick{font-size:10px;fill:#757575}
            svg.labels text{font-size:11px;font-family:monospace}
            a.moment{background:#ffebee;color:#b71c1c;padding:0 .3em;border-radius:3px;text-decoration:none}
            .mark.hl line{stroke:#ff1744}.legend{margin:.6em 0}.key{white-space:nowrap;margin-right:.8em;font-size:90%}
            .sw{display:inline-block;width:1em;height:.8em;margin-right:.3em;vertical-align:middle}
            """;

    /** Zoom and pan by rewriting the viewBox; a finding link zooms to a window around its moment. */
    private static final String SCRIPT = """
            document.querySelectorAll('.timeline').forEach(function(tl){
              var svg=tl.querySelector('svg.lanes'), axis=tl.querySelector('svg.axis'), wide=+tl.dataset.wide;
              var y0=svg.viewBox.baseVal.y, h=svg.viewBox.baseVal.height, d=+tl.dataset.duration;
              var vb={x:0,w:wide}, NS='http://www.w3.org/2000/svg';
              function fmt(ns){return ns<1e3?ns.toFixed(0)+' ns':ns<1e6?(ns/1e3).toFixed(1)+' µs':
                ns<1e9?(ns/1e6).toFixed(2)+' ms':(ns/1e9).toFixed(3)+' s';}
              function drawAxis(){while(axis.firstChild)axis.removeChild(axis.firstChild);
                var t0=vb.x/wide*d, t1=(vb.x+vb.w)/wide*d, raw=(t1-t0)/8, step=Math.pow(10,Math.floor(Math.log10(raw)));
                if(step*5<=raw)step*=5;else if(step*2<=raw)step*=2;
                var W=axis.width.baseVal.value;
                for(var t=Math.ceil(t0/step)*step;t<=t1;t+=step){var x=(t-t0)/(t1-t0)*W;
                  var tx=document.createElementNS(NS,'text');tx.setAttribute('x',x+2);tx.setAttribute('y',14);
                  tx.setAttribute('class','tick');tx.textContent=fmt(t);axis.appendChild(tx);
                  var ln=document.createElementNS(NS,'line');ln.setAttribute('x1',x);ln.setAttribute('x2',x);
                  ln.setAttribute('y1',16);ln.setAttribute('y2',22);ln.setAttribute('stroke','#9e9e9e');axis.appendChild(ln);}}
              function apply(){vb.w=Math.max(wide/2000,Math.min(wide,vb.w));vb.x=Math.max(0,Math.min(wide-vb.w,vb.x));
                svg.setAttribute('viewBox',vb.x+' '+y0+' '+vb.w+' '+h);drawAxis();}
              drawAxis();
              tl.zoomTo=function(t){var d=+tl.dataset.duration,c=t/d*wide;vb.w=wide/40;vb.x=c-vb.w/2;apply();};
              svg.addEventListener('wheel',function(e){e.preventDefault();var r=svg.getBoundingClientRect();
                var f=(e.clientX-r.left)/r.width,c=vb.x+f*vb.w;vb.w*=e.deltaY<0?0.8:1.25;vb.x=c-f*vb.w;apply();});
              var drag=null;svg.addEventListener('mousedown',function(e){drag={x:e.clientX,vx:vb.x};});
              window.addEventListener('mouseup',function(){drag=null;});
              window.addEventListener('mousemove',function(e){if(!drag)return;var r=svg.getBoundingClientRect();
                vb.x=drag.vx-(e.clientX-drag.x)/r.width*vb.w;apply();});
              svg.addEventListener('dblclick',function(){vb={x:0,w:wide};apply();});
            });
            document.querySelectorAll('a.moment').forEach(function(a){a.addEventListener('click',function(e){
              e.preventDefault();var tl=document.getElementById(a.dataset.tl);tl.zoomTo(+a.dataset.t);
              document.querySelectorAll('.mark.hl').forEach(function(m){m.classList.remove('hl');});
              var m=document.getElementById('m'+a.dataset.f);if(m)m.classList.add('hl');
              var li=document.getElementById('f'+a.dataset.f);(li||tl).scrollIntoView({block:'start'});});});
            if(location.hash.indexOf('#f')===0){var li=document.getElementById(location.hash.substring(1));
              var a=li&&li.querySelector('a.moment');if(a)a.click();}
            """;
}
