package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Instant;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/** Connected descriptors (accepted, or inherited through fork) that a process still held when it called exit. */
@RuleInfo(id = ConnectionOpenAtExit.ID, title = "Connection still open at exit",
        summary = "Processes exited while still holding descriptors of accepted connections: copies that nobody"
                + " needed kept those connections open until the exit.",
        severity = Severity.WARNING, concept = "Process-based servers: who closes connfd (reference counts)",
        references = {"close(2)", "CERT FIO42-C"})
public final class ConnectionOpenAtExit implements DynamicDetector {
    public static final String ID = "observed-connection-open-at-exit";

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        Connections connections = new Connections();
        Map<Span, List<Connections.Conn>> bySite = new LinkedHashMap<>();
        Map<Long, Span> firstAcceptOfSite = new LinkedHashMap<>();
        for (ExecProcess img : run.processes()) {
            Instant exit = img.exitInstant().orElse(null);
            if (exit == null) {
                continue; // killed or still running: the end of its trace is not a place in the program
            }
            for (Connections.Conn c : connections.of(img)) {
                if (c.openAt(exit.ts())) {
                    Span key = firstAcceptOfSite.computeIfAbsent(c.site(), k -> c.accept());
                    bySite.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                }
            }
        }
        for (Map.Entry<Span, List<Connections.Conn>> e : bySite.entrySet()) {
            Span accept = e.getKey();
            ExecProcess acceptor = accept.thread().process();
            List<Connections.Conn> open = e.getValue();
            long processes = open.stream().map(Connections.Conn::image).distinct().count();
            Connections.Conn first = open.get(0);
            Instant exit = first.image().exitInstant().orElseThrow();
            Evidence.Place site = Evidence.place(model, acceptor, accept.endSite(), true);
            Evidence.Place exitPlace = Evidence.place(model, first.image(), exit.site(), true);
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
