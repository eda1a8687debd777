package interleave.engine.analysis;

import java.util.List;

import interleave.engine.finding.Finding;

/** What one analysis produced: findings sorted by file and position, the tool's own notes, and what was read. */
public record AnalysisResult(List<Finding> findings, List<Notification> notifications, List<String> filesAnalyzed) {
    public AnalysisResult {
        findings = List.copyOf(findings);
        notifications = List.copyOf(notifications);
        filesAnalyzed = List.copyOf(filesAnalyzed);
    }

    public boolean hasInputErrors() {
        return notifications.stream().anyMatch(Notification::isError);
    }
}
