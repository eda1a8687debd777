package interleave.engine.concurrency;

import interleave.engine.finding.SourceRange;

/**
 * One call on a path from an entry point: {@code caller} calls {@code callee} at {@code site}.
 *
 * @param callerExtent the caller's whole definition, or null when unknown; tells in which function on a path a lock
 *                     was taken (the call that leaves that function is where the path goes on)
 */
public record CallStep(String caller, String callee, SourceRange site, SourceRange callerExtent) {

    public CallStep(String caller, String callee, SourceRange site) {
        this(caller, callee, site, null);
    }
}
