package interleave.engine.report;

import java.io.PrintWriter;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;

/**
 * Compiler-style lines, {@code file:line:col: severity: message [rule-id]}, followed by {@code note:} lines for the
 * evidence chain, so editors and CI problem matchers pick them up as they do gcc's.
 */
public final class TextReport {
    private TextReport() {
    }

    public static void write(AnalysisResult result, PrintWriter out) {
        write(result, out, false);
    }

    /**
     * @param verbose list every file that had syntax errors; otherwise they are summed up in one line (real projects
     *                full of macros would drown the findings)
     */
    public static void write(AnalysisResult result, PrintWriter out, boolean verbose) {
        for (Finding f : result.findings()) {
            out.println(f.location() + ": " + f.severity().label() + ": " + f.message() + " [" + f.ruleId() + "]");
            for (RelatedLocation r : f.evidence()) {
                out.println(r.range() + ": note: " + r.message());
            }
            if (!f.fixes().isEmpty()) {
                out.println(f.location() + ": note: fix available: " + f.fixes().get(0).label());
            }
        }
        int partial = 0;
        for (Notification n : result.notifications()) {
            if (n.isError()) {
                continue; // unreadable input is reported on stderr by the command
            }
            if (!verbose && n.isPartialParse()) {
                partial++;
                continue;
            }
            out.println((n.file().isEmpty() ? "interleave" : n.file()) + ": " + n.level() + ": " + n.message());
        }
        if (partial > 0) {
            out.println("interleave: note: " + partial + " file(s) had syntax errors (in C often macros or missing"
                    + " headers); findings come from the parts that parsed (--verbose lists them)");
        }
        long errors = result.findings().stream().filter(f -> f.severity().label().equals("error")).count();
        out.println(result.findings().size() + " finding(s) (" + errors + " error(s)) in "
                + result.filesAnalyzed().size() + " file(s)" + (result.suppressed().isEmpty() ? ""
                        : "; " + result.suppressed().size() + " more silenced by interleave-ignore comments"));
        out.flush();
    }
}
