package interleave.engine.settings;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import interleave.engine.finding.Severity;

/**
 * Which rules run, at which severity, with which options: the file {@code .interleave} at a project's root (found by
 * walking up from the analyzed paths, as clang-tidy finds {@code .clang-tidy}) or the file given with
 * {@code --config}. The command line and Eclipse read the same file. Java properties syntax:
 *
 * <pre>
 * # a rule: on (its default severity), off, error, warning or note
 * thread-unsafe-call = warning
 * handler-clobbers-errno = off
 * # a rule's option: rule-id.option = value
 * thread-unsafe-call.functions = glibc
 * # another tool's check merged in: tool:PATTERN (the colon needs no escaping here)
 * spotbugs:RU_INVOKE_RUN = off
 * </pre>
 */
public final class Settings {
    /** The file name looked for at a project's root. */
    public static final String FILE_NAME = ".interleave";

    private static final Settings DEFAULTS = new Settings(Map.of(), Map.of(), "defaults");

    /** Per rule set in the file: empty = off, else the severity; rules not in it run at their own severity. */
    private final Map<String, Optional<Severity>> levels;
    private final Map<String, String> options;
    private final String origin;

    private Settings(Map<String, Optional<Severity>> levels, Map<String, String> options, String origin) {
        this.levels = Collections.unmodifiableMap(new LinkedHashMap<>(levels));
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.origin = origin;
    }

    public static Settings defaults() {
        return DEFAULTS;
    }

    /** Where these settings come from, for messages: a path, or "defaults". */
    public String origin() {
        return origin;
    }

    public boolean enabled(String ruleId) {
        Optional<Severity> l = levels.get(ruleId);
        return l == null || l.isPresent();
    }

    /** The severity set for the rule, or {@code byRule} (the rule's own choice for this finding) when not set. */
    public Severity severity(String ruleId, Severity byRule) {
        Optional<Severity> l = levels.get(ruleId);
        return l == null || l.isEmpty() ? byRule : l.get();
    }

    /** True when the settings give the rule a fixed severity. */
    public boolean overridesSeverity(String ruleId) {
        Optional<Severity> l = levels.get(ruleId);
        return l != null && l.isPresent();
    }

    /** The value of {@code <ruleId>.<name>}, or null. */
    public String option(String ruleId, String name) {
        return options.get(ruleId + "." + name);
    }

    /** The rule ids these settings mention (for checking them against the registry). */
    public Set<String> mentionedRules() {
        Set<String> ids = new java.util.TreeSet<>(levels.keySet());
        for (String k : options.keySet()) {
            ids.add(k.substring(0, k.indexOf('.')));
        }
        return ids;
    }

    /** Reads a settings file; a missing or unreadable file or a bad line is a {@link SettingsException}. */
    public static Settings read(Path file) throws SettingsException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SettingsException(file + ": cannot read the settings file ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
        return parse(text, file.toString());
    }

    /** A rule id: Interleave's own (kebab-case) or an imported check's {@code tool:PATTERN}. */
    private static final String RULE_ID = "[a-z0-9-]+(?::[A-Za-z0-9_]+)?";
    /** An imported check's id at the start of a line, its colon not yet escaped. */
    private static final java.util.regex.Pattern IMPORTED_KEY = java.util.regex.Pattern
            .compile("^(\\s*[a-z0-9-]+):([A-Za-z0-9_]+(?:\\.[a-z0-9-]+)?\\s*[=:\\s])");

    /**
     * In properties syntax a colon ends the key; the ids of imported checks contain one ({@code spotbugs:TYPE}), so it
     * is escaped at the start of each logical line before the text is loaded. Continuation lines are left alone.
     */
    static String escapeImportedIds(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        boolean continued = false;
        boolean first = true;
        for (String line : text.split("\n", -1)) {
            if (!first) {
                out.append('\n');
            }
            first = false;
            out.append(continued ? line : IMPORTED_KEY.matcher(line).replaceFirst("$1\\\\:$2"));
            String body = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            int slashes = 0;
            for (int i = body.length() - 1; i >= 0 && body.charAt(i) == '\\'; i--) {
                slashes++;
            }
            String t = body.stripLeading();
            boolean comment = !continued && (t.startsWith("#") || t.startsWith("!"));
            continued = !comment && slashes % 2 == 1;
        }
        return out.toString();
    }

    /** Parses settings text; {@code origin} names it in messages. */
    public static Settings parse(String text, String origin) throws SettingsException {
        Properties p = new Properties();
        try (Reader r = new StringReader(escapeImportedIds(text))) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new SettingsException(origin + ": not in properties syntax (" + e.getMessage() + ")");
        }
        Map<String, Optional<Severity>> levels = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            String value = p.getProperty(key).trim();
            if (!key.matches(RULE_ID + "(\\.[a-z0-9-]+)?")) {
                problems.add("'" + key + "' is neither a rule id nor rule-id.option");
            } else if (key.contains(".")) {
                options.put(key, value);
            } else {
                switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "on" -> levels.remove(key);
                case "off" -> levels.put(key, Optional.empty());
                case "error" -> levels.put(key, Optional.of(Severity.ERROR));
                case "warning" -> levels.put(key, Optional.of(Severity.WARNING));
                case "note" -> levels.put(key, Optional.of(Severity.NOTE));
                default -> problems.add(key + " = " + value + ": expected on, off, error, warning or note");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(origin + ": " + String.join("; ", problems));
        }
        return new Settings(levels, options, origin);
    }

    /** The {@code .interleave} file in {@code start} (a folder, or a file's folder) or the nearest folder above it. */
    public static Optional<Path> find(Path start) {
        Path dir = start.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            dir = dir.getParent();
        }
        for (; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Settings for a text to write back (Eclipse's preference page writes the same format). */
    public static String format(Map<String, String> ruleLevels, Map<String, String> ruleOptions) {
        StringBuilder sb = new StringBuilder("# Interleave settings: rule-id = on|off|error|warning|note;"
                + " rule-id.option = value\n");
        ruleLevels.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        ruleOptions.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }
}
