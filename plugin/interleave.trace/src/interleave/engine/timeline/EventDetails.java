package interleave.engine.timeline;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.trace.RecordType;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.ThreadTrace;

/**
 * One event of the timeline told in full, for a details pane and for Go to Source: the call, its thread, when and how
 * long, its arguments by name (locks by their variable), what it returned, its errno, the source line of its caller and
 * the arrows that start or end at it. Found from a span or an instant the view shows, through the model's thread and
 * the event's time (the model keeps no event index per span), so it reads the model's public API only.
 *
 * @param call       the function, e.g. {@code pthread_mutex_lock}, {@code read}; "running" for the time between calls
 * @param durationNs how long the call lasted, -1 for an instant
 * @param unfinished the call had not returned when the trace ended
 * @param source     where the call was made (its return address, symbolized); empty without a return address
 * @param related    arrows with an end inside this event (lock hand-off, fork, signal, connection, reap)
 */
public record EventDetails(int rowId, int pid, int tid, String call, long timeNs, long durationNs, boolean unfinished,
        List<Field> fields, Optional<Symbolizer.SourceLine> source, List<Arrow> related) {

    /** An argument, result or error by name: {@code fd = 4}, {@code mutex = m1}, {@code errno = EINTR (4)}. */
    public record Field(String name, String value) {
    }

    /** The event behind a span: its ENTER record (with its EXIT's result), or the running stretch it stands for. */
    public static EventDetails of(TimelineModel m, StateSpan s) {
        ThreadTrace t = m.thread(s.rowId()).orElse(null);
        int enter = t == null || s.state() == State.RUNNING ? -1 : find(m, t, s.startNs(), i -> t.phase(i) == ENTER
                && TimelineModel.stateOf(t.type(i)) == s.state());
        long duration = s.endNs() - s.startNs();
        Row row = m.row(s.rowId());
        List<Arrow> related = related(m, s.rowId(), s.startNs(), s.endNs());
        if (enter < 0) {
            List<Field> fields = new ArrayList<>();
            fields.add(new Field("state", s.state().description()));
            if (!s.detail().isEmpty()) {
                fields.add(new Field("detail", s.detail()));
            }
            return new EventDetails(s.rowId(), row.pid(), row.tid(),
                    s.state() == State.RUNNING ? "running" : s.state().description(), s.startNs(), duration,
                    s.unfinished(), fields, Optional.empty(), related);
        }
        int exit = s.unfinished() ? -1 : find(m, t, s.endNs(), i -> t.phase(i) == EXIT && t.type(i) == t.type(enter));
        List<Field> fields = new ArrayList<>();
        arguments(m, t, enter, fields);
        if (exit >= 0) {
            result(m, t, exit, fields);
            errno(t, exit, fields);
        }
        if (t.cpu(enter) >= 0) {
            fields.add(new Field("cpu", Integer.toString(t.cpu(enter))));
        }
        return new EventDetails(s.rowId(), t.pid(), t.tid(), function(t, enter), s.startNs(), duration,
                s.unfinished(), fields, source(m, t, enter), related);
    }

    /** The record behind an instant (fork, accept, close, kill, exit, ...). */
    public static EventDetails of(TimelineModel m, Instant in) {
        ThreadTrace t = m.thread(in.rowId()).orElse(null);
        int row = in.rowId();
        int i = t == null ? -1 : find(m, t, in.timeNs(), k -> {
            Instant d = Describe.instant(m, row, t, k);
            return d != null && d.kind() == in.kind();
        });
        Row r = m.row(row);
        List<Arrow> related = related(m, row, in.timeNs(), in.timeNs());
        if (i < 0) {
            return new EventDetails(row, r.pid(), r.tid(), in.kind().name().toLowerCase(), in.timeNs(), -1, false,
                    List.of(new Field("event", in.label())), Optional.empty(), related);
        }
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("event", in.label()));
        long duration = -1;
        int enter = -1;
        if (t.phase(i) == EXIT) { // accept → fd, fork → pid: the call that returned, its arguments from its ENTER
            for (int k = i - 1; k >= 0; k--) {
                if (t.type(k) == t.type(i) && t.phase(k) == ENTER) {
                    enter = k;
                    duration = t.ts(i) - t.ts(k);
                    break;
                }
            }
        }
        arguments(m, t, t.phase(i) == EXIT ? enter : i, fields);
        result(m, t, i, fields);
        errno(t, i, fields);
        if (t.cpu(i) >= 0) {
            fields.add(new Field("cpu", Integer.toString(t.cpu(i))));
        }
        return new EventDetails(row, t.pid(), t.tid(), function(t, i), in.timeNs(), duration, false, fields,
                source(m, t, i), related);
    }

    /** The source line of the caller, when addr2line gave one. */
    public Optional<Symbolizer.SourceLine> sourceLine() {
        return source.filter(Symbolizer.SourceLine::hasLine);
    }

    private interface IndexTest {
        boolean test(int i);
    }

    /** First event of the thread at exactly timeNs (model time) that passes the test, -1 if none. */
    private static int find(TimelineModel m, ThreadTrace t, long timeNs, IndexTest test) {
        long ts = m.originNs() + timeNs;
        int lo = 0, hi = t.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t.ts(mid) < ts) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int i = lo; i < t.size() && t.ts(i) == ts; i++) {
            if (test.test(i)) {
                return i;
            }
        }
        return -1;
    }

    private static List<Arrow> related(TimelineModel m, int row, long from, long to) {
        List<Arrow> out = new ArrayList<>();
        for (Arrow a : m.arrows(from, to)) {
            boolean fromHere = a.fromRow() == row && a.fromNs() >= from && a.fromNs() <= to;
            boolean toHere = a.toRow() == row && a.toNs() >= from && a.toNs() <= to;
            if (fromHere || toHere) {
                out.add(a);
            }
        }
        return out;
    }

    /** The function the program called, as it wrote it. */
    static String function(ThreadTrace t, int i) {
        int f = t.flags(i);
        return switch (t.type(i)) {
            case FORK -> f == 1 ? "vfork" : f == 2 ? "_Fork" : "fork";
            case FORK_CHILD -> "fork (child side)";
            case EXEC -> new String[] { "execve", "execv", "execvp", "execvpe", "execl", "execlp", "execle" }[
                    Math.min(f, 6)];
            case WAIT -> new String[] { "wait", "waitpid", "wait3", "wait4" }[Math.min(f, 3)];
            case THREAD_CREATE -> "pthread_create";
            case THREAD_START -> "thread start";
            case THREAD_EXIT -> "thread exit";
            case PTHREAD_EXIT -> "pthread_exit";
            case PTHREAD_JOIN -> new String[] { "pthread_join", "pthread_timedjoin_np", "pthread_tryjoin_np",
                    "pthread_clockjoin_np" }[Math.min(f, 3)];
            case PTHREAD_DETACH -> "pthread_detach";
            case MUTEX_LOCK -> (f & 1) != 0 ? "pthread_mutex_timedlock" : "pthread_mutex_lock";
            case MUTEX_UNLOCK -> "pthread_mutex_unlock";
            case COND_WAIT -> (f & 1) != 0 ? "pthread_cond_timedwait" : "pthread_cond_wait";
            case SEM_WAIT -> (f & 1) != 0 ? "sem_timedwait" : "sem_wait";
            case ACCEPT -> (f & 1) != 0 ? "accept4" : "accept";
            case RECV -> f == 1 ? "recvfrom" : "recv";
            case SEND -> f == 1 ? "sendto" : "send";
            case SELECT -> f == 1 ? "pselect" : "select";
            case POLL -> f == 1 ? "ppoll" : "poll";
            case EPOLL_WAIT -> f == 1 ? "epoll_pwait" : "epoll_wait";
            case SLEEP -> f == 1 ? "usleep" : f == 2 ? "nanosleep" : "sleep";
            case SIGNAL_HANDLER -> "signal handler";
            case PROC_START -> "program start";
            case PROC_EXIT -> switch (f) {
                case 2 -> "_exit";
                case 3 -> "_Exit";
                case 4 -> "return from main";
                default -> "exit";
            };
            case LOCK_STATS -> "lock statistics";
            case LOCK_WAITS -> "counted lock waits";
            case STDIO -> new String[] { "printf", "fprintf", "vprintf", "vfprintf", "puts", "fputs", "putchar",
                    "fputc", "fwrite", "fflush", "dprintf", "perror" }[Math.min(f, 11)];
            case MALLOC -> f == 1 ? "calloc" : f == 2 ? "realloc" : "malloc";
            default -> RecordType.name(t.type(i)).toLowerCase();
        };
    }

    private static void add(List<Field> out, String name, Object value) {
        out.add(new Field(name, String.valueOf(value)));
    }

    /** The arguments of a call by their names (trace format §5), from its ENTER (or CALL/POINT) record. */
    private static void arguments(TimelineModel m, ThreadTrace t, int i, List<Field> out) {
        if (i < 0) {
            return; // the ENTER of a call is not in the trace (entered before tracing began)
        }
        switch (t.type(i)) {
            case ACCEPT -> add(out, "listening fd", t.arg(i, 0));
            case CONNECT -> add(out, "fd", t.arg(i, 0));
            case READ, WRITE, RECV, SEND -> {
                add(out, "fd", t.arg(i, 0));
                add(out, "buffer", Describe.hex(t.arg(i, 1)));
                add(out, "count", t.arg(i, 2));
            }
            case CLOSE -> add(out, "fd", t.arg(i, 0));
            case SELECT -> {
                add(out, "nfds", t.arg(i, 0));
                add(out, "timeout", t.arg(i, 1) < 0 ? "none (blocks)" : Describe.duration(t.arg(i, 1)));
                add(out, "read set (fds 0-63)", Describe.hex(t.arg(i, 2)));
            }
            case POLL -> {
                add(out, "nfds", t.arg(i, 0));
                add(out, "timeout", t.arg(i, 1) < 0 ? "none (blocks)" : t.arg(i, 1) + " ms");
                if (t.arg(i, 2) >= 0) {
                    add(out, "first fd", t.arg(i, 2));
                }
            }
            case EPOLL_WAIT -> {
                add(out, "epoll fd", t.arg(i, 0));
                add(out, "maxevents", t.arg(i, 1));
                add(out, "timeout", t.arg(i, 2) < 0 ? "none (blocks)" : t.arg(i, 2) + " ms");
            }
            case MUTEX_LOCK, MUTEX_UNLOCK -> {
                add(out, "mutex", Describe.name(m, t, t.arg(i, 0)));
                if (t.type(i) == MUTEX_LOCK && t.phase(i) == ENTER && t.arg(i, 1) > 0) {
                    add(out, "held by", "tid " + t.arg(i, 1));
                }
            }
            case COND_WAIT -> {
                add(out, "cond", Describe.name(m, t, t.arg(i, 0)));
                add(out, "mutex", Describe.name(m, t, t.arg(i, 1)));
            }
            case SEM_WAIT, SEM_POST -> add(out, "sem", Describe.name(m, t, t.arg(i, 0)));
            case COND_SIGNAL, COND_BROADCAST -> add(out, "cond", Describe.name(m, t, t.arg(i, 0)));
            case PTHREAD_JOIN, PTHREAD_DETACH -> add(out, "thread", Describe.hex(t.arg(i, 0)));
            case WAIT -> {
                add(out, "pid", t.arg(i, 0) == -1 ? "-1 (any child)" : t.arg(i, 0));
                add(out, "options", t.arg(i, 1));
            }
            case SLEEP -> add(out, "requested", Describe.duration(t.arg(i, 0)));
            case EXEC -> {
                t.string(i, S_EXEC_PATH).ifPresent(s -> add(out, "path", s.text()));
                t.string(i, S_EXEC_ARGV).ifPresent(s -> add(out, "argv", s.text()));
            }
            case THREAD_CREATE, THREAD_START -> {
                long routine = t.arg(i, 0);
                String name = t.image() == null ? Describe.hex(routine)
                        : m.symbolizer().symbolize(t.image(), routine, false).functionName()
                                .orElse(Describe.hex(routine));
                add(out, "start routine", name);
                add(out, "arg", Describe.hex(t.arg(i, 1)));
            }
            case SIGNAL_HANDLER -> {
                add(out, "signal", RecordType.signalName((int) t.arg(i, 0)));
                if (t.arg(i, 3) != 0) {
                    add(out, "sent by pid", t.arg(i, 3));
                }
            }
            case KILL -> {
                add(out, "pid", t.arg(i, 0));
                add(out, "signal", RecordType.signalName((int) t.arg(i, 1)));
            }
            case PTHREAD_KILL -> {
                add(out, "thread", Describe.hex(t.arg(i, 0)));
                add(out, "signal", RecordType.signalName((int) t.arg(i, 1)));
            }
            case RAISE -> add(out, "signal", RecordType.signalName((int) t.arg(i, 1)));
            case MALLOC -> add(out, "size", t.arg(i, 0) + " bytes");
            case FREE -> add(out, "pointer", Describe.hex(t.arg(i, 0)));
            case PROC_START -> t.string(i, S_ARGV).ifPresent(s -> add(out, "argv", s.text()));
            case FORK_CHILD -> add(out, "parent pid", t.arg(i, 0));
            case PROC_EXIT -> add(out, "status", t.arg(i, 0));
            case LOCK_STATS -> add(out, "summary", Describe.lockSummary(m, t, i));
            case LOCK_WAITS -> add(out, "summary", Describe.waitCounts(t.arg(i, 1), t.arg(i, 2), t.arg(i, 3),
                    t.arg(i, 4), (t.flags(i) & 1) != 0));
            default -> {
                // a record without named fields here: nothing to list beyond the call
            }
        }
    }

    /** What the call returned, from its EXIT (or CALL/POINT) record. */
    private static void result(TimelineModel m, ThreadTrace t, int i, List<Field> out) {
        switch (t.type(i)) {
            case ACCEPT -> add(out, "returned", t.arg(i, 3) >= 0 ? "fd " + t.arg(i, 3) : t.arg(i, 3));
            case CONNECT, CLOSE -> add(out, "returned", t.arg(i, 3));
            case READ, WRITE, RECV, SEND -> add(out, "returned", t.arg(i, 3) + (t.arg(i, 3) >= 0 ? " bytes" : ""));
            case SELECT, POLL, EPOLL_WAIT -> add(out, "returned", t.arg(i, 3) + " ready");
            case SLEEP -> add(out, "returned", t.arg(i, 3));
            case FORK -> add(out, "returned", t.arg(i, 0) > 0 ? "child pid " + t.arg(i, 0) : t.arg(i, 0));
            case WAIT -> {
                add(out, "returned", t.arg(i, 2) > 0 ? "pid " + t.arg(i, 2) : t.arg(i, 2));
                if (t.arg(i, 2) > 0) {
                    add(out, "status", waitStatus(t.arg(i, 3)));
                }
            }
            case THREAD_CREATE -> {
                if (t.phase(i) == EXIT && t.err(i) == 0) {
                    add(out, "new thread", Describe.hex(t.arg(i, 0)));
                }
            }
            case PTHREAD_JOIN -> {
                if (t.err(i) == 0) {
                    add(out, "thread returned", Describe.hex(t.arg(i, 1)));
                }
            }
            case THREAD_EXIT -> {
                if (t.flags(i) == 1) {
                    add(out, "returned", Describe.hex(t.arg(i, 0)));
                }
            }
            case MALLOC -> {
                if (t.phase(i) == EXIT) {
                    add(out, "returned", Describe.hex(t.arg(i, 3)));
                }
            }
            default -> {
                // no result field in the format for this record
            }
        }
    }

    private static String waitStatus(long status) {
        int s = (int) status;
        if ((s & 0x7f) == 0) {
            return "exited with " + ((s >> 8) & 0xff);
        }
        return "killed by " + RecordType.signalName(s & 0x7f);
    }

    private static void errno(ThreadTrace t, int i, List<Field> out) {
        int e = t.err(i);
        if (e != 0) {
            add(out, "errno", errnoName(e) + " (" + e + ")");
        }
    }

    /** Linux x86-64 numbers of the errors these calls give. */
    static String errnoName(int e) {
        return switch (e) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 10 -> "ECHILD";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 16 -> "EBUSY";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 32 -> "EPIPE";
            case 35 -> "EDEADLK";
            case 98 -> "EADDRINUSE";
            case 103 -> "ECONNABORTED";
            case 104 -> "ECONNRESET";
            case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED";
            case 130 -> "EOWNERDEAD";
            default -> "error";
        };
    }

    /**
     * Where the call was made: its return address for calls (the instruction after the call), the start routine for
     * a thread's start, the handler for a signal handler's entry.
     */
    private static Optional<Symbolizer.SourceLine> source(TimelineModel m, ThreadTrace t, int i) {
        if (t.image() == null) {
            return Optional.empty();
        }
        long ra = t.ra(i);
        boolean exact = t.type(i) == SIGNAL_HANDLER;
        if (ra == 0 && t.type(i) == THREAD_START) {
            ra = t.arg(i, 0);
            exact = true;
        }
        if (ra == 0) {
            return Optional.empty();
        }
        return Optional.of(m.symbolizer().symbolize(t.image(), ra, !exact));
    }
}
