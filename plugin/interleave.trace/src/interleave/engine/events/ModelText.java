package interleave.engine.events;

/**
 * The whole model as plain text, one fact a line (processes, threads, spans, instants, locks, arrows), without
 * versions: two models of the same run read differently (whole, or in pieces as it grew) give the same text.
 */
public final class ModelText {
    private ModelText() {
    }

    public static String describe(ExecutionModel m) {
        StringBuilder sb = new StringBuilder();
        sb.append("run ").append(m.status()).append(' ').append(m.startNs()).append("..").append(m.endNs())
                .append(" events=").append(m.eventCount()).append(" lost=").append(m.lostEvents()).append('\n');
        for (String p : m.problems()) {
            sb.append("problem ").append(p).append('\n');
        }
        for (ExecProcess p : m.processes()) {
            sb.append(p).append(' ').append(p.origin()).append(" parent=")
                    .append(p.parent().map(ExecProcess::pid).orElse(0)).append(" exec<-")
                    .append(p.execPredecessor().map(x -> x.startNs()).orElse(0L)).append(" forker=")
                    .append(p.forkingThread().map(ExecThread::label).orElse("-")).append(" fork=")
                    .append(p.forkSpan().map(s -> Long.toString(s.end())).orElse("-")).append(' ').append(p.exit())
                    .append(" argv=").append(p.argv()).append(" children=")
                    .append(p.children().stream().map(c -> c.pid() + "@" + c.startNs()).toList()).append('\n');
            for (Lock l : p.locks()) {
                sb.append("  ").append(l).append(" holder=").append(l.holder().map(ExecThread::label).orElse("-"))
                        .append('\n');
                for (Lock.Edge e : l.edgesIn()) {
                    sb.append("    edge ").append(e.thread().label()).append(" 0x").append(Long.toHexString(e.held()))
                            .append(" -> 0x").append(Long.toHexString(e.taken())).append(" @").append(e.ts())
                            .append('\n');
                }
            }
            for (LockGroup g : p.lockGroups()) {
                sb.append("  ").append(g).append('\n');
            }
            for (WatchedVariable v : p.watched()) {
                sb.append("  ").append(v).append('\n');
                for (WatchedVariable.Access a : v.accesses()) {
                    sb.append("    ").append(a.thread().label()).append(' ').append(a.kind()).append(" @")
                            .append(a.ts()).append(" value=").append(a.value()).append(" held=")
                            .append(new java.util.TreeSet<>(a.held())).append('\n');
                }
            }
            for (ExecThread t : p.threads()) {
                sb.append("  ").append(t).append(t.isMain() ? " main" : "").append(" name=")
                        .append(t.name().orElse("-")).append(" creator=")
                        .append(t.creator().map(ExecThread::label).orElse("-")).append(" created=")
                        .append(t.createTs()).append('/').append(t.createdTs()).append(" detached=")
                        .append(t.createdDetached()).append(" routine=0x").append(Long.toHexString(t.startRoutine()))
                        .append(' ').append(t.firstTs()).append("..").append(t.lastTs()).append(" events=")
                        .append(t.eventCount()).append(" open=").append(t.openSpans().size()).append('\n');
                for (Span s : t.spans()) {
                    sb.append("    ").append(s).append('\n');
                }
                for (Instant i : t.instants()) {
                    sb.append("    ").append(i).append('\n');
                }
            }
        }
        for (Arrow a : m.arrows()) {
            sb.append(a).append('\n');
        }
        return sb.toString();
    }
}
