package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.IdentityHashMap;
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
        // every process's copies of each connection, to see whether an exiting copy was the one keeping it open
        Map<Span, List<Connections.Conn>> copies = new IdentityHashMap<>();
        for (ExecProcess img : run.processes()) {
            for (Connections.Conn c : connections.of(img)) {
                copies.computeIfAbsent(c.accept(), k -> new ArrayList<>()).add(c);
            }
        }
        for (ExecProcess img : run.processes()) {
            Instant exit = img.exitInstant().orElse(null);
            if (exit == null) {
                continue; // killed or still running: the end of its trace is not a place in the program
            }
            for (Connections.Conn c : connections.of(img)) {
                List<Connections.Conn> all = copies.get(c.accept());
                if (c.openAt(exit.ts()) && !heldElsewhere(c, exit.ts(), all)
                        && !unusedAfterPeerClosed(connections, c, exit.ts(), all)) {
                    Span key = firstAcceptOfSite.computeIfAbsent(c.site(), k -> c.accept());
                    bySite.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                }
            }
        }
        report(bySite, copies, model, sink);
    }

    /**
     * Whether another live process still held its own copy of the connection at ts: then this copy kept nothing open
     * that was not open anyway (a child forked for other work, like redis's BGSAVE, inherits every client the parent
     * goes on serving, and exits with them).
     */
    private static boolean heldElsewhere(Connections.Conn c, long ts, List<Connections.Conn> all) {
        for (Connections.Conn o : all) {
            if (o.image() != c.image() && o.openAt(ts) && o.image().endTs() > ts && o.image().startNs() <= ts) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether c is a copy its process never used, inherited by a child forked for other work, and the copy that served
     * the connection was closed after the peer had closed its side (end-of-file read, nothing written after): nobody
     * was waiting for this end to close. Redis's BGSAVE child outlives clients that disconnected while it saved.
     */
    private static boolean unusedAfterPeerClosed(Connections connections, Connections.Conn c, long ts,
            List<Connections.Conn> all) {
        if (c.accept().thread().process() == c.image() || connections.used(c)) {
            return false; // the process that accepted it, or one that served it
        }
        Connections.Conn last = lastClosedBefore(c, ts, all);
        return last != null && connections.closedAfterPeer(last);
    }

    /** The other copy of the connection closed last before ts, or null. */
    private static Connections.Conn lastClosedBefore(Connections.Conn c, long ts, List<Connections.Conn> all) {
        Connections.Conn last = null;
        for (Connections.Conn o : all) {
            if (o.image() != c.image() && o.closeTs() <= ts && (last == null || o.closeTs() > last.closeTs())) {
                last = o;
            }
        }
        return last;
    }

    /**
     * ", 12.5 ms after process 41 closed its own copy: ...", when another process had closed its copy of the
     * connection before this exit (the last close elsewhere), else "".
     */
    private static String closedBefore(Connections.Conn c, long ts, List<Connections.Conn> all) {
        Connections.Conn last = lastClosedBefore(c, ts, all);
        if (last == null) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, ", %.1f ms after process %d closed its own copy: until this exit"
                + " the client got no end-of-file", (ts - last.closeTs()) / 1e6, last.image().pid());
    }

    private static void report(Map<Span, List<Connections.Conn>> bySite, Map<Span, List<Connections.Conn>> copies,
            Locations model, Consumer<Finding> sink) {
        for (Map.Entry<Span, List<Connections.Conn>> e : bySite.entrySet()) {
            Span accept = e.getKey();
            ExecProcess acceptor = accept.thread().process();
            List<Connections.Conn> open = e.getValue();
            long processes = open.stream().map(Connections.Conn::image).distinct().count();
            Connections.Conn first = open.get(0);
            Instant exit = first.image().exitInstant().orElseThrow();
            Evidence.Place site = Evidence.place(model, acceptor, accept.endSite(), true);
            Evidence.Place exitPlace = Evidence.place(model, first.image(), exit.site(), true);
            String after = closedBefore(first, exit.ts(), copies.get(first.accept()));
            List<RelatedLocation> evidence = List.of(Evidence.related(exitPlace, "process " + first.image().pid()
                    + " exited here with fd " + first.fd() + " still open" + after));
            String msg = open.size() + " descriptor" + (open.size() == 1 ? "" : "s") + " of connections accepted"
                    + " here were still open when " + processes + " process" + (processes == 1 ? "" : "es")
                    + " exited: close connfd where it is no longer needed (the parent after fork, the child after"
                    + " serving), or the connection stays open as long as any copy does";
            sink.accept(Evidence.finding(ID, Severity.WARNING, msg, site, evidence,
                    Evidence.moment(model, exit.thread(), exit.ts()), acceptor.command()));
        }
    }
}
