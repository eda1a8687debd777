package interleave.engine.events;

/** A cause between two threads: a fork (parent to child), a thread created, a child reaped, an exec. */
public record Arrow(String kind, ExecThread from, long fromTs, ExecThread to, long toTs) {
    @Override
    public String toString() {
        return kind + " " + from.label() + "@" + fromTs + " -> " + to.label() + "@" + toTs;
    }
}
