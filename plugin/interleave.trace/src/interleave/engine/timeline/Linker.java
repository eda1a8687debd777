package interleave.engine.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Kinds;
import interleave.engine.events.Span;
import interleave.engine.events.Signals;

/**
 * Finds the arrows of a run: each kind is matched inside the process images it can concern, from the spans each lane
 * keeps for them (accepts, closes, signals sent and handled: {@code TimelineModel.linkSpans}), not from all spans.
 */
final class Linker {
    private final TimelineModel m;
    private final List<Arrow> out;

    Linker(TimelineModel m, List<Arrow> out) {
        this.m = m;
        this.out = out;
    }

    void link() {
        for (ExecProcess p : m.events().processes()) {
            forkArrow(p);
            for (ExecThread t : p.threads()) {
                createArrow(t);
            }
            lockHandoffs(p);
            connections(p);
            reapsAndSigchld(p);
        }
        kills();
    }

    private void add(ExecThread from, long fromTs, ExecThread to, long toTs, Arrow.Kind kind, String label) {
        out.add(new Arrow(m.rowOf(from), m.time(fromTs), m.rowOf(to), m.time(toTs), kind, label));
    }

    /** The parent's fork → the child's first event; from when the parent asked, else when its fork returned. */
    private void forkArrow(ExecProcess child) {
        ExecThread parent = child.forkingThread().orElse(null);
        ExecThread main = child.mainThread().orElse(null);
        if (child.origin() != ExecProcess.Origin.FORK || parent == null || main == null || main.eventCount() == 0) {
            return;
        }
        long from = child.forkRequestSeen() ? child.forkRequestTs()
                : child.forkSpan().filter(s -> !s.running()).map(Span::end).orElse(main.firstTs());
        add(parent, from, main, main.firstTs(), Arrow.Kind.FORK, "fork → pid " + child.pid());
    }

    /** The creator's pthread_create → the new thread's first event. */
    private void createArrow(ExecThread t) {
        ExecThread c = t.creator().orElse(null);
        if (c == null || t.eventCount() == 0) {
            return;
        }
        long from = t.createTs() >= 0 ? t.createTs() : t.firstTs();
        add(c, from, t, t.firstTs(), Arrow.Kind.CREATE, "pthread_create → tid " + t.tid());
    }

    /** The model's lock hand-offs of the image: each release followed by another thread's acquisition. */
    private void lockHandoffs(ExecProcess p) {
        for (interleave.engine.events.Lock l : p.locks()) {
            for (interleave.engine.events.Lock.Handoff h : l.handoffs()) {
                add(h.from(), h.releasedTs(), h.to(), h.acquiredTs(), Arrow.Kind.LOCK_HANDOFF,
                        "mutex " + m.dataName(p, l.address()));
            }
        }
    }

    /**
     * accept → the close of that descriptor in the accepting process, and → its first close in each child forked
     * while it was open (the child's copy of the connection). Read from the event model, each process's closes
     * indexed by descriptor once: linear in the connections, where scanning a process's events for each accepted
     * connection took minutes on a server's trace.
     */
    private void connections(ExecProcess p) {
        List<Span> accepts = new ArrayList<>();
        for (ExecThread t : p.threads()) {
            for (Span s : m.linkSpans(t)) {
                if (s.kind().equals(Kinds.ACCEPT) && s.endRef() >= 0 && s.result() >= 0) {
                    accepts.add(s);
                }
            }
        }
        if (accepts.isEmpty()) {
            return;
        }
        accepts.sort(Comparator.comparingLong(Span::end));
        List<ExecProcess> forked = new ArrayList<>();
        for (ExecProcess c : p.children()) {
            if (c.origin() == ExecProcess.Origin.FORK) {
                forked.add(c);
            }
        }
        forked.sort(Comparator.comparingLong(ExecProcess::forkRequestTs));
        long[] forkedAt = forked.stream().mapToLong(ExecProcess::forkRequestTs).toArray();
        for (Span a : accepts) {
            long fd = a.result(), acceptTs = a.end();
            ExecThread from = a.thread();
            Span close = firstClose(p, fd, acceptTs);
            long closedAt = Long.MAX_VALUE;
            if (close != null) {
                add(from, acceptTs, close.thread(), close.start(), Arrow.Kind.CONNECTION,
                        "connection fd " + fd);
                closedAt = close.start();
            }
            int i = java.util.Arrays.binarySearch(forkedAt, acceptTs);
            i = i < 0 ? -i - 1 : i;
            while (i > 0 && forkedAt[i - 1] == acceptTs) {
                i--;
            }
            List<ExecProcess> copies = new ArrayList<>();
            for (; i < forkedAt.length && forkedAt[i] <= closedAt; i++) {
                copies.add(forked.get(i));
            }
            copies.sort(Comparator.comparingLong(ExecProcess::startNs));
            for (ExecProcess child : copies) {
                Span c = firstClose(child, fd, Long.MIN_VALUE);
                if (c != null) {
                    add(from, acceptTs, c.thread(), c.start(), Arrow.Kind.CONNECTION,
                            "connection fd " + fd + " (child's copy)");
                }
            }
        }
    }

