package interleave.java;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.jdt.core.compiler.IProblem;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.Suppressions;
import interleave.engine.c.SourceFile;
import interleave.engine.c.UnreadableSourceException;
import interleave.engine.finding.Finding;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.settings.Settings;
import interleave.java.rules.JavaRules;

/**
 * Analyzes Java files as one program: parses them with JDT (bindings across the files and the classpath), runs every
 * Java rule the settings leave on, and applies {@code interleave-ignore} comments. The findings are sorted and
 * fingerprinted like the C analyzer's, so text and SARIF reports render both the same way.
 */
public final class JavaAnalyzer {
    private final List<Rule<JavaProgram>> rules;
    private final Settings settings;
    private final List<Path> classpath;

    public JavaAnalyzer() {
        this(JavaRules.all(), Settings.defaults(), List.of());
    }

    public JavaAnalyzer(List<Rule<JavaProgram>> rules, Settings settings, List<Path> classpath) {
        this.rules = List.copyOf(rules);
        this.settings = settings;
        this.classpath = List.copyOf(classpath);
    }

    /** The {@code .java} files under {@code inputs} (files as given, folders recursively; hidden folders skipped). */
    public static List<Path> collectSources(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                Files.walkFileTree(in, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        return !dir.equals(in) && n.startsWith(".") ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (file.getFileName().toString().endsWith(".java")) {
                            out.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } else if (in.getFileName() != null && in.getFileName().toString().endsWith(".java")) {
                out.add(in);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    public AnalysisResult analyzeFiles(List<Path> files, Function<Path, String> display) {
        List<Notification> notes = new ArrayList<>();
        Map<Path, SourceFile> sources = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                sources.put(f, SourceFile.read(f, display.apply(f)));
            } catch (UnreadableSourceException e) {
                notes.add(Notification.error(e.file(), e.reason().replace("C source", "Java source")));
            }
        }
        for (Path cp : classpath) {
            if (!Files.exists(cp)) {
                notes.add(Notification.warning(cp.toString(), "classpath entry does not exist; types from it stay"
                        + " unresolved"));
            }
        }
        List<Path> readable = new ArrayList<>(sources.keySet());
        JavaProgram program = readable.isEmpty() ? null : JavaProgram.parse(readable, sources, classpath);
        return analyze(program, notes);
    }

    /** Runs the rules on a parsed program; {@code notes} holds what was said while reading it. */
    public AnalysisResult analyze(JavaProgram program, List<Notification> notes) {
        List<Notification> out = new ArrayList<>(notes);
        List<Finding> findings = new ArrayList<>();
        Map<String, SourceFile> byPath = new HashMap<>();
        if (program != null) {
            for (JavaProgram.Unit u : program.units()) {
                byPath.put(u.path(), u.source());
                int syntax = 0;
                for (IProblem p : u.ast().getProblems()) {
                    if (p.isError() && (p.getID() & IProblem.Syntax) != 0) {
                        syntax++;
                    }
                }
                if (syntax > 0) {
                    out.add(Notification.warning(u.path(), syntax + " syntax error(s) (unfinished code?); findings"
                            + " come from the parts that parsed"));
                }
            }
            for (Rule<JavaProgram> rule : rules) {
                String id = RuleDescriptor.of(rule.getClass()).id();
                if (!settings.enabled(id)) {
                    continue;
                }
                try {
                    rule.check(program, new Context(id, findings, out));
                } catch (RuntimeException e) {
                    out.add(Notification.error("", "rule " + id + " failed: " + e));
                }
            }
        }
        if (program != null) {
            // the neutral rules' Java findings get their Java fixes (AtomicInteger for a counter)
            findings.replaceAll(f -> interleave.java.fixes.AtomicCounterFix.amend(program, f));
        }
        findings.sort(Comparator.comparing((Finding f) -> f.location().file())
                .thenComparingInt(f -> f.location().startOffset()).thenComparing(Finding::ruleId));
        Map<String, Integer> seen = new HashMap<>();
        List<Finding> shown = new ArrayList<>();
        List<Suppressions.Suppressed> suppressed = new ArrayList<>();
        for (Finding f : findings) {
            int n = seen.merge(f.fingerprint(), 1, Integer::sum);
            Finding g = n == 1 ? f : f.withFingerprint(Finding.fingerprint(f.fingerprint(), Integer.toString(n)));
            SourceFile file = byPath.get(g.location().file());
            Optional<String> why = file == null ? Optional.empty() : Suppressions.justification(file, g);
            if (why.isPresent()) {
                suppressed.add(new Suppressions.Suppressed(g, why.get()));
            } else {
                shown.add(g);
            }
        }
        List<String> analyzed = program == null ? List.of()
                : program.units().stream().map(JavaProgram.Unit::path).toList();
        return new AnalysisResult(shown, suppressed, out, analyzed);
    }

    private final class Context implements RuleContext {
        private final String ruleId;
        private final List<Finding> findings;
        private final List<Notification> notes;

        Context(String ruleId, List<Finding> findings, List<Notification> notes) {
            this.ruleId = ruleId;
            this.findings = findings;
            this.notes = notes;
        }

        @Override
        public void report(Finding f) {
            findings.add(settings.overridesSeverity(f.ruleId()) ? f.withSeverity(settings.severity(f.ruleId(),
                    f.severity())) : f);
        }

        @Override
        public String option(String name, String defaultValue) {
            String v = settings.option(ruleId, name);
            return v == null ? defaultValue : v;
        }

        @Override
        public void invalidOption(String name, String value, String expected) {
            notes.add(Notification.warning(settings.origin(), ruleId + "." + name + " = " + value + ": expected "
                    + expected + "; the default is used"));
        }
    }
}
