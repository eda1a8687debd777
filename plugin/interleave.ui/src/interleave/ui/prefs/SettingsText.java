package interleave.ui.prefs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.settings.Settings;
import interleave.engine.settings.SettingsException;

/**
 * Edits the text of a settings file ({@code .interleave}) in place: the rule lines the pages manage are replaced,
 * added or removed; comments, options ({@code rule-id.option = value}) and lines about rules this version does not
 * know are kept as the user wrote them.
 */
public final class SettingsText {
    /** A simple {@code key = value} line (properties also allow ':' and continuation lines, which we leave alone). */
    private static final Pattern RULE_LINE = Pattern.compile("^\\s*([a-z0-9-]+)\\s*[=:]\\s*(\\S*)\\s*$");

    private SettingsText() {
    }

    /**
     * The rule levels a settings text sets, per known rule: "on" when not mentioned. Unparsable text counts as
     * nothing set (the analysis reports the broken file itself).
     */
    public static Map<String, String> levels(String text, List<String> ruleIds) {
        Settings s;
        try {
            s = Settings.parse(text, "settings");
        } catch (SettingsException e) {
            s = Settings.defaults();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : ruleIds) {
            out.put(id, !s.enabled(id) ? "off"
                    : s.overridesSeverity(id) ? s.severity(id, null).label() : "on");
        }
        return out;
    }

    /**
     * The text with the managed rules set to {@code levels}: a rule at "on" (its own severity) gets no line; an
     * existing line is rewritten where it stands, a new one appended. Everything else is kept.
     */
    public static String update(String existing, Map<String, String> levels, Set<String> managed) {
        List<String> out = new ArrayList<>();
        Map<String, String> pending = new LinkedHashMap<>();
        levels.forEach((id, level) -> {
            if (!level.equals("on")) {
                pending.put(id, level);
            }
        });
        String text = existing == null ? "" : existing;
        if (text.isBlank()) {
            return Settings.format(pending, Map.of());
        }
        for (String line : text.split("\n", -1)) {
            Matcher m = RULE_LINE.matcher(line);
            if (m.matches() && managed.contains(m.group(1))) {
                String level = pending.remove(m.group(1));
                if (level != null) {
                    out.add(m.group(1) + " = " + level);
                }
                // a managed rule back at "on" loses its line
            } else {
                out.add(line);
            }
        }
        // drop the empty last element of a text ending with a newline, append, end with one newline
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        pending.forEach((id, level) -> out.add(id + " = " + level));
        return String.join("\n", out) + "\n";
    }

    /** True when the text sets nothing: only comments and blank lines. */
    public static boolean isEmpty(String text) {
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("!")) {
                return false;
            }
        }
        return true;
    }
}
