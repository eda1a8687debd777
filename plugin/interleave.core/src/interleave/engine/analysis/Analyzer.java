package interleave.engine.analysis;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import interleave.engine.finding.Finding;
import interleave.engine.finding.RelatedLocation;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleContext;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

/**
 * Files → front ends → program models → rules → findings, for any language. Each file goes to the first front end
 * that takes it (files nobody takes go to the first front end, as a file named on the command line always did); each
 * front end parses its files in parallel and groups them into programs; every rule whose {@link Rule#model()} the
 * program's model is an instance of runs on it. Then the same finding reached from several programs is kept once,
 * findings are sorted, fingerprints made distinct and suppressions applied. Reads nothing but the given files; never
 * throws for bad input (it becomes a notification). Used by the command line and by Eclipse alike.
 */
public final class Analyzer {
    private final List<FrontEnd<?>> frontEnds;
    private final List<Rule<?>> rules;
    private final int parallelism;
    private final Settings settings;
    private final ParseCache cache;

    /** Every front end found, every registered rule, one parser per core, default settings. */
    public Analyzer() {
        this(FrontEnds.all(), RuleRegistry.rules(), Runtime.getRuntime().availableProcessors(), Settings.defaults(),
                null);
    }

    /**
     * @param frontEnds   the languages to analyze; the first also takes files no front end claims
     * @param rules       the rules to run (each on the programs whose model it reads)
     * @param parallelism how many files to parse at once (1 = on the calling thread)
     * @param settings    which rules run, at which severity, with which options
     * @param cache       trees kept between analyses (only changed files are parsed again), or null
     */
    public Analyzer(List<? extends FrontEnd<?>> frontEnds, List<? extends Rule<?>> rules, int parallelism,
            Settings settings, ParseCache cache) {
        if (frontEnds.isEmpty()) {
            throw new IllegalArgumentException("no front end");
        }
        this.frontEnds = List.copyOf(frontEnds);
        this.rules = List.copyOf(rules);
        this.parallelism = parallelism;
        this.settings = settings;
        this.cache = cache;
    }

