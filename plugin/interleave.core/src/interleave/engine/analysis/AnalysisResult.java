package interleave.engine.analysis;

import java.util.List;

import interleave.engine.finding.Finding;

/**
 * What one analysis produced: findings sorted by file and position, those an {@code interleave-ignore} comment
 * silences (kept so SARIF can show them as suppressed), the tool's own notes, and what was read.
 */
public record AnalysisResult(List<Finding> findings, List<Suppressions.Suppressed> suppressed,
        List<Notification> notifications, List<String> filesAnalyzed) {
    public AnalysisResult {
        findings = List.copyOf(findings);
        suppressed = List.copyOf(suppressed);
        notifications = List.copyOf(notifications);
        filesAnalyzed = List.copyOf(filesAnalyzed);
    }

    public AnalysisResult(List<Finding> findings, List<Notification> notifications, List<String> filesAnalyzed) {
        this(findings, List.of(), notifications, filesAnalyzed);
    }

    public boolean hasInputErrors() {
        return notifications.stream().anyMatch(Notification::isError);
    }
}
