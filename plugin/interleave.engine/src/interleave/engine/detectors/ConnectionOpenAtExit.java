package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.TraceRun;

/** Connected descriptors (accepted, or inherited through fork) that a process still held when it called exit. */
@RuleInfo(id = ConnectionOpenAtExit.ID, title = "Connection still open at exit",
        summary = "Processes exited while still holding descriptors of accepted connections: copies that nobody"
                + " needed kept those connections open until the exit.",
        severity = Severity.WARNING, concept = "Process-based servers: who closes connfd (reference counts)",
        references = {"close(2)", "CERT FIO42-C"})
public final class ConnectionOpenAtExit implements DynamicDetector {
    public static final String ID = "observed-connection-open-at-exit";

    @Override
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        Connections connections = new Connections();
        Map<EventRef, List<Connections.Conn>> bySite = new LinkedHashMap<>();
        Map<Long, EventRef> firstAcceptOfSite = new LinkedHashMap<>();
        for (ProcessImage img : run.images()) {
            EventRef exit = img.procExit().orElse(null);
            if (exit == null) {
                continue; // killed or still running: the end of its trace is not a place in the program
            }
            for (Connections.Conn c : connections.of(img)) {
                if (c.openAt(exit.ts())) {
                    long site = c.accept().thread().ra(c.accept().index());
                    EventRef key = firstAcceptOfSite.computeIfAbsent(site, k -> c.accept());
                    bySite.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                }
            }
        }
        for (Map.Entry<EventRef, List<Connections.Conn>> e : bySite.entrySet()) {
            EventRef accept = e.getKey();
            ProcessImage acceptor = accept.thread().image();
            List<Connections.Conn> open = e.getValue();
            long processes = open.stream().map(Connections.Conn::image).distinct().count();
            Connections.Conn first = open.get(0);
            EventRef exit = first.image().procExit().orElseThrow();
            Evidence.Place site = Evidence.place(model, acceptor, accept.thread().ra(accept.index()), true);
            Evidence.Place exitPlace = Evidence.place(model, first.image(), exit.thread().ra(exit.index()), true);
            List<RelatedLocation> evidence = List.of(Evidence.related(exitPlace, "process " + first.image().pid()
                    + " exited here with fd " + first.fd() + " still open"));
            String msg = open.size() + " descriptor" + (open.size() == 1 ? "" : "s") + " of connections accepted"
                    + " here were still open when " + processes + " process" + (processes == 1 ? "" : "es")
                    + " exited: close connfd where it is no longer needed (the parent after fork, the child after"
                    + " serving), or the connection stays open as long as any copy does";
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                    Evidence.moment(model, exit.thread(), exit.ts()), acceptor.command()));
        }
    }
}
