package interleave.engine.timeline;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.events.Attributes;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Kinds;
import interleave.engine.events.Signals;
import interleave.engine.events.Span;
import interleave.engine.trace.ProcessImage;

/**
 * Short texts for spans and instants, made from the execution-event model when asked (not stored per span), and the
 * instants each thread's spans and moments mark on its row.
 */
final class Describe {
    private Describe() {
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** A mutex or semaphore by the global variable at its address (the program's symbols), else its address. */
    static String name(TimelineModel m, ExecProcess p, long addr) {
        return m != null ? m.dataName(p, addr) : hex(addr);
    }

    /**
     * "mutex m1: 400000 locked without waiting, 12 waited; held 31.2 ms in total, longest 4.1 µs", and the waits and
     * releases the agent counted instead of writing (format 1.4).
     */
    static String lockSummary(TimelineModel m, interleave.engine.events.Instant i) {
        Attributes a = i.attributes();
        long n = a.number(Attributes.ACQUISITIONS, 0), waits = a.number(Attributes.CONTENDED, 0),
                tryfails = a.number(Attributes.FAILED_TRIES, 0);
        String lock = name(m, i.thread().process(), i.subject());
        StringBuilder sb = new StringBuilder();
        boolean sem = a.text(Attributes.LOCK_TYPE).orElse("mutex").equals("semaphore");
        // 1.5: the counts of a group of many locks taken at one call site
        String what = a.has(Attributes.GROUP_LOCKS) ? groupName(m, i, sem) : (sem ? "semaphore " : "mutex ") + lock;
        if (sem) {
            sb.append(what).append(": ").append(n - waits).append(" waits without blocking, ")
                    .append(waits).append(" blocked, ").append(a.number(Attributes.POSTS, 0)).append(" posts");
        } else {
            sb.append(what).append(": ").append(n - waits).append(" locked without waiting, ")
                    .append(waits).append(" waited; ");
            if (!a.has(Attributes.HOLD_NS)) {
                sb.append("hold times not measured");
            } else {
                sb.append("held ").append(duration(a.number(Attributes.HOLD_NS, 0))).append(" in total, longest ")
                        .append(duration(a.number(Attributes.LONGEST_HOLD_NS, 0)));
            }
        }
        if (tryfails > 0) {
            sb.append(", ").append(tryfails).append(" failed try");
        }
        if (a.has(Attributes.COUNTED_WAITS)) {
            String counted = waitCounts(a.number(Attributes.COUNTED_WAITS, 0), a.number(Attributes.COUNTED_WAIT_NS, 0),
                    a.number(Attributes.LONGEST_COUNTED_WAIT_NS, 0), a.number(Attributes.COUNTED_HANDOFFS, 0),
                    a.text(Attributes.LOCK_TYPE).orElse("mutex").equals("semaphore"));
            if (!counted.isEmpty()) {
                sb.append("; ").append(counted);
            }
        }
        return sb.toString();
    }

    /**
     * "4096 mutexes taken at bucket_lock (t_manylocks.c:22) (0x7f..-0x7f..)": the group that lock counts with
     * {@link Attributes#GROUP_LOCKS} sum up; the lowest lock is the instant's subject.
     */
    static String groupName(TimelineModel m, interleave.engine.events.Instant i, boolean sem) {
        Attributes a = i.attributes();
        long locks = a.number(Attributes.GROUP_LOCKS, 0), lo = i.subject(), hi = a.number(Attributes.GROUP_HIGH, lo);
        ProcessImage image = m == null ? null : m.image(i.thread().process());
        String site = i.site() == 0 ? "many call sites"
                : image == null ? hex(i.site()) : m.symbolizer().symbolize(image, i.site(), true).describe();
        return (locks > 0 ? locks + " " : "many ") + (sem ? "semaphores" : "mutexes") + " taken at " + site + " ("
                + hex(lo) + "-" + hex(hi) + ")";
    }

    /**
     * "190 short waits not drawn (54.2 ms in total, longest 3.3 ms), 169 releases to a waiting thread counted" (the
     * releases include those that ended a drawn wait: their hand-off is drawn too).
     */
    static String waitCounts(long waits, long waitNs, long longestNs, long handoffs, boolean semaphore) {
        StringBuilder sb = new StringBuilder();
        if (waits > 0) {
            sb.append(waits).append(waits == 1 ? " short wait" : " short waits").append(" not drawn (")
                    .append(duration(waitNs)).append(" in total, longest ").append(duration(longestNs)).append(')');
        }
        if (handoffs > 0) {
            sb.append(waits > 0 ? ", " : "").append(handoffs).append(semaphore ? " posts" : " releases")
                    .append(" to a waiting thread counted");
        }
        return sb.toString();
    }

    static String duration(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        return String.format(java.util.Locale.ROOT, "%.1f ms", ns / 1e6);
    }

    /** What a call was about, from the span's subject, peer and attributes. */
    static String call(TimelineModel m, Span s) {
        ExecProcess p = s.thread().process();
        long x = s.subject();
        return switch (s.kind()) {
            case Kinds.ACCEPT -> "listening fd " + x;
            case Kinds.CONNECT, Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND -> "fd " + x;
            case Kinds.SELECT -> "nfds " + x;
            case Kinds.POLL -> "nfds " + s.attributes().number(Attributes.NFDS, 0) + (x >= 0 ? ", first fd " + x : "");
            case Kinds.EPOLL_WAIT -> "epoll fd " + x;
            case Kinds.LOCK_WAIT -> "mutex " + name(m, p, x) + (s.peer() > 0 ? ", held by tid " + s.peer() : "");
            case Kinds.COND_WAIT -> "cond " + name(m, p, x) + ", mutex "
                    + name(m, p, s.attributes().number(Attributes.MUTEX, 0));
            case Kinds.SEM_WAIT -> "sem " + name(m, p, x);
            case Kinds.THREAD_JOIN -> switch (s.name()) {
                case "pthread_timedjoin_np" -> "timed join, thread ";
                case "pthread_tryjoin_np" -> "try join, thread ";
                case "pthread_clockjoin_np" -> "clock join, thread ";
                default -> "thread ";
            } + hex(x);
            case Kinds.PROCESS_WAIT -> x == -1 ? "any child" : "pid " + x;
            case Kinds.SLEEP -> x + " ns";
            case Kinds.SIGNAL_HANDLER -> Signals.name((int) x) + (s.peer() != 0 ? " from pid " + s.peer() : "");
            case Kinds.MALLOC -> x + " bytes";
            case Kinds.RAISE -> Signals.name((int) x);
            default -> "";
        };
    }

    /** "fd 4, cpu 1": the CPU the event ran on, when the source recorded it. */
    static String withCpu(String detail, int cpu) {
        return cpu < 0 ? detail : detail.isEmpty() ? "cpu " + cpu : detail + ", cpu " + cpu;
    }

    /**
     * What an instant of the timeline stands for in the model: a span's start or end (fork → pid is the end of the
     * fork call), or a moment of the model.
     */
    record Origin(Span span, boolean atEnd, interleave.engine.events.Instant moment, long ts, long ref, int cpu) {
    }

    /** A timeline instant with what it stands for. */
    record Marked(Instant instant, Origin origin) {
    }

    /** The instants the thread's spans and moments mark on its row, in time order (then in the source's order). */
    static List<Marked> instants(TimelineModel m, int row, ExecThread x) {
        return instants(m, row, x.spans(), x.instants());
    }

    /** The instants that some of a thread's spans and moments mark, in time order (then in the source's order). */
    static List<Marked> instants(TimelineModel m, int row, List<Span> spans,
            List<interleave.engine.events.Instant> moments) {
        List<Marked> out = new ArrayList<>();
        for (Span s : spans) {
            boolean entered = s.ref() != s.endRef(); // began with its own record, not a call measured in one
            boolean exited = entered && s.endRef() >= 0; // its end record was read
            switch (s.kind()) {
                case Kinds.FORK -> {
                    if (exited) {
                        add(m, out, row, s, true, Instant.Kind.FORK, s.err() == 0 && s.result() > 0
                                ? "fork → pid " + s.result() : "fork failed");
                    }
                }
                case Kinds.EXEC -> {
                    if (entered) {
                        add(m, out, row, s, false, Instant.Kind.EXEC,
                                "exec " + s.attributes().text(Attributes.PATH).orElse(""));
                    }
                }
                case Kinds.ACCEPT -> {
                    if (exited && s.result() >= 0) {
                        add(m, out, row, s, true, Instant.Kind.ACCEPT, "accept → fd " + s.result());
                    }
                }
                case Kinds.CLOSE -> add(m, out, row, s, false, Instant.Kind.CLOSE, "close fd " + s.subject());
                case Kinds.SIGNAL_SENT -> {
                    if (s.name().equals("kill")) {
                        add(m, out, row, s, false, Instant.Kind.SIGNAL_SENT,
                                "kill(" + s.subject() + ", " + Signals.name(s.flags()) + ")");
                    } else if (s.name().equals("pthread_kill")) {
                        add(m, out, row, s, false, Instant.Kind.SIGNAL_SENT,
                                "pthread_kill(" + hex(s.subject()) + ", " + Signals.name(s.flags()) + ")");
                    }
                }
                case Kinds.SIGNAL_HANDLER -> {
                    if (entered) {
                        add(m, out, row, s, false, Instant.Kind.SIGNAL_DELIVERED,
                                Signals.name((int) s.subject()) + " delivered");
                    }
                }
                case Kinds.PROCESS_WAIT -> {
                    if (exited && s.result() > 0) {
                        add(m, out, row, s, true, Instant.Kind.REAP, "reaped pid " + s.result());
                    }
                }
                case Kinds.THREAD_CREATE -> {
                    if (exited && s.err() == 0) {
                        add(m, out, row, s, true, Instant.Kind.THREAD_CREATE, "create thread " + hex(s.result()));
                    }
                }
                default -> {
                    // calls the timeline draws as spans only
                }
            }
        }
        for (interleave.engine.events.Instant i : moments) {
            String label;
            Instant.Kind kind;
            switch (i.kind()) {
                case Kinds.PROCESS_START -> {
                    kind = Instant.Kind.PROCESS_START;
                    label = "start " + i.attributes().text(Attributes.ARGV).orElse("");
                }
                case Kinds.FORKED -> {
                    kind = Instant.Kind.PROCESS_START;
                    label = "forked from pid " + i.subject();
                }
                case Kinds.PROCESS_EXIT -> {
                    kind = Instant.Kind.EXIT;
                    label = "exit(" + i.subject() + ")";
                }
                case Kinds.THREAD_START -> {
                    kind = Instant.Kind.THREAD_START;
                    label = "thread start";
                }
                case Kinds.THREAD_END -> {
                    kind = Instant.Kind.THREAD_EXIT;
                    label = "thread exit";
                }
                case Kinds.DETACH -> {
                    kind = Instant.Kind.DETACH;
                    label = "detach " + hex(i.subject());
                }
                case Kinds.LOCK_COUNTS -> {
                    kind = Instant.Kind.LOCK_SUMMARY;
                    label = lockSummary(m, i);
                }
                default -> {
                    continue;
                }
            }
            Origin o = new Origin(null, false, i, i.ts(), i.ref(), i.cpu());
            out.add(new Marked(new Instant(row, m.time(i.ts()), kind, withCpu(label, i.cpu())), o));
        }
        // the order the source read them in: by time, then by its reference (the agent: the record's slot)
        out.sort((a, b) -> a.origin().ts() != b.origin().ts() ? Long.compare(a.origin().ts(), b.origin().ts())
                : Long.compare(a.origin().ref(), b.origin().ref()));
        return out;
    }

    private static void add(TimelineModel m, List<Marked> out, int row, Span s, boolean atEnd, Instant.Kind kind,
            String label) {
        long ts = atEnd ? s.end() : s.start();
        int cpu = atEnd ? s.endCpu() : s.cpu();
        Origin o = new Origin(s, atEnd, null, ts, atEnd ? s.endRef() : s.ref(), cpu);
        out.add(new Marked(new Instant(row, m.time(ts), kind, withCpu(label, cpu)), o));
    }
}
