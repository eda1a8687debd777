package interleave.engine.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import interleave.engine.events.Attributes;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Kinds;
import interleave.engine.events.Memory;
import interleave.engine.events.Signals;
import interleave.engine.events.Span;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.Symbolizer;

/**
 * One event of the timeline told in full, for a details pane and for Go to Source: the call, its thread, when and how
 * long, its arguments by name (locks by their variable), what it returned, its errno, the source line of its caller and
 * the arrows that start or end at it. Read from the execution-event model behind the span or instant the view shows
 * (the call's span, or the model's moment), never from a trace format.
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

    /** The call behind a span (its arguments, and once it returned its result), or the running stretch it stands for. */
    public static EventDetails of(TimelineModel m, StateSpan s) {
        Span x = s.state() == State.RUNNING ? null : m.spanAt(s.rowId(), s.depth(), s.startNs());
        long duration = s.endNs() - s.startNs();
        Row row = m.row(s.rowId());
        List<Arrow> related = related(m, s.rowId(), s.startNs(), s.endNs());
        if (x == null) {
            List<Field> fields = new ArrayList<>();
            fields.add(new Field("state", s.state().description()));
            if (!s.detail().isEmpty()) {
                fields.add(new Field("detail", s.detail()));
            }
            return new EventDetails(s.rowId(), row.pid(), row.tid(),
                    s.state() == State.RUNNING ? "running" : s.state().description(), s.startNs(), duration,
                    s.unfinished(), fields, Optional.empty(), related);
        }
        List<Field> fields = new ArrayList<>();
        arguments(m, x, fields);
        if (!s.unfinished()) {
            result(x, fields);
            errno(x.err(), fields);
        }
        if (x.cpu() >= 0) {
            fields.add(new Field("cpu", Integer.toString(x.cpu())));
        }
        return new EventDetails(s.rowId(), x.thread().pid(), x.thread().tid(), function(x), s.startNs(), duration,
                s.unfinished(), fields, source(m, x.thread(), x.site(), x.kind().equals(Kinds.SIGNAL_HANDLER)),
                related);
    }

    /** The moment behind an instant (fork, accept, close, kill, exit, ...). */
    public static EventDetails of(TimelineModel m, Instant in) {
        int row = in.rowId();
        Describe.Origin o = m.originOf(in);
        Row r = m.row(row);
        List<Arrow> related = related(m, row, in.timeNs(), in.timeNs());
        if (o == null) {
            return new EventDetails(row, r.pid(), r.tid(), in.kind().name().toLowerCase(), in.timeNs(), -1, false,
                    List.of(new Field("event", in.label())), Optional.empty(), related);
        }
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("event", in.label()));
        long duration = -1;
        String function;
        Optional<Symbolizer.SourceLine> source;
        Span x = o.span();
        if (x != null) {
            function = function(x);
            arguments(m, x, fields);
            if (o.atEnd()) { // accept → fd, fork → pid: the call that returned, its arguments from its start
                duration = x.end() - x.start();
                result(x, fields);
                errno(x.err(), fields);
                source = source(m, x.thread(), x.endSite(), false);
            } else {
                if (x.ref() == x.endRef()) { // a call in one record: close, kill
                    result(x, fields);
                    errno(x.err(), fields);
                }
                source = source(m, x.thread(), x.site(), x.kind().equals(Kinds.SIGNAL_HANDLER));
            }
        } else {
            interleave.engine.events.Instant i = o.moment();
            function = function(i);
            moment(m, i, fields);
            errno(i.err(), fields);
            boolean routine = i.site() == 0 && i.kind().equals(Kinds.THREAD_START);
            source = source(m, i.thread(), routine ? i.subject() : i.site(), routine);
        }
        if (o.cpu() >= 0) {
            fields.add(new Field("cpu", Integer.toString(o.cpu())));
        }
        ExecThread t = x != null ? x.thread() : o.moment().thread();
        return new EventDetails(row, t.pid(), t.tid(), function, in.timeNs(), duration, false, fields, source,
                related);
    }

    /** The source line of the caller, when addr2line gave one. */
    public Optional<Symbolizer.SourceLine> sourceLine() {
        return source.filter(Symbolizer.SourceLine::hasLine);
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
    static String function(Span s) {
        return s.kind().equals(Kinds.SIGNAL_HANDLER) ? "signal handler" : s.name();
    }

    static String function(interleave.engine.events.Instant i) {
        return switch (i.kind()) {
            case Kinds.PROCESS_START -> "program start";
            case Kinds.FORKED -> "fork (child side)";
            case Kinds.PROCESS_EXIT -> i.attributes().text(Attributes.FUNCTION).orElse("exit");
            case Kinds.THREAD_START -> "thread start";
            case Kinds.THREAD_END -> "thread exit";
            case Kinds.DETACH -> "pthread_detach";
            case Kinds.LOCK_COUNTS -> "lock statistics";
            default -> i.kind();
        };
    }

    private static void add(List<Field> out, String name, Object value) {
        out.add(new Field(name, String.valueOf(value)));
    }

    /** The arguments of a call by their names. */
    private static void arguments(TimelineModel m, Span s, List<Field> out) {
        long x = s.subject();
        Attributes a = s.attributes();
        ExecProcess p = s.thread().process();
        switch (s.kind()) {
            case Kinds.ACCEPT -> add(out, "listening fd", x);
            case Kinds.CONNECT, Kinds.CLOSE -> add(out, "fd", x);
            case Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND -> {
                add(out, "fd", x);
                add(out, "buffer", Describe.hex(a.number(Attributes.BUFFER, 0)));
                add(out, "count", a.number(Attributes.COUNT, 0));
            }
            case Kinds.SELECT -> {
                long timeout = a.number(Attributes.TIMEOUT_NS, -1);
                add(out, "nfds", x);
                add(out, "timeout", timeout < 0 ? "none (blocks)" : Describe.duration(timeout));
                add(out, "read set (fds 0-63)", Describe.hex(a.number(Attributes.READ_SET, 0)));
            }
            case Kinds.POLL -> {
                long timeout = a.number(Attributes.TIMEOUT_MS, -1);
                add(out, "nfds", a.number(Attributes.NFDS, 0));
                add(out, "timeout", timeout < 0 ? "none (blocks)" : timeout + " ms");
                if (x >= 0) {
                    add(out, "first fd", x);
                }
            }
            case Kinds.EPOLL_WAIT -> {
                long timeout = a.number(Attributes.TIMEOUT_MS, -1);
                add(out, "epoll fd", x);
                add(out, "maxevents", a.number(Attributes.MAX_EVENTS, 0));
                add(out, "timeout", timeout < 0 ? "none (blocks)" : timeout + " ms");
            }
            case Kinds.LOCK_WAIT -> {
                add(out, "mutex", Describe.name(m, p, x));
                if (s.peer() > 0) {
                    add(out, "held by", "tid " + s.peer());
                }
            }
            case Kinds.COND_WAIT -> {
                add(out, "cond", Describe.name(m, p, x));
                add(out, "mutex", Describe.name(m, p, a.number(Attributes.MUTEX, 0)));
            }
            case Kinds.SEM_WAIT -> add(out, "sem", Describe.name(m, p, x));
            case Kinds.THREAD_JOIN -> add(out, "thread", Describe.hex(x));
            case Kinds.PROCESS_WAIT -> {
                add(out, "pid", x == -1 ? "-1 (any child)" : x);
                add(out, "options", a.number(Attributes.OPTIONS, 0));
            }
            case Kinds.SLEEP -> add(out, "requested", Describe.duration(x));
            case Kinds.EXEC -> {
                a.text(Attributes.PATH).ifPresent(v -> add(out, "path", v));
                a.text(Attributes.ARGV).ifPresent(v -> add(out, "argv", v));
            }
            case Kinds.THREAD_CREATE -> {
                add(out, "start routine", routine(m, p, s.code()));
                add(out, "arg", Describe.hex(s.memory().map(Memory::address).orElse(0L)));
            }
            case Kinds.SIGNAL_HANDLER -> {
                add(out, "signal", Signals.name((int) x));
                if (s.peer() != 0) {
                    add(out, "sent by pid", s.peer());
                }
            }
            case Kinds.SIGNAL_SENT -> {
                if (s.name().equals("kill")) {
                    add(out, "pid", x);
                } else {
                    add(out, "thread", Describe.hex(x));
                }
                add(out, "signal", Signals.name(s.flags()));
            }
            case Kinds.RAISE -> add(out, "signal", Signals.name((int) x));
            case Kinds.MALLOC -> add(out, "size", x + " bytes");
            case Kinds.FREE -> add(out, "pointer", Describe.hex(x));
            default -> {
                // a call without named fields here: nothing to list beyond the call
            }
        }
    }

    /** The start routine by its function name (the program's symbols), else its address. */
    private static String routine(TimelineModel m, ExecProcess p, long routine) {
        ProcessImage image = m.image(p);
        return image == null ? Describe.hex(routine)
                : m.symbolizer().symbolize(image, routine, false).functionName().orElse(Describe.hex(routine));
    }

    /** The details of a moment of the model by their names. */
    private static void moment(TimelineModel m, interleave.engine.events.Instant i, List<Field> out) {
        switch (i.kind()) {
            case Kinds.PROCESS_START -> i.attributes().text(Attributes.ARGV).ifPresent(v -> add(out, "argv", v));
            case Kinds.FORKED -> add(out, "parent pid", i.subject());
            case Kinds.PROCESS_EXIT -> add(out, "status", i.subject());
            case Kinds.THREAD_START -> {
                add(out, "start routine", routine(m, i.thread().process(), i.subject()));
                add(out, "arg", Describe.hex(i.result()));
            }
            case Kinds.THREAD_END -> i.attributes().number(Attributes.RETURN_VALUE)
                    .ifPresent(v -> add(out, "returned", Describe.hex(v)));
            case Kinds.DETACH -> add(out, "thread", Describe.hex(i.subject()));
            case Kinds.LOCK_COUNTS -> add(out, "summary", Describe.lockSummary(m, i));
            default -> {
                // nothing named beyond the moment
            }
        }
    }

    /** What the call returned, once it returned. */
    private static void result(Span s, List<Field> out) {
        long r = s.result();
        switch (s.kind()) {
            case Kinds.ACCEPT -> add(out, "returned", r >= 0 ? "fd " + r : r);
            case Kinds.CONNECT, Kinds.CLOSE -> add(out, "returned", r);
            case Kinds.READ, Kinds.WRITE, Kinds.RECV, Kinds.SEND -> add(out, "returned", r + (r >= 0 ? " bytes" : ""));
            case Kinds.SELECT, Kinds.POLL, Kinds.EPOLL_WAIT -> add(out, "returned", r + " ready");
            case Kinds.SLEEP -> add(out, "returned", r);
            case Kinds.FORK -> add(out, "returned", r > 0 ? "child pid " + r : r);
            case Kinds.PROCESS_WAIT -> {
                add(out, "returned", r > 0 ? "pid " + r : r);
                if (r > 0) {
                    add(out, "status", waitStatus(s.attributes().number(Attributes.STATUS, 0)));
                }
            }
            case Kinds.THREAD_CREATE -> {
                if (s.err() == 0) {
                    add(out, "new thread", Describe.hex(r));
                }
            }
            case Kinds.THREAD_JOIN -> {
                if (s.err() == 0) {
                    add(out, "thread returned", Describe.hex(r));
                }
            }
            case Kinds.MALLOC -> add(out, "returned", Describe.hex(r));
            default -> {
                // no result to name for this call
            }
        }
    }

    private static String waitStatus(long status) {
        int s = (int) status;
        if ((s & 0x7f) == 0) {
            return "exited with " + ((s >> 8) & 0xff);
        }
        return "killed by " + Signals.name(s & 0x7f);
    }

    private static void errno(int e, List<Field> out) {
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
     * a thread's start without one, the interrupted instruction for a signal handler's entry.
     */
    private static Optional<Symbolizer.SourceLine> source(TimelineModel m, interleave.engine.events.ExecThread t,
            long ra, boolean exact) {
        ProcessImage image = m.image(t.process());
        if (image == null || ra == 0) {
            return Optional.empty();
        }
        return Optional.of(m.symbolizer().symbolize(image, ra, !exact));
    }
}
