package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

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
    public void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink) {
        Connections connections = new Connections();
        for (ProcessImage img : run.images()) {
            List<EventRef> events = img.eventsInTimeOrder();
            Map<Long, List<Connections.Conn>> keptBySite = new LinkedHashMap<>();
            Map<Long, Integer> forkedBySite = new LinkedHashMap<>();
            Map<Long, EventRef> forkOfSite = new LinkedHashMap<>();
            for (Connections.Conn c : connections.of(img)) {
                if (c.accept().thread().image() != img) {
                    continue; // an inherited copy: judged in the process that accepted it
                }
                EventRef fork = null, nextAccept = null;
                for (EventRef e : events) {
                    int type = e.thread().type(e.index()), phase = e.thread().phase(e.index());
                    if (e.ts() <= c.openTs()) {
                        continue;
                    }
                    if (fork == null && type == FORK && phase == EXIT && e.thread().arg(e.index(), 0) > 0
                            && c.openAt(e.ts())) {
                        fork = e;
                    } else if (fork != null && type == ACCEPT && phase == EXIT && e.thread().arg(e.index(), 3) >= 0) {
                        nextAccept = e;
                        break;
                    }
                }
                if (fork == null) {
                    continue;
                }
                long site = c.accept().thread().ra(c.accept().index());
                forkedBySite.merge(site, 1, Integer::sum);
                forkOfSite.putIfAbsent(site, fork);
                long deadline = nextAccept != null ? nextAccept.ts() : img.endTs();
                if (c.closeTs() > deadline) {
                    keptBySite.computeIfAbsent(site, k -> new ArrayList<>()).add(c);
                }
            }
            for (Map.Entry<Long, List<Connections.Conn>> e : keptBySite.entrySet()) {
                List<Connections.Conn> kept = e.getValue();
                Connections.Conn first = kept.get(0);
                EventRef fork = forkOfSite.get(e.getKey());
                Evidence.Place site = Evidence.place(model, img, e.getKey(), true);
                Evidence.Place forkSite = Evidence.place(model, img, fork.thread().ra(fork.index()), true);
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
                        Evidence.moment(model, fork.thread(), fork.ts()), img.command()));
            }
        }
    }
}
