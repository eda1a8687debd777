package interleave.engine.analysis;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import interleave.engine.c.CParser;
import interleave.engine.c.CFunction;
import interleave.engine.c.CProgram;
import interleave.engine.c.Programs;
import interleave.engine.c.SourceFile;
import interleave.engine.c.SyntaxTree;
import interleave.engine.c.UnreadableSourceException;
import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.rules.c.CRule;
import interleave.engine.settings.Settings;

/**
 * Parse → model → rules → findings, for a set of C files analyzed together as one program. Used by the command line
 * and by Eclipse alike. Reads nothing but the given files; never throws for bad input (it becomes a notification).
 */
public final class CAnalyzer {
    private final List<CRule> rules;
    private final int parallelism;
    private final Settings settings;
    private final ParseCache cache;

    public CAnalyzer() {
        this(RuleRegistry.cRules(), Runtime.getRuntime().availableProcessors());
    }

    /** @param parallelism how many files to parse at once (1 = on the calling thread) */
    public CAnalyzer(List<CRule> rules, int parallelism) {
        this(rules, parallelism, Settings.defaults());
    }

    /** @param settings which rules run, at which severity, with which options */
    public CAnalyzer(List<CRule> rules, int parallelism, Settings settings) {
        this(rules, parallelism, settings, null);
    }

    /** @param cache trees kept between analyses (only changed files are parsed again), or null */
    public CAnalyzer(List<CRule> rules, int parallelism, Settings settings, ParseCache cache) {
        this.rules = List.copyOf(rules);
        this.parallelism = parallelism;
        this.settings = settings;
        this.cache = cache;
    }