    public List<FrontEnd<?>> frontEnds() {
        return frontEnds;
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

    /**
     * The sources under the given paths: directories recursively (the files some front end takes; hidden folders and
     * {@code target} skipped), files as given.
     */
    public static List<Path> collectSources(List<Path> inputs, List<? extends FrontEnd<?>> frontEnds)
            throws IOException {
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
                        if (attrs.isRegularFile() && frontEnds.stream().anyMatch(f -> f.accepts(n))) {
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

    /** The front end that takes a file: the first that accepts its name, else the first of all. */
    private FrontEnd<?> frontEndFor(String path) {
        String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        for (FrontEnd<?> f : frontEnds) {
            if (f.accepts(name)) {
                return f;
            }
        }
        return frontEnds.get(0);
    }

    /** Analyzes files from disk; {@code display} turns a path into the name used in findings. */
    public AnalysisResult analyzeFiles(List<Path> files, Function<Path, String> display, Progress progress,
            BooleanSupplier cancelled) {
        List<Notification> notes = new ArrayList<>();
        List<SourceFile> sources = new ArrayList<>();
        for (Path p : files) {
            try {
                SourceFile f = frontEndFor(p.toString()).read(p, display.apply(p));
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
        Map<FrontEnd<?>, List<SourceFile>> byFrontEnd = new LinkedHashMap<>();
        for (SourceFile s : sources) {
            byFrontEnd.computeIfAbsent(frontEndFor(s.path()), k -> new ArrayList<>()).add(s);
        }
        List<Notification> notes = new ArrayList<>();
        Map<Object, Object> perTree = cache != null ? cache.perTree() : new HashMap<>();
        List<FrontEnd.Program> units = new ArrayList<>();
        byFrontEnd.forEach((frontEnd, files) -> units.addAll(parseAndGroup(frontEnd, files, perTree, notes, progress,
                cancelled)));
        Set<String> known = new java.util.HashSet<>();
        RuleRegistry.descriptors().forEach(d -> known.add(d.id()));
        rules.forEach(r -> known.add(RuleDescriptor.of(r.getClass()).id()));
        for (String id : settings.mentionedRules()) {
            // another tool's checks (spotbugs:TYPE) are checked where that tool's findings are merged in
            if (!known.contains(id) && !id.contains(":")) {
                notes.add(Notification.warning(settings.origin(), "no rule '" + id + "' (interleave rules lists"
                        + " them); the setting is ignored"));
            }
        }
        // the same finding reached from several programs (a shared helper) is reported once, naming them all
        Map<String, Finding> merged = new LinkedHashMap<>();
        Map<String, List<FrontEnd.Program>> reachedFrom = new HashMap<>();
        Map<Object, Object> previous = cache != null ? cache.programResults(this) : Map.of();
        Map<Object, Object> results = new HashMap<>();
        for (FrontEnd.Program program : units) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            Object key = program.key();
            ProgramResult result = (ProgramResult) previous.get(key);
            if (result == null) {
                result = analyzeProgram(program, cancelled);
                if (cancelled.getAsBoolean()) {
                    break; // a program cut short is not kept
                }
            }
            results.put(key, result);
            for (Notification n : result.notes()) {
                // a rule that fails in several programs is said once
                if (!result.failures().contains(n) || notes.stream().noneMatch(o -> o.message().equals(n.message()))) {
                    notes.add(n);
                }
            }
            for (Finding f : result.findings()) {
                String k = f.ruleId() + "|" + f.location().file() + "|" + f.location().startOffset();
                merged.putIfAbsent(k, f);
                reachedFrom.computeIfAbsent(k, x -> new ArrayList<>()).add(program);
            }
        }
        if (cache != null && !cancelled.getAsBoolean()) {
            cache.keepProgramResults(this, results);
        }
        List<Finding> findings = new ArrayList<>();
        merged.forEach((k, f) -> findings.add(namePrograms(f, reachedFrom.get(k))));
        Map<String, SourceFile> byPath = new HashMap<>();
        sources.forEach(f -> byPath.put(f.path(), f));
        List<Finding> shown = new ArrayList<>();
        List<Suppressions.Suppressed> suppressed = new ArrayList<>();
        Suppressions.split(disambiguate(sort(findings)), byPath, shown, suppressed);
        return new AnalysisResult(shown, suppressed, notes, sources.stream().map(SourceFile::path).toList());
    }

    private <T> List<FrontEnd.Program> parseAndGroup(FrontEnd<T> frontEnd, List<SourceFile> files, Map<Object, Object> perTree,
            List<Notification> notes, Progress progress, BooleanSupplier cancelled) {
        List<T> trees = parseAll(frontEnd, files, progress, cancelled);
        for (T t : trees) {
            notes.addAll(frontEnd.notes(t));
        }
        if (cancelled.getAsBoolean()) {
            return List.of();
        }
        return frontEnd.programs(trees, perTree, cancelled);
    }

    /** One program's findings and notes; {@code failures} are the notes that say a rule failed. */
    private record ProgramResult(List<Finding> findings, List<Notification> notes, Set<Notification> failures) {
    }

    private ProgramResult analyzeProgram(FrontEnd.Program unit, BooleanSupplier cancelled) {
        List<Finding> found = new ArrayList<>();
        List<Notification> notes = new ArrayList<>();
        Set<Notification> failures = Collections.newSetFromMap(new IdentityHashMap<>());
        ProgramModel program;
        try {
            program = unit.model();
        } catch (RuntimeException e) {
            // a model that cannot be built for one program must not hide the other programs' findings
            notes.add(Notification.error(unit.mainFile() == null ? "" : unit.mainFile(),
                    "the program model could not be built, no findings for it: " + e));
            return new ProgramResult(List.of(), notes, failures);
        }
        notes.addAll(unit.notes());
        runRules(program, found, notes, failures, cancelled);
        return new ProgramResult(List.copyOf(found), List.copyOf(notes), failures);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runRules(ProgramModel program, List<Finding> findings, List<Notification> notes,
            Set<Notification> failures, BooleanSupplier cancelled) {
        for (Rule rule : rules) {
            if (cancelled.getAsBoolean()) {
                return;
            }
            if (!rule.model().isInstance(program)) {
                continue; // a rule of another language
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
    private static Finding namePrograms(Finding f, List<FrontEnd.Program> programs) {
        List<FrontEnd.Program> named = programs.stream().filter(p -> p.mainFile() != null).toList();
        if (named.isEmpty() || named.stream().anyMatch(p -> p.mainFile().equals(f.location().file()))) {
            return f;
        }
        List<RelatedLocation> evidence = new ArrayList<>(f.evidence());
        List<String> names = named.stream().map(FrontEnd.Program::mainName).toList();
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
     * Parses on up to {@link #parallelism} threads, one parser each (parsers need not be thread-safe, trees of
     * different parsers are independent). Trees come back in input order.
     */
    private <T> List<T> parseAll(FrontEnd<T> frontEnd, List<SourceFile> sources, Progress progress,
            BooleanSupplier cancelled) {
        int threads = Math.max(1, Math.min(parallelism, sources.size()));
        Object[] out = new Object[sources.size()];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            try (FrontEnd.Parser<T> parser = frontEnd.openParser()) {
                for (int i = next.getAndIncrement(); i < out.length && !cancelled.getAsBoolean();
                        i = next.getAndIncrement()) {
                    Object known = cache == null ? null : cache.lookup(sources.get(i));
                    out[i] = known != null ? known : parser.parse(sources.get(i));
                    if (cache != null && known == null) {
                        cache.store(sources.get(i), out[i]);
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
        List<T> trees = new ArrayList<>();
        for (Object t : out) {
            if (t != null) {
                @SuppressWarnings("unchecked")
                T tree = (T) t;
                trees.add(tree);
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
