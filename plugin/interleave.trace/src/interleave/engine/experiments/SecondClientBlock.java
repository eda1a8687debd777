package interleave.engine.experiments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;
import interleave.engine.trace.AgentTraceSource;
import interleave.engine.trace.TraceRun;

/**
 * "Where does the second client block?", answered from a trace of an iterative server and two clients: the second
 * client's {@code connect} and its write of the line return at once (the kernel queues the connection and buffers the
 * data), and it waits for the echo until the first client has left and the server accepts it. All times are the
 * trace's monotonic ns.
 *
 * @param secondPid      the client whose connect returned second
 * @param secondTid      its thread that waited
 * @param fd             its socket
 * @param connectTookNs how long its connect call took
 * @param connectedNs    when its connect returned
 * @param sentNs         when its first write/send of the line returned
 * @param waitCall       what it blocked in: "poll" (waiting until the socket is readable), "read" or "recv"
 * @param blockedFromNs  the wait's start
 * @param blockedUntilNs the wait's end
 * @param firstPid       the client that was connected first
 * @param firstLeftNs    when the first client closed its connection (or its process ended), 0 if not recorded
 * @param acceptedNs     when the server's accept returned the connection it took after the first client, 0 if the
 *                       server is not in the trace
 */
public record SecondClientBlock(int secondPid, int secondTid, int fd, long connectTookNs, long connectedNs, long sentNs,
        String waitCall,
        long blockedFromNs, long blockedUntilNs, int firstPid, long firstLeftNs, long acceptedNs) {

    public long blockedNs() {
        return blockedUntilNs - blockedFromNs;
    }

    /** One client connection seen in the trace: who, which socket, its connect call. */
    private record Client(ExecProcess image, ExecThread thread, int fd, Span connect) {
        long connectedNs() {
            return connect.end();
        }
    }

    /** Whether span a began before span b in its thread's order (time, then the source's order). */
    private static boolean after(Span a, long ts, long ref) {
        return a.start() > ts || a.start() == ts && a.ref() > ref;
    }

    /**
     * Derives where the second client blocked, or explains why it cannot: fewer than two clients connected, or the
     * second one never waited for its echo.
     */
    public static Derivation derive(TraceRun run) {
        return derive(AgentTraceSource.model(run));
    }

    /** As {@link #derive(TraceRun)}, from a run's execution-event model. */
    public static Derivation derive(ExecutionModel model) {
        List<Client> clients = new ArrayList<>();
        for (ExecProcess img : model.processes()) {
            for (ExecThread t : img.threads()) {
                for (Span s : t.spans()) {
                    // a non-blocking connect returns EINPROGRESS: the kernel completes the handshake by itself
                    if (s.kind().equals(Kinds.CONNECT) && s.subject() >= 0 && s.endRef() >= 0
                            && s.endRef() != s.ref()) {
                        clients.add(new Client(img, t, (int) s.subject(), s));
                        break;
                    }
                }
            }
        }
        if (clients.size() < 2) {
            return new Derivation(Optional.empty(), "the trace has " + clients.size()
                    + " client connection(s); the experiment needs two clients connected to the server");
        }
        clients.sort(Comparator.comparingLong(Client::connectedNs));
        Client first = clients.get(0), second = clients.get(1);
        ExecThread t = second.thread();
        Span sentCall = null;
        for (Span s : t.spans()) {
            if ((s.kind().equals(Kinds.SEND) || s.kind().equals(Kinds.WRITE)) && s.subject() == second.fd()
                    && s.endRef() >= 0 && after(s, second.connectedNs(), second.connect().endRef())
                    && (sentCall == null || s.end() < sentCall.end())) {
                sentCall = s;
            }
        }
        if (sentCall == null) {
            return new Derivation(Optional.empty(), "the second client (pid " + second.image().pid()
                    + ") never sent its line on fd " + second.fd());
        }
        long sent = sentCall.end();
        // the longest wait for the echo after the line was sent: poll until readable, or a blocking read/recv
        long bestFrom = 0, bestUntil = 0;
        String bestCall = "";
        for (Span s : t.spans()) {
            String k = s.kind();
            if (!(k.equals(Kinds.POLL) || k.equals(Kinds.READ) || k.equals(Kinds.RECV)) || s.subject() != second.fd()
                    || !after(s, sent, sentCall.endRef()) || s.endRef() < 0) {
                continue;
            }
            if (s.end() - s.start() > bestUntil - bestFrom) {
                bestFrom = s.start();
                bestUntil = s.end();
                bestCall = k.equals(Kinds.POLL) ? "poll" : k;
            }
            if (!k.equals(Kinds.POLL)) {
                break; // the echo (or its first bytes) arrived: later reads are not the wait
            }
        }
        if (bestCall.isEmpty()) {
            return new Derivation(Optional.empty(), "the second client (pid " + second.image().pid()
                    + ") sent its line but the trace shows no wait for the echo on fd " + second.fd());
        }
        long firstLeft = leftAt(first);
        // the server's last successful accept before the echo came: the one that took the second connection (the
        // first client's came earlier, before it left)
        long accepted = 0;
        for (ExecThread s : model.threads()) {
            for (Span a : s.spans()) {
                if (a.kind().equals(Kinds.ACCEPT) && a.endRef() >= 0 && a.endRef() != a.ref() && a.result() >= 0
                        && a.end() <= bestUntil && a.end() > accepted) {
                    accepted = a.end();
                }
            }
        }
        Span c = second.connect();
        return new Derivation(Optional.of(new SecondClientBlock(second.image().pid(), t.tid(), second.fd(),
                c.end() - c.start(), c.end(), sent, bestCall, bestFrom, bestUntil, first.image().pid(), firstLeft,
                accepted)), "");
    }

    /** When the first client closed its socket, else when its process ended, 0 if neither was recorded. */
    private static long leftAt(Client c) {
        for (Span s : c.thread().spans()) {
            if (s.kind().equals(Kinds.CLOSE) && s.subject() == c.fd()
                    && after(s, c.connectedNs(), c.connect().endRef())) {
                return s.start();
            }
        }
        return c.image().endTs();
    }

    /** The answer, or why there is none ({@code problem}). */
    public record Derivation(Optional<SecondClientBlock> block, String problem) {
    }

    /**
     * The lecture's answer in one paragraph, with this run's numbers; times are seconds since {@code originNs}.
     */
    public String describe(long originNs) {
        StringBuilder s = new StringBuilder();
        s.append("The second client (pid ").append(secondPid).append(") connected at ").append(at(connectedNs, originNs))
                .append(" and its write of the line returned at ").append(at(sentNs, originNs))
                .append(acceptedNs > sentNs ? ": the kernel had queued the connection and buffered the data, though"
                        + " the server had not accepted it yet." : ".")
                .append(" Then it blocked ")
                .append(ms(blockedNs())).append(" waiting for the echo (")
                .append(waitCall.equals("poll") ? "in poll on fd " + fd + ", before its read"
                        : "in " + waitCall + " on fd " + fd)
                .append("), from ").append(at(blockedFromNs, originNs)).append(" to ")
                .append(at(blockedUntilNs, originNs)).append('.');
        if (firstLeftNs > 0) {
            s.append(" The first client (pid ").append(firstPid).append(") left at ").append(at(firstLeftNs, originNs));
            s.append(acceptedNs >= firstLeftNs ? " and only then did the iterative server's accept return the second"
                    + " connection, at " + at(acceptedNs, originNs) + "." : ".");
        }
        s.append(blockedNs() > connectTookNs ? " It blocked waiting to read, not in connect (connect took "
                + ms(connectTookNs) + ")." : " Its connect took " + ms(connectTookNs) + ".");
        return s.toString();
    }

    private static String at(long ns, long origin) {
        return String.format("%.3f s", (ns - origin) / 1e9);
    }

    private static String ms(long ns) {
        return ns >= 10_000_000 ? (ns / 1_000_000) + " ms" : String.format("%.1f ms", ns / 1e6);
    }
}
