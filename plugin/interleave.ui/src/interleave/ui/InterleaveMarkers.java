package interleave.ui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Path;

import interleave.engine.finding.Finding;
import interleave.engine.finding.Headline;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.finding.SourceRange;

/**
 * The marker type {@code interleave.ui.finding} and its attributes. A marker keeps keys (rule id, fingerprint, the
 * resources that were analyzed together), not edits: quick fixes re-analyze and find the finding again, so they never
 * apply stale offsets.
 */
public final class InterleaveMarkers {
    public static final String TYPE = "interleave.ui.finding";
    public static final String RULE_ID = "ruleId";
    public static final String FINGERPRINT = "fingerprint";
    /** The evidence chain, one "file:line: note" per line, cause first. */
    public static final String EVIDENCE = "evidence";
    /** Full paths of the resources analyzed together (one per line): a quick fix re-analyzes the same program. */
    public static final String ANALYSIS_SCOPE = "analysisScope";
    public static final String SOURCE_ID = "Interleave";
    /** The finding's whole message; {@link IMarker#MESSAGE} holds only its one-line headline. */
    public static final String EXPLANATION = "explanation";
    /** The tool that found the bug: {@value #SOURCE_ID}, or another tool whose findings are merged in ("SpotBugs"). */
    public static final String TOOL = "tool";
    /** Longest marker message, rule id included: what the Problems view and the ruler show on one line. */
    public static final int MESSAGE_LENGTH = Headline.DEFAULT_LENGTH;

    private InterleaveMarkers() {
    }

    /** Creates the marker for one finding; call inside a workspace runnable so all markers arrive in one delta. */
    static IMarker create(IFile file, Finding finding, List<IResource> scope) throws CoreException {
        SourceRange at = finding.location();
        IMarker marker = file.createMarker(TYPE);
        marker.setAttributes(
                new String[] { IMarker.MESSAGE, IMarker.SEVERITY, IMarker.LINE_NUMBER, IMarker.CHAR_START,
                        IMarker.CHAR_END, IMarker.LOCATION, IMarker.SOURCE_ID, RULE_ID, FINGERPRINT, EVIDENCE,
                        ANALYSIS_SCOPE, EXPLANATION, TOOL },
                new Object[] { message(finding), severity(finding),
                        at.startLine(), at.startOffset(), Math.max(at.endOffset(), at.startOffset() + 1),
                        "line " + at.startLine(), SOURCE_ID, finding.ruleId(), finding.fingerprint(),
                        evidenceText(finding), scopeText(scope), toolPrefix(finding) + finding.message(),
                        tool(finding) });
        return marker;
    }

    /**
     * The headline and the rule id, together at most {@link #MESSAGE_LENGTH} characters; another tool's finding
     * starts with the tool's name ("SpotBugs: ...").
     */
    public static String message(Finding finding) {
        String id = " [" + finding.ruleId() + "]";
        String tool = toolPrefix(finding);
        return tool + Headline.of(finding.message(), Math.max(40, MESSAGE_LENGTH - id.length() - tool.length())) + id;
    }

    /** Which tool found it: Interleave itself, or SpotBugs for its merged-in findings (rule ids "spotbugs:..."). */
    public static String tool(Finding finding) {
        return SpotBugsInWorkspace.isSpotBugsRule(finding.ruleId()) ? SpotBugsInWorkspace.TOOL : SOURCE_ID;
    }

    private static String toolPrefix(Finding finding) {
        String tool = tool(finding);
        return tool.equals(SOURCE_ID) ? "" : tool + ": ";
    }

    private static int severity(Finding f) {
        return switch (f.severity()) {
            case ERROR -> IMarker.SEVERITY_ERROR;
            case WARNING -> IMarker.SEVERITY_WARNING;
            case NOTE -> IMarker.SEVERITY_INFO;
        };
    }

    static String evidenceText(Finding f) {
        StringBuilder sb = new StringBuilder();
        for (RelatedLocation r : f.evidence()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(r.range().file()).append(':').append(r.range().startLine()).append(": ").append(r.message());
        }
        return sb.toString();
    }

    static String scopeText(List<IResource> scope) {
        StringBuilder sb = new StringBuilder();
        for (IResource r : scope) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(r.getFullPath().toString());
        }
        return sb.toString();
    }

    /** The resources analyzed together with this marker's finding; the marker's project when not recorded. */
    public static List<IResource> scopeOf(IMarker marker) {
        IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
        List<IResource> scope = new ArrayList<>();
        String text = marker.getAttribute(ANALYSIS_SCOPE, "");
        for (String line : Arrays.asList(text.split("\n"))) {
            if (!line.isBlank()) {
                IResource r = root.findMember(new Path(line));
                if (r != null && r.isAccessible()) {
                    scope.add(r);
                }
            }
        }
        if (scope.isEmpty() && marker.getResource().getProject() != null) {
            scope.add(marker.getResource().getProject());
        }
        return scope;
    }

    /** The evidence lines stored on a marker (empty list when there are none). */
    public static List<String> evidenceOf(IMarker marker) {
        String text = marker.getAttribute(EVIDENCE, "");
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
