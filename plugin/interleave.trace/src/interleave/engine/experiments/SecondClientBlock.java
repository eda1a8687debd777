package interleave.engine.experiments;

import static interleave.engine.trace.RecordType.ACCEPT;
import static interleave.engine.trace.RecordType.CLOSE;
import static interleave.engine.trace.RecordType.CONNECT;
import static interleave.engine.trace.RecordType.ENTER;
import static interleave.engine.trace.RecordType.EXIT;
import static interleave.engine.trace.RecordType.POLL;
import static interleave.engine.trace.RecordType.READ;
import static interleave.engine.trace.RecordType.RECV;
import static interleave.engine.trace.RecordType.SEND;
import static interleave.engine.trace.RecordType.WRITE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;
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

    /** One client connection seen in the trace: who, which socket, when its connect returned. */
    private record Client(ProcessImage image, ThreadTrace thread, int fd, long enteredNs, long connectedNs,
            int connectExit) {
    }

    /**
     * Derives where the second client blocked, or explains why it cannot: fewer than two clients connected, or the
     * second one never waited for its echo.
     */
    public static Derivation derive(TraceRun run) {
        List<Client> clients = new ArrayList<>();
        for (ProcessImage img : run.images()) {
            for (ThreadTrace t : img.threads()) {
                int fd = -1;
                long entered = 0;
                for (int i = 0; i < t.size(); i++) {
                    if (t.type(i) == CONNECT && t.phase(i) == ENTER) {
                        fd = (int) t.arg(i, 0);
                        entered = t.ts(i);
                    } else if (t.type(i) == CONNECT && t.phase(i) == EXIT && fd >= 0) {
                        // a non-blocking connect returns EINPROGRESS: the kernel completes the handshake by itself
                        clients.add(new Client(img, t, fd, entered, t.ts(i), i));
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
        ThreadTrace t = second.thread();
        long sent = 0;
        int sentAt = -1;
        for (int i = second.connectExit() + 1; i < t.size() && sentAt < 0; i++) {
            if ((t.type(i) == SEND || t.type(i) == WRITE) && t.phase(i) == EXIT && t.arg(i, 0) == second.fd()) {
                sent = t.ts(i);
                sentAt = i;
            }
        }
        if (sentAt < 0) {
            return new Derivation(Optional.empty(), "the second client (pid " + second.image().pid()
                    + ") never sent its line on fd " + second.fd());
        }
        // the longest wait for the echo after the line was sent: poll until readable, or a blocking read/recv
        long bestFrom = 0, bestUntil = 0;
        String bestCall = "";
        long enteredAt = -1;
        int enteredType = -1;
        for (int i = sentAt + 1; i < t.size(); i++) {
            int type = t.type(i);
            if (type != POLL && type != READ && type != RECV) {
                continue;
            }
            if (t.phase(i) == ENTER && (type != POLL || t.arg(i, 2) == second.fd())
                    && (type == POLL || t.arg(i, 0) == second.fd())) {
                enteredAt = t.ts(i);
                enteredType = type;
            } else if (t.phase(i) == EXIT && type == enteredType && enteredAt >= 0) {
                if (t.ts(i) - enteredAt > bestUntil - bestFrom) {
                    bestFrom = enteredAt;
                    bestUntil = t.ts(i);
                    bestCall = type == POLL ? "poll" : type == READ ? "read" : "recv";
                }
                enteredAt = -1;
                if (type != POLL) {
                    break; // the echo (or its first bytes) arrived: later reads are not the wait
                }
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
        for (ProcessImage img : run.images()) {
            for (ThreadTrace s : img.threads()) {
                for (int i = 0; i < s.size(); i++) {
                    if (s.type(i) == ACCEPT && s.phase(i) == EXIT && (long) s.arg(i, 3) >= 0 && s.ts(i) <= bestUntil
                            && s.ts(i) > accepted) {
                        accepted = s.ts(i);
                    }
                }
            }
        }
        return new Derivation(Optional.of(new SecondClientBlock(second.image().pid(), t.tid(), second.fd(),
                second.connectedNs() - second.enteredNs(), second.connectedNs(), sent, bestCall, bestFrom, bestUntil, first.image().pid(), firstLeft, accepted)),
                "");
    }

    /** When the first client closed its socket, else when its process ended, 0 if neither was recorded. */
    private static long leftAt(Client c) {
        ThreadTrace t = c.thread();
        for (int i = c.connectExit() + 1; i < t.size(); i++) {
            if (t.type(i) == CLOSE && t.arg(i, 0) == c.fd()) {
                return t.ts(i);
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
