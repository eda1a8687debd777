package interleave.engine.detectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;

/**
 * Accepted connections and their copies: for each process, every descriptor that holds a connection (accepted there,
 * or inherited through fork), from when it is open there until it is closed there. Each process's closes, forks and
 * accepts are indexed once and looked up by time, so a server with thousands of connections costs n log n.
 */
final class Connections {
    /** One process's descriptor for one accepted connection; {@code accept} is the call that made it. */
    record Conn(ExecProcess image, long fd, Span accept, long openTs, long closeTs) {
        boolean openAt(long ts) {
            return openTs <= ts && ts < closeTs;
        }

        /** Where the connection was accepted (the call's return address). */
        long site() {
            return accept.endSite();
        }
    }

    /** One process's calls of one kind, by time. */
    private static final class Calls {
        final List<Span> spans;
        final long[] ts;

        Calls(List<Span> spans, boolean byEnd) {
            spans.sort(Comparator.comparingLong(s -> byEnd ? s.end() : s.start()));
            this.spans = spans;
            this.ts = spans.stream().mapToLong(s -> byEnd ? s.end() : s.start()).toArray();
        }

        /** Index of the first call at or after ts (strictly after when {@code strict}), or size. */
        int from(long t, boolean strict) {
            int i = Arrays.binarySearch(ts, strict ? t + 1 : t);
            if (i < 0) {
                return -i - 1;
            }
            while (i > 0 && ts[i - 1] == ts[i]) {
                i--;
            }
            return i;
        }
    }

    /** One process's accepts and forks by end, closes per descriptor by start. */
    private record Index(Calls accepts, Calls forks, Map<Long, Calls> closesByFd) {
    }

    /**
     * What only some questions need, built on first use: the descriptors the process did something with (read,
     * wrote, closed, duplicated, ...); reads and receives that returned 0 (the peer had shut its side) by end, and the
     * writes and sends on those descriptors by start. A server's every read and write would otherwise be indexed for
     * every process at every live snapshot.
     */
    private record Uses(Set<Long> touched, Map<Long, Calls> endOfFileByFd, Map<Long, Calls> writesByFd) {
    }

    /** Calls whose subject is a descriptor the caller works with; a child that makes none on a connection does not serve it. */
    private static final Set<String> USES = Set.of(Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND, Kinds.CLOSE,
            "shutdown", "dup");

    private final Map<ExecProcess, List<Conn>> byImage = new IdentityHashMap<>();
    private final Map<ExecProcess, Index> indexes = new IdentityHashMap<>();
    private final Map<ExecProcess, Uses> uses = new IdentityHashMap<>();

    private Index index(ExecProcess img) {
        return indexes.computeIfAbsent(img, p -> {
            List<Span> accepts = new ArrayList<>(), forks = new ArrayList<>();
            Map<Long, List<Span>> closes = new HashMap<>();
            for (ExecThread t : p.threads()) {
                for (Span s : t.spans()) {
                    switch (s.kind()) {
                        case Kinds.ACCEPT -> {
                            if (!s.running() && s.endRef() >= 0 && s.result() >= 0) {
                                accepts.add(s);
                            }
                        }
                        case Kinds.FORK -> {
                            if (!s.running() && s.endRef() >= 0 && s.result() > 0) {
                                forks.add(s);
                            }
                        }
                        case Kinds.CLOSE -> closes.computeIfAbsent(s.subject(), k -> new ArrayList<>()).add(s);
                        default -> {
                        }
                    }
                }
            }
            Map<Long, Calls> byFd = new HashMap<>();
            closes.forEach((fd, l) -> byFd.put(fd, new Calls(l, false)));
            return new Index(new Calls(accepts, true), new Calls(forks, true), byFd);
        });
    }

    private Uses uses(ExecProcess img) {
        return uses.computeIfAbsent(img, p -> {
            // I/O calls the model counted rather than kept as spans (past its budget) touched these too
            Set<Long> touched = new HashSet<>(p.countedDescriptors());
            Map<Long, List<Span>> endOfFile = new HashMap<>();
            for (ExecThread t : p.threads()) {
                for (Span s : t.spans()) {
                    if (USES.contains(s.kind())) {
                        touched.add(s.subject());
                    }
                    if ((s.kind().equals(Kinds.READ) || s.kind().equals(Kinds.RECV)) && !s.running() && s.endRef() >= 0
                            && s.result() == 0) {
                        endOfFile.computeIfAbsent(s.subject(), k -> new ArrayList<>()).add(s);
                    }
                }
            }
            Map<Long, List<Span>> writes = new HashMap<>();
            if (!endOfFile.isEmpty()) {
                for (ExecThread t : p.threads()) {
                    for (Span s : t.spans()) {
                        if ((s.kind().equals(Kinds.WRITE) || s.kind().equals(Kinds.SEND))
                                && endOfFile.containsKey(s.subject())) {
                            writes.computeIfAbsent(s.subject(), k -> new ArrayList<>()).add(s);
                        }
                    }
                }
            }
            Map<Long, Calls> eofByFd = new HashMap<>(), writesByFd = new HashMap<>();
            endOfFile.forEach((fd, l) -> eofByFd.put(fd, new Calls(l, true)));
            writes.forEach((fd, l) -> writesByFd.put(fd, new Calls(l, false)));
            return new Uses(touched, eofByFd, writesByFd);
        });
    }

