package interleave.engine.timeline;

import static interleave.engine.trace.RecordType.*;

import interleave.engine.trace.RecordType;
import interleave.engine.trace.ThreadTrace;

/** Short texts for spans and instants, made from the record's fields when asked (not stored per span). */
final class Describe {
    private Describe() {
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** A mutex or semaphore by the global variable at its address (the program's symbols), else its address. */
    static String name(TimelineModel m, ThreadTrace t, long addr) {
        if (m != null && t.image() != null) {
            return m.symbolizer().dataName(t.image(), addr).orElse(hex(addr));
        }
        return hex(addr);
    }

    /**
     * "mutex m1: 400000 locked without waiting, 12 waited; held 31.2 ms in total, longest 4.1 µs", and the waits and
     * releases the agent counted instead of writing (the LOCK_WAITS record after it).
     */
    static String lockSummary(TimelineModel m, ThreadTrace t, int i) {
        long n = t.arg(i, 1), waits = t.arg(i, 4) & 0xffffffffL, tryfails = t.arg(i, 4) >>> 32;
        StringBuilder sb = new StringBuilder();
        String what = null; // 1.5: a group of many locks taken at one call site
        if ((t.flags(i) & 4) != 0) {
            what = groupName(m, t, i);
        }
        if ((t.flags(i) & 1) != 0) {
            sb.append(what != null ? what : "semaphore " + name(m, t, t.arg(i, 0))).append(": ").append(n - waits)
                    .append(" waits without blocking, ").append(waits).append(" blocked, ").append(t.arg(i, 2))
                    .append(" posts");
        } else {
            sb.append(what != null ? what : "mutex " + name(m, t, t.arg(i, 0))).append(": ").append(n - waits)
                    .append(" locked without waiting, ").append(waits).append(" waited; ");
            if ((t.flags(i) & 2) != 0) {
                sb.append("hold times not measured");
            } else {
                sb.append("held ").append(duration(t.arg(i, 2))).append(" in total, longest ")
                        .append(duration(t.arg(i, 3)));
            }
        }
        if (tryfails > 0) {
            sb.append(", ").append(tryfails).append(" failed try");
        }
        int w = i + 1; // the counted waits of the same window follow at once (format 1.4)
        if (w < t.size() && t.type(w) == LOCK_WAITS && t.arg(w, 0) == t.arg(i, 0)) {
            sb.append("; ").append(waitCounts(t.arg(w, 1), t.arg(w, 2), t.arg(w, 3), t.arg(w, 4),
                    (t.flags(i) & 1) != 0));
        }
        return sb.toString();
    }

    /**
     * "4096 mutexes taken at bucket_lock (t_manylocks.c:22), 0x7f..-0x7f..": the group a LOCK_STATS with flag 4 sums
     * up, from the LOCK_GROUP that follows it (after its LOCK_WAITS, if any).
     */
    static String groupName(TimelineModel m, ThreadTrace t, int i) {
        boolean sem = (t.flags(i) & 1) != 0;
        long locks = 0, lo = t.arg(i, 0), hi = lo;
        for (int g = i + 1; g <= i + 2 && g < t.size(); g++) {
            if (t.type(g) == LOCK_GROUP && t.ra(g) == t.ra(i) && t.arg(g, 0) == t.arg(i, 0)) {
                lo = t.arg(g, 0);
                hi = t.arg(g, 1);
                locks = t.arg(g, 2);
                break;
            }
        }
        long ra = t.ra(i);
        String site = ra == 0 ? "many call sites" : m.symbolizer().symbolize(t.image(), ra, true).describe();
        return (locks > 0 ? locks + " " : "many ") + (sem ? "semaphores" : "mutexes") + " taken at " + site + " (" + hex(lo)
                + "-" + hex(hi) + ")";
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

    /** What a call was about, from its ENTER record. */
    static String call(TimelineModel m, ThreadTrace t, int i) {
        return switch (t.type(i)) {
            case ACCEPT -> "listening fd " + t.arg(i, 0);
            case CONNECT, READ, WRITE, RECV, SEND -> "fd " + t.arg(i, 0);
            case SELECT -> "nfds " + t.arg(i, 0);
            case POLL -> "nfds " + t.arg(i, 0) + (t.arg(i, 2) >= 0 ? ", first fd " + t.arg(i, 2) : "");
            case EPOLL_WAIT -> "epoll fd " + t.arg(i, 0);
            case MUTEX_LOCK -> "mutex " + name(m, t, t.arg(i, 0)) + (t.arg(i, 1) > 0 ? ", held by tid " + t.arg(i, 1) : "");
            case COND_WAIT -> "cond " + name(m, t, t.arg(i, 0)) + ", mutex " + name(m, t, t.arg(i, 1));
            case SEM_WAIT -> "sem " + name(m, t, t.arg(i, 0));
            case PTHREAD_JOIN -> switch (t.flags(i)) {
                case JOIN_TIMED -> "timed join, thread ";
                case JOIN_TRY -> "try join, thread ";
                case JOIN_CLOCK -> "clock join, thread ";
                default -> "thread ";
            } + hex(t.arg(i, 0));
            case WAIT -> t.arg(i, 0) == -1 ? "any child" : "pid " + t.arg(i, 0);
            case SLEEP -> t.arg(i, 0) + " ns";
            case SIGNAL_HANDLER -> RecordType.signalName((int) t.arg(i, 0))
                    + (t.arg(i, 3) != 0 ? " from pid " + t.arg(i, 3) : "");
            case MALLOC -> t.arg(i, 0) + " bytes";
            case RAISE -> RecordType.signalName((int) t.arg(i, 1));
            default -> "";
        };
    }

    /** "fd 4, cpu 1": the CPU the event ran on, when the trace has it (format 1.2). */
    static String withCpu(String detail, ThreadTrace t, int i) {
        int cpu = t.cpu(i);
        return cpu < 0 ? detail : detail.isEmpty() ? "cpu " + cpu : detail + ", cpu " + cpu;
    }

    /** The instant an event marks on its row, or null if it marks none. */
    static Instant instant(TimelineModel m, int row, ThreadTrace t, int i) {
        Instant in = instantOf(m, row, t, i);
        return in == null || t.cpu(i) < 0 ? in : new Instant(in.rowId(), in.timeNs(), in.kind(),
                withCpu(in.label(), t, i));
    }

    private static Instant instantOf(TimelineModel m, int row, ThreadTrace t, int i) {
        int type = t.type(i), phase = t.phase(i);
        long at = m.time(t.ts(i));
        return switch (type) {
            case PROC_START -> new Instant(row, at, Instant.Kind.PROCESS_START,
                    "start " + t.string(i, S_ARGV).map(s -> s.text()).orElse(""));
            case FORK_CHILD -> new Instant(row, at, Instant.Kind.PROCESS_START, "forked from pid " + t.arg(i, 0));
            case FORK -> phase == EXIT ? new Instant(row, at, Instant.Kind.FORK,
                    t.err(i) == 0 && t.arg(i, 0) > 0 ? "fork → pid " + t.arg(i, 0) : "fork failed") : null;
            case EXEC -> phase == ENTER ? new Instant(row, at, Instant.Kind.EXEC,
                    "exec " + t.string(i, S_EXEC_PATH).map(s -> s.text()).orElse("")) : null;
            case ACCEPT -> phase == EXIT && t.arg(i, 3) >= 0
                    ? new Instant(row, at, Instant.Kind.ACCEPT, "accept → fd " + t.arg(i, 3)) : null;
            case CLOSE -> new Instant(row, at, Instant.Kind.CLOSE, "close fd " + t.arg(i, 0));
            case KILL -> new Instant(row, at, Instant.Kind.SIGNAL_SENT,
                    "kill(" + t.arg(i, 0) + ", " + RecordType.signalName((int) t.arg(i, 1)) + ")");
            case PTHREAD_KILL -> new Instant(row, at, Instant.Kind.SIGNAL_SENT,
                    "pthread_kill(" + hex(t.arg(i, 0)) + ", " + RecordType.signalName((int) t.arg(i, 1)) + ")");
            case SIGNAL_HANDLER -> phase == ENTER ? new Instant(row, at, Instant.Kind.SIGNAL_DELIVERED,
                    RecordType.signalName((int) t.arg(i, 0)) + " delivered") : null;
            case WAIT -> phase == EXIT && t.arg(i, 2) > 0
                    ? new Instant(row, at, Instant.Kind.REAP, "reaped pid " + t.arg(i, 2)) : null;
            case PROC_EXIT -> new Instant(row, at, Instant.Kind.EXIT, "exit(" + t.arg(i, 0) + ")");
            case THREAD_CREATE -> phase == EXIT && t.err(i) == 0
                    ? new Instant(row, at, Instant.Kind.THREAD_CREATE, "create thread " + hex(t.arg(i, 0))) : null;
            case THREAD_START -> new Instant(row, at, Instant.Kind.THREAD_START, "thread start");
            case THREAD_EXIT -> new Instant(row, at, Instant.Kind.THREAD_EXIT, "thread exit");
            case PTHREAD_DETACH -> new Instant(row, at, Instant.Kind.DETACH, "detach " + hex(t.arg(i, 0)));
            case LOCK_STATS -> new Instant(row, at, Instant.Kind.LOCK_SUMMARY, lockSummary(m, t, i));
            default -> null;
        };
    }
}
