package interleave.engine.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.Finding;

/**
 * The annotated fixtures under {@code fixtures/c/<rule-id>/} and {@code fixtures/java/<rule-id>/}: each file analyzed
 * alone, each folder as one program.
 * Expectations are written on the line they belong to: {@code // expect: rule-id[, rule-id] ["fragment" ...]} and
 * {@code // known-miss: rule-id why}; several rules with their own fragments on one line are separated by
 * {@code ; expect:} ({@code // expect: a "x"; expect: b "y"}). A quoted fragment must occur in the message of the finding on that line;
 * {@code "note: ..."} in one of its notes (the evidence chain), {@code "fix: ..."} in one of its fixes' labels.
 */
public final class Fixtures {
    private static final Pattern EXPECT = Pattern.compile(
            "(?://|;)\\s*expect:\\s*([a-z0-9-]+(?:\\s*,\\s*[a-z0-9-]+)*)((?:\\s*\"[^\"]*\")*)");
    private static final Pattern FRAGMENT = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern KNOWN_MISS = Pattern.compile("//\\s*known-miss:\\s*([a-z0-9-]+)");

    private Fixtures() {
    }

    public static Path root() {
        String p = System.getProperty("interleave.fixtures");
        Path dir = p != null ? Path.of(p) : Path.of("fixtures");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures folder not found: " + dir.toAbsolutePath());
        }
        return dir;
    }

    /** One program to analyze: a single file, or the files of one folder. */
    public record Program(String name, List<Path> files) {
        @Override
        public String toString() {
            return name;
        }

        public List<SourceFile> sources() {
            List<SourceFile> out = new ArrayList<>();
            for (Path f : files) {
                try {
                    out.add(SourceFile.of(f.getFileName().toString(),
                            Files.readString(f, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return out;
        }

        public AnalysisResult analyze() {
            if (isJava()) {
                return new interleave.java.JavaAnalyzer().analyzeFiles(files, f -> f.getFileName().toString());
            }
            return new CAnalyzer().analyze(sources(), CAnalyzer.Progress.NONE, () -> false);
        }

        public boolean isJava() {
            return files.stream().allMatch(Fixtures::isJava);
        }

        /** The rule folder this program belongs to ({@code java/<rule-id>} or {@code <rule-id>} for C). */
        public String ruleFolder() {
            return name.substring(0, name.lastIndexOf('/'));
        }

        /** "file:line rule-id" for every expectation. */
        public TreeSet<String> expected() {
            return annotations(EXPECT);
        }

        /** "file:line rule-id" to the message fragments written for it. */
        public java.util.Map<String, List<String>> expectedFragments() {
            java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
            for (Path f : files) {
                List<String> lines = lines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = EXPECT.matcher(lines.get(i));
                    while (m.find()) {
                        if (m.group(2) == null || m.group(2).isBlank()) {
                            continue;
                        }
                        List<String> frags = new ArrayList<>();
                        Matcher q = FRAGMENT.matcher(m.group(2));
                        while (q.find()) {
                            frags.add(q.group(1));
                        }
                        for (String id : m.group(1).split(",")) {
                            out.put(f.getFileName() + ":" + (i + 1) + " " + id.trim(), frags);
                        }
                    }
                }
            }
            return out;
        }

        public TreeSet<String> knownMisses() {
            return annotations(KNOWN_MISS);
        }

        private TreeSet<String> annotations(Pattern pattern) {
            TreeSet<String> out = new TreeSet<>();
            for (Path f : files) {
                List<String> lines = lines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = pattern.matcher(lines.get(i));
                    while (m.find()) {
                        for (String id : m.group(1).split(",")) {
                            out.add(f.getFileName() + ":" + (i + 1) + " " + id.trim());
                        }
                    }
                }
            }
            return out;
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The fragments of {@code wanted} that no finding at {@code key} carries: plain ones in the message, "note: ..." in
     * a note, "fix: ..." in a fix label.
     */
    public static List<String> missingFragments(AnalysisResult r, String key, List<String> wanted) {
        List<String> missing = new ArrayList<>();
        for (String w : wanted) {
            boolean found = false;
            for (Finding f : r.findings()) {
                if (!key(f).equals(key)) {
                    continue;
                }
                if (w.startsWith("note: ")) {
                    String frag = w.substring(6);
                    found |= f.evidence().stream().anyMatch(e -> e.message().contains(frag));
                } else if (w.startsWith("fix: ")) {
                    String frag = w.substring(5);
                    found |= f.fixes().stream().anyMatch(x -> x.label().contains(frag));
                } else {
                    found |= f.message().contains(w);
                }
            }
            if (!found) {
                missing.add(w);
            }
        }
        return missing;
    }

    public static String key(Finding f) {
        return f.location().file() + ":" + f.location().startLine() + " " + f.ruleId();
    }

    public static TreeSet<String> actual(AnalysisResult r) {
        TreeSet<String> out = new TreeSet<>();
        r.findings().forEach(f -> out.add(key(f)));
        return out;
    }

    /** Every fixture program of every rule folder: C under {@code c/}, then Java under {@code java/}. */
    public static List<Program> programs() {
        List<Program> out = new ArrayList<>();
        for (String language : List.of("c", "java")) {
            Path dir = root().resolve(language);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> rules = Files.list(dir)) {
                for (Path ruleDir : rules.filter(Files::isDirectory).sorted().toList()) {
                    out.addAll(programsOf(ruleDir));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public static List<Program> programsOf(Path ruleDir) throws IOException {
        List<Program> out = new ArrayList<>();
        String rule = ruleDir.getFileName().toString();
        if (ruleDir.getParent() != null && ruleDir.getParent().getFileName().toString().equals("java")) {
            rule = "java/" + rule; // C programs keep their historical names
        }
        try (Stream<Path> entries = Files.list(ruleDir)) {
            for (Path e : entries.sorted().toList()) {
                if (Files.isDirectory(e)) {
                    if (e.getFileName().toString().equals("fixes")) {
                        continue;
                    }
                    try (Stream<Path> files = Files.list(e)) {
                        List<Path> cs = files.filter(f -> isC(f) || isJava(f)).sorted().toList();
                        out.add(new Program(rule + "/" + e.getFileName(), cs));
                    }
                } else if (isC(e) || isJava(e)) {
                    out.add(new Program(rule + "/" + e.getFileName(), List.of(e)));
                }
            }
        }
        return out;
    }

    private static boolean isJava(Path p) {
        return p.getFileName().toString().endsWith(".java");
    }

    private static boolean isC(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".c") || n.endsWith(".h");
    }
}