    List<Conn> of(ExecProcess img) {
        List<Conn> done = byImage.get(img);
        if (done != null) {
            return done;
        }
        List<Conn> out = new ArrayList<>();
        // copies inherited from the parent at fork time (exec'd images: close-on-exec is not recorded, so none)
        if (img.origin() == ExecProcess.Origin.FORK && img.parent().isPresent()) {
            long forked = img.forkRequestTs();
            for (Conn c : of(img.parent().get())) {
                if (c.openAt(forked)) {
                    out.add(new Conn(img, c.fd(), c.accept(), img.startNs(), closeAfter(img, c.fd(), img.startNs())));
                }
            }
        }
        for (Span a : index(img).accepts().spans) {
            out.add(new Conn(img, a.result(), a, a.end(), closeAfter(img, a.result(), a.end())));
        }
        byImage.put(img, out);
        return out;
    }

    /** When the process closed fd at or after ts, or Long.MAX_VALUE. */
    private long closeAfter(ExecProcess img, long fd, long ts) {
        Calls closes = index(img).closesByFd().get(fd);
        if (closes == null) {
            return Long.MAX_VALUE;
        }
        int i = closes.from(ts, false);
        return i < closes.ts.length ? closes.ts[i] : Long.MAX_VALUE;
    }

    /** Forks looked at per connection: a server that forks for other work (redis's BGSAVE) is not rescanned forever. */
    private static final int FORKS_PER_CONNECTION = 64;

    /**
     * The first fork of the process that returned while c was open there and whose child works with c's descriptor
     * (reads, writes, closes or duplicates it, before or after an exec), or null. A child that never touches it was
     * forked for something else (redis's BGSAVE children inherit every client and serve none); a child that is not in
     * the trace cannot say, so its fork counts.
     */
    Span forkServing(ExecProcess img, Conn c) {
        Calls forks = index(img).forks();
        int limit = Math.min(forks.ts.length, forks.from(c.openTs(), true) + FORKS_PER_CONNECTION);
        for (int i = forks.from(c.openTs(), true); i < limit && c.openAt(forks.ts[i]); i++) {
            Span fork = forks.spans.get(i);
            ExecProcess child = childOf(img, fork);
            if (child == null || touches(child, c.fd())) {
                return fork;
            }
        }
        return null;
    }

    private static ExecProcess childOf(ExecProcess img, Span fork) {
        for (ExecProcess child : img.children()) {
            if (child.forkSpan().orElse(null) == fork
                    || child.pid() == fork.result() && child.startNs() >= fork.start()) {
                return child;
            }
        }
        return null;
    }

    /**
     * Whether the process closed its copy c after reading end-of-file on it and writing nothing more: the peer had
     * closed (or shut its sending side) first and waited for nothing from this side. Calls the model only counted
     * (past its budget) cannot say, so they give false.
     */
    boolean closedAfterPeer(Conn c) {
        if (c.closeTs() == Long.MAX_VALUE) {
            return false;
        }
        Uses idx = uses(c.image());
        Calls eof = idx.endOfFileByFd().get(c.fd());
        if (eof == null) {
            return false;
        }
        // the last end-of-file read of this connection before the close
        int i = eof.from(c.closeTs(), true) - 1;
        if (i < 0 || eof.ts[i] < c.openTs()) {
            return false;
        }
        Calls writes = idx.writesByFd().get(c.fd());
        if (writes == null) {
            return true;
        }
        int w = writes.from(eof.ts[i], false);
        return w >= writes.ts.length || writes.ts[w] >= c.closeTs();
    }

    /** Whether the process (or a program it exec'd) made any call on the connection's descriptor. */
    boolean used(Conn c) {
        return touches(c.image(), c.fd());
    }

    /** Whether the image, or a program it exec'd, made a call on fd. */
    private boolean touches(ExecProcess img, long fd) {
        for (ExecProcess p = img; p != null; p = p.execSuccessor().orElse(null)) {
            if (uses(p).touched().contains(fd)) {
                return true;
            }
        }
        return false;
    }

    /** The first connection accepted by the process after ts, or null. */
    Span acceptAfter(ExecProcess img, long ts) {
        Calls accepts = index(img).accepts();
        int i = accepts.from(ts, true);
        return i < accepts.ts.length ? accepts.spans.get(i) : null;
    }
}
