package interleave.engine.finding;

import java.util.Objects;

/**
 * One step of a finding's evidence: where and why, e.g. "registered here as the SIGCHLD handler" or
 * "log_child is called here from the handler". Ordered from the cause to the finding's primary location.
 */
public record RelatedLocation(SourceRange range, String message) {
    public RelatedLocation {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(message, "message");
    }
}
