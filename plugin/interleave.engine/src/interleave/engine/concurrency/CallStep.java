package interleave.engine.concurrency;

import interleave.engine.finding.SourceRange;

/** One call on a path from an entry point: {@code caller} calls {@code callee} at {@code site}. */
public record CallStep(String caller, String callee, SourceRange site) {
}
