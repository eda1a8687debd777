package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Span;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.Severity;
import interleave.engine.rules.RuleInfo;

/**
 * A forking server kept its copy of a connection after handing the connection to a child: the parent never closed
 * connfd before accepting the next client.
 */
@RuleInfo(id = ConnectionKeptAfterFork.ID, title = "Parent kept the connection after fork",
        summary = "After forking the child that serves a connection, the parent did not close its own copy of the"
                + " connected descriptor, so the client never sees end-of-file and descriptors leak.",
        severity = Severity.ERROR,
        concept = "Process-based servers: parent and child both hold connfd (reference counts of open files)",
        references = {"close(2)", "fork(2)"})
public final class ConnectionKeptAfterFork implements DynamicDetector {
    public static final String ID = "observed-connection-kept-after-fork";

    @Override
    public void detect(ExecutionModel run, Locations model, Consumer<Finding> sink) {
        Connections connections = new Connections();
        for (ExecProcess img : run.processes()) {
            Map<Long, List<Connections.Conn>> keptBySite = new LinkedHashMap<>();
            Map<Long, Integer> forkedBySite = new LinkedHashMap<>();
            Map<Long, Span> forkOfSite = new LinkedHashMap<>();
            for (Connections.Conn c : connections.of(img)) {
                if (c.accept().thread().process() != img) {
                    continue; // an inherited copy: judged in the process that accepted it
                }
                // the first fork, while the connection was open, of a child that serves it; then the next accept
                Span fork = connections.forkServing(img, c);
                if (fork == null) {
                    continue;
                }
                Span nextAccept = connections.acceptAfter(img, fork.end());
                long site = c.site();
                forkedBySite.merge(site, 1, Integer::sum);
                forkOfSite.putIfAbsent(site, fork);
                long deadline = nextAccept != null ? nextAccept.end() : img.endTs();
                if (c.closeTs() > deadline) {
                    keptBySite.computeIfAbsent(site, k -> new ArrayList<>()).add(c);
                }
            }
            for (Map.Entry<Long, List<Connections.Conn>> e : keptBySite.entrySet()) {
                List<Connections.Conn> kept = e.getValue();
                Connections.Conn first = kept.get(0);
                Span fork = forkOfSite.get(e.getKey());
                Evidence.Place site = Evidence.place(model, img, e.getKey(), true);
                Evidence.Place forkSite = Evidence.place(model, img, fork.endSite(), true);
                long neverClosed = kept.stream().filter(c -> c.closeTs() == Long.MAX_VALUE).count();
                List<RelatedLocation> evidence = List.of(
                        Evidence.related(site, "connection fd " + first.fd() + " was accepted here"),
                        Evidence.related(forkSite, "a child was forked here to serve it; the parent's copy stayed"
                                + " open"));
                String msg = kept.size() + " of " + forkedBySite.get(e.getKey()) + " connections accepted here stayed"
                        + " open in the parent after it forked the child serving them (" + neverClosed
                        + " never closed by the parent): the client gets no end-of-file when the child closes, and"
                        + " the parent runs out of descriptors";
                sink.accept(Evidence.finding(ID, Severity.ERROR, msg, site, evidence,
                        Evidence.moment(model, fork.thread(), fork.end()), img.command()));
            }
        }
    }
}