    /** Progress callbacks: how many files there are, then one tick per file parsed. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        default void begin(int files) {
        }

        default void parsed(String file) {
        }
    }

    /** The C sources under the given paths: directories recursively ({@code .c} and {@code .h}), files as given. */
    public static List<Path> collectSources(List<Path> inputs) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                List<Path> found = new ArrayList<>();
                Files.walkFileTree(in, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        boolean skip = !dir.equals(in) && (name.startsWith(".") || name.equals("target"));
                        return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String n = file.getFileName().toString();
                        if (attrs.isRegularFile() && (n.endsWith(".c") || n.endsWith(".h"))) {
                            found.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        found.add(file); // reported as unreadable when read
                        return FileVisitResult.CONTINUE;
                    }
                });
                found.sort(Comparator.naturalOrder());
                out.addAll(found);
            } else {
                out.add(in);
            }
        }
        return new ArrayList<>(out);
    }

    /** Analyzes files from disk; {@code display} turns a path into the name used in findings. */
    public AnalysisResult analyzeFiles(List<Path> files, java.util.function.Function<Path, String> display,
            Progress progress, BooleanSupplier cancelled) {
        List<Notification> notes = new ArrayList<>();
        List<SourceFile> sources = new ArrayList<>();
        for (Path p : files) {
            try {
                SourceFile f = SourceFile.read(p, display.apply(p));
                sources.add(f);
                for (String w : f.warnings()) {
                    notes.add(Notification.warning(f.path(), w));
                }
            } catch (UnreadableSourceException e) {
                notes.add(Notification.error(e.file(), e.reason()));
            }
        }
        AnalysisResult r = analyze(sources, progress, cancelled);
        List<Notification> all = new ArrayList<>(notes);
        all.addAll(r.notifications());
        return new AnalysisResult(r.findings(), r.suppressed(), all, r.filesAnalyzed());
    }

    /** Analyzes sources already in memory. */
    public AnalysisResult analyze(List<SourceFile> sources, Progress progress, BooleanSupplier cancelled) {
        progress.begin(sources.size());
        List<SyntaxTree> trees = parseAll(sources, progress, cancelled);
        List<Notification> notes = new ArrayList<>();
        for (SyntaxTree t : trees) {
            if (t.hasErrors()) {
                notes.add(Notification.warning(t.file().path(), t.errorNodes() + Notification.PARTIAL_PARSE
                        + " (missing headers or macros, or unfinished code); findings come from the parts that"
                        + " parsed"));
            }
        }
        for (String id : settings.mentionedRules()) {
            if (RuleRegistry.descriptor(id).isEmpty()) {
                notes.add(Notification.warning(settings.origin(), "no rule '" + id + "' (interleave rules lists"
                        + " them); the setting is ignored"));
            }
        }
        Map<SyntaxTree, List<CFunction>> functionsOfFile = cache != null ? cache.functionsOfFile() : new HashMap<>();
        List<Programs.Part> parts = Programs.split(trees, functionsOfFile);
        // the same finding reached from several programs (a shared helper) is reported once, naming them all
        Map<String, Finding> merged = new LinkedHashMap<>();
        Map<String, List<Programs.Part>> reachedFrom = new HashMap<>();
        Map<Object, Object> known = cache != null ? cache.programResults(this) : Map.of();
        Map<Object, Object> results = new HashMap<>();
        for (Programs.Part part : parts) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            ProgramKey programKey = new ProgramKey(part.main(), part.trees(), part.functions());
            ProgramResult result = (ProgramResult) known.get(programKey);
            if (result == null) {
                result = analyzeProgram(part, functionsOfFile, cancelled);
                if (cancelled.getAsBoolean()) {
                    break; // a program cut short is not kept
                }
            }
            results.put(programKey, result);
            for (Notification n : result.notes()) {
                // a rule that fails in several programs is said once
                if (!result.failures().contains(n) || notes.stream().noneMatch(o -> o.message().equals(n.message()))) {
                    notes.add(n);
                }
            }
            List<Finding> found = result.findings();
            for (Finding f : found) {
                String key = f.ruleId() + "|" + f.location().file() + "|" + f.location().startOffset();
                merged.putIfAbsent(key, f);
                reachedFrom.computeIfAbsent(key, k -> new ArrayList<>()).add(part);
            }
        }
        if (cache != null && !cancelled.getAsBoolean()) {
            cache.keepProgramResults(this, results);
        }
        List<Finding> findings = new ArrayList<>();
        merged.forEach((key, f) -> findings.add(namePrograms(f, reachedFrom.get(key))));
        Map<String, SourceFile> byPath = new HashMap<>();
        sources.forEach(f -> byPath.put(f.path(), f));
        List<Finding> shown = new ArrayList<>();
        List<Suppressions.Suppressed> suppressed = new ArrayList<>();
        Suppressions.split(disambiguate(sort(findings)), byPath, shown, suppressed);
        return new AnalysisResult(shown, suppressed, notes, sources.stream().map(SourceFile::path).toList());
    }

    /** What a program is made of: the same trees (unchanged files) and functions give the same findings. */
    private record ProgramKey(SyntaxTree main, List<SyntaxTree> trees, Set<CFunction> functions) {
    }

    /** One program's findings and notes; {@code failures} are the notes that say a rule failed. */
    private record ProgramResult(List<Finding> findings, List<Notification> notes, Set<Notification> failures) {
    }

    private ProgramResult analyzeProgram(Programs.Part part, Map<SyntaxTree, List<CFunction>> functionsOfFile,
            BooleanSupplier cancelled) {
        List<Finding> found = new ArrayList<>();
        List<Notification> notes = new ArrayList<>();
        Set<Notification> failures = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        CProgram program;
        try {
            program = new CProgram(part.trees(), functionsOfFile, part.functions());
        } catch (RuntimeException e) {
            // a model that cannot be built for one program must not hide the other programs' findings
            notes.add(Notification.error(part.main() == null ? "" : part.main().file().path(),
                    "the program model could not be built, no findings for it: " + e));
            return new ProgramResult(List.of(), notes, failures);
        }
        runRules(program, found, notes, failures, cancelled);
        return new ProgramResult(List.copyOf(found), List.copyOf(notes), failures);
    }

    private void runRules(CProgram program, List<Finding> findings, List<Notification> notes,
            Set<Notification> failures, BooleanSupplier cancelled) {
        for (CRule rule : rules) {
            if (cancelled.getAsBoolean()) {
                return;
            }
            String id = RuleDescriptor.of(rule.getClass()).id();
            if (!settings.enabled(id)) {
                continue;
            }
            try {
                rule.check(program, new Context(id, findings, notes));
            } catch (RuntimeException e) {
                // one broken rule must not hide the others' findings; say which rule failed
                String failure = "rule " + id + " failed: " + e;
                if (notes.stream().noneMatch(n -> n.message().equals(failure))) {
                    Notification n = Notification.error("", failure);
                    notes.add(n);
                    failures.add(n);
                }
            }
        }
    }

    /**
     * A finding outside any main file, in a folder of several programs, says which programs reach it: the user of
     * {@code serv03.c} must see the bug of a helper that {@code serv01.c} also reaches.
     */
    private static Finding namePrograms(Finding f, List<Programs.Part> parts) {
        List<Programs.Part> named = parts.stream().filter(p -> p.main() != null).toList();
        if (named.isEmpty() || named.stream().anyMatch(p -> p.main().file().path().equals(f.location().file()))) {
            return f;
        }
        List<RelatedLocation> evidence = new ArrayList<>(f.evidence());
        List<String> names = named.stream().map(Programs.Part::mainName).toList();
        String which = names.size() <= 6 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
        evidence.add(new RelatedLocation(named.get(0).mainLocation(), names.size() == 1
                ? "reached from the program whose main() is in " + which
                : "reached from " + names.size() + " programs, whose main() is in " + which));
        return new Finding(f.ruleId(), f.severity(), f.message(), f.location(), evidence, f.fixes(), f.moment(),
                f.fingerprint());
    }

    /** One rule's view of the run: its findings go to the shared list, at the severity the settings give. */
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
            findings.add(settings.overridesSeverity(f.ruleId())
                    ? f.withSeverity(settings.severity(f.ruleId(), f.severity())) : f);
        }

        @Override
        public String option(String name, String defaultValue) {
            String v = settings.option(ruleId, name);
            return v == null ? defaultValue : v;
        }

        @Override
        public void invalidOption(String name, String value, String expected) {
            notes.add(Notification.warning(settings.origin(), ruleId + "." + name + " = " + value + ": expected "
                    + expected + "; using the default"));
        }
    }

    /**
     * Parses on up to {@link #parallelism} threads, one tree-sitter parser each (parsers are not thread-safe, trees
     * of different parsers are independent). Trees come back in input order.
     */
    private List<SyntaxTree> parseAll(List<SourceFile> sources, Progress progress, BooleanSupplier cancelled) {
        int threads = Math.max(1, Math.min(parallelism, sources.size()));
        SyntaxTree[] out = new SyntaxTree[sources.size()];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            try (CParser parser = new CParser()) {
                for (int i = next.getAndIncrement(); i < out.length && !cancelled.getAsBoolean();
                        i = next.getAndIncrement()) {
                    SyntaxTree known = cache == null ? null : cache.lookup(sources.get(i));
                    out[i] = known != null ? known : parser.parse(sources.get(i));
                    if (cache != null && known == null) {
                        cache.store(out[i]);
                    }
                    synchronized (progress) {
                        progress.parsed(sources.get(i).path());
                    }
                }
            }
        };
        if (threads == 1) {
            worker.run();
        } else {
            List<Thread> pool = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(worker, "interleave-parse-" + t);
                th.setDaemon(true);
                pool.add(th);
                th.start();
            }
            for (Thread th : pool) {
                try {
                    th.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<SyntaxTree> trees = new ArrayList<>();
        for (SyntaxTree t : out) {
            if (t != null) {
                trees.add(t);
            }
        }
        return trees;
    }

    private static List<Finding> sort(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Comparator.comparing((Finding f) -> f.location().file())
                .thenComparingInt(f -> f.location().startOffset()).thenComparing(Finding::ruleId));
        return sorted;
    }

    /** Two findings with the same anchor (the same call twice in one function) get distinct fingerprints. */
    private static List<Finding> disambiguate(List<Finding> findings) {
        Map<String, Integer> seen = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            int n = seen.merge(f.fingerprint(), 1, Integer::sum);
            out.add(n == 1 ? f : f.withFingerprint(Finding.fingerprint(f.fingerprint(), Integer.toString(n))));
        }
        return out;
    }
}