    private final Map<ExecProcess, Map<Long, List<Span>>> closes = new java.util.IdentityHashMap<>();

    /** The first close of fd in the process at or after ts, or null. */
    private Span firstClose(ExecProcess p, long fd, long ts) {
        List<Span> l = closes.computeIfAbsent(p, k -> {
            Map<Long, List<Span>> byFd = new HashMap<>();
            for (ExecThread t : k.threads()) {
                for (Span s : m.linkSpans(t)) {
                    if (s.kind().equals(Kinds.CLOSE)) {
                        byFd.computeIfAbsent(s.subject(), x -> new ArrayList<>()).add(s);
                    }
                }
            }
            byFd.values().forEach(x -> x.sort(Comparator.comparingLong(Span::start)));
            return byFd;
        }).get(fd);
        if (l == null) {
            return null;
        }
        for (Span s : l) { // a descriptor is closed a few times at most: reused numbers
            if (s.start() >= ts) {
                return s;
            }
        }
        return null;
    }

    /** child exit → the wait that reaped it; child exit → the SIGCHLD handler run it caused. */
    private void reapsAndSigchld(ExecProcess parent) {
        Map<Long, List<Span>> sigchldBySender = null;
        for (ExecProcess child : parent.children()) {
            ExecProcess last = child.lastImage();
            interleave.engine.events.Instant exit = last.exitInstant().orElse(null);
            ExecThread exitThread = exit != null ? exit.thread() : last.mainThread().orElse(null);
            if (exitThread == null) {
                continue;
            }
            long exitTs = exit != null ? exit.ts() : last.lastTs();
            // the earliest reap and SIGCHLD delivery naming this child after it exited (the model indexes reaps)
            interleave.engine.events.Instant reap = parent.reapOf(child.pid(), exitTs);
            if (sigchldBySender == null) {
                sigchldBySender = new HashMap<>();
                for (ExecThread t : parent.threads()) {
                    for (Span s : m.linkSpans(t)) {
                        if (s.kind().equals(Kinds.SIGNAL_HANDLER) && s.subject() == Signals.SIGCHLD
                                && s.peer() > 0) {
                            sigchldBySender.computeIfAbsent(s.peer(), k -> new ArrayList<>()).add(s);
                        }
                    }
                }
            }
            Span handler = null;
            for (Span s : sigchldBySender.getOrDefault((long) child.pid(), List.of())) {
                if (s.start() >= exitTs && (handler == null || s.start() < handler.start())) {
                    handler = s;
                }
            }
            ExecThread from = exitThread;
            if (reap != null) {
                add(from, exitTs, reap.thread(), reap.ts(), Arrow.Kind.REAP, "reap pid " + child.pid());
            }
            if (handler != null) {
                add(from, exitTs, handler.thread(), handler.start(), Arrow.Kind.SIGNAL,
                        "SIGCHLD for pid " + child.pid());
            }
        }
    }

    /** kill(pid, sig) → the first run of that signal's handler in the target that names the sender. */
    private void kills() {
        Map<Integer, List<Span>> handlersByPid = null;
        for (ExecThread t : m.events().threads()) {
            for (Span k : m.linkSpans(t)) {
                if (!k.kind().equals(Kinds.SIGNAL_SENT) || !k.name().equals("kill") || k.result() != 0) {
                    continue;
                }
                if (handlersByPid == null) {
                    handlersByPid = new HashMap<>();
                    for (ExecThread h : m.events().threads()) {
                        for (Span s : m.linkSpans(h)) {
                            if (s.kind().equals(Kinds.SIGNAL_HANDLER) && s.peer() > 0) {
                                handlersByPid.computeIfAbsent(h.pid(), x -> new ArrayList<>()).add(s);
                            }
                        }
                    }
                }
                int target = (int) k.subject();
                long signo = k.flags(), sent = k.start();
                Span best = null;
                for (Span h : handlersByPid.getOrDefault(target, List.of())) {
                    if (h.subject() == signo && h.peer() == t.pid() && h.start() >= sent
                            && (best == null || h.start() < best.start())) {
                        best = h;
                    }
                }
                if (best != null) {
                    add(t, sent, best.thread(), best.start(), Arrow.Kind.SIGNAL, Signals.name((int) signo));
                }
            }
        }
    }
}
