package interleave.engine.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.finding.Finding;

/**
 * In-source suppression of one finding: a comment {@code interleave-ignore: rule-id[,rule-id] reason} on the finding's
 * line, or alone on the line above it (an imported check's id too: {@code spotbugs:RU_INVOKE_RUN}). The reason is kept as the suppression's justification (SARIF shows it).
 */
public final class Suppressions {
    /** Interleave's rule ids, and imported checks' {@code tool:PATTERN} ({@code spotbugs:RU_INVOKE_RUN}). */
    private static final String ID = "[a-z0-9-]+(?::[A-Za-z0-9_]+)?";
    private static final Pattern IGNORE = Pattern.compile(
            "interleave-ignore:\\s*(" + ID + "(?:\\s*,\\s*" + ID + ")*)\\s*(.*?)\\s*(?:\\*/.*)?$");

    private Suppressions() {
    }

    /** A finding a comment silences, with the comment's reason (may be empty). */
    public record Suppressed(Finding finding, String justification) {
    }

    /** The justification when a comment in {@code file} silences {@code f}, else empty. */
    public static Optional<String> justification(SourceFile file, Finding f) {
        int line = f.location().startLine();
        Optional<String> here = match(file, line, f.ruleId(), false);
        return here.isPresent() ? here : match(file, line - 1, f.ruleId(), true);
    }

    private static Optional<String> match(SourceFile file, int line, String ruleId, boolean commentOnlyLine) {
        if (line < 1 || line > file.lineCount()) {
            return Optional.empty();
        }
        String text = file.lineText(line);
        int at = text.indexOf("interleave-ignore:");
        if (at < 0) {
            return Optional.empty();
        }
        if (commentOnlyLine) {
            String t = text.strip();
            if (!(t.startsWith("//") || t.startsWith("/*") || t.startsWith("*"))) {
                return Optional.empty(); // a trailing comment on the line above belongs to that line
            }
        }
        Matcher m = IGNORE.matcher(text.substring(at));
        if (!m.find()) {
            return Optional.empty();
        }
        for (String id : m.group(1).split(",")) {
            if (id.trim().equals(ruleId)) {
                return Optional.of(m.group(2).replaceAll("\\*/\\s*$", "").strip());
            }
        }
        return Optional.empty();
    }

    /** Splits findings into those shown and those a comment silences (for findings merged in from another tool). */
    public static void split(List<Finding> findings, java.util.Map<String, SourceFile> files, List<Finding> shown,
            List<Suppressed> suppressed) {
        for (Finding f : findings) {
            SourceFile file = files.get(f.location().file());
            Optional<String> why = file == null ? Optional.empty() : justification(file, f);
            if (why.isPresent()) {
                suppressed.add(new Suppressed(f, why.get()));
            } else {
                shown.add(f);
            }
        }
    }

    /** For tests and tools: every suppression comment's rule ids in a file. */
    public static List<String> rulesMentioned(SourceFile file) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= file.lineCount(); i++) {
            String text = file.lineText(i);
            int at = text.indexOf("interleave-ignore:");
            if (at >= 0) {
                Matcher m = IGNORE.matcher(text.substring(at));
                if (m.find()) {
                    for (String id : m.group(1).split(",")) {
                        out.add(id.trim());
                    }
                }
            }
        }
        return out;
    }
}
