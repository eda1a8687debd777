package interleave.engine.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.Analyzer;
import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.FrontEnds;
import interleave.engine.analysis.Notification;
import interleave.engine.report.SarifReport;
import interleave.engine.report.TextReport;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;
import interleave.engine.settings.SettingsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "analyze", description = "Analyze source files and folders: C and Java (each language's files"
        + " analyzed together; each main is a program).")
final class AnalyzeCommand implements Callable<Integer> {
    enum Format {
        text, sarif
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", description = "text (compiler-style) or sarif (SARIF 2.1.0)."
            + " Default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = {"--out", "-o"}, paramLabel = "FILE", description = "Write the report to FILE instead of stdout.")
    Path out;

    @Option(names = {"--verbose", "-v"}, description = "Also list every file that parsed only in part.")
    boolean verbose;

    @Option(names = {"--jobs", "-j"}, paramLabel = "N", description = "Files parsed at once. Default: the number of cores")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--config", paramLabel = "FILE", description = "Settings file (rules on/off, severities, options)."
            + " Default: the " + Settings.FILE_NAME + " file in the first PATH's folder or the nearest folder above it")
    Path config;

    @Option(names = "--classes", paramLabel = "DIR|JAR", split = ",", description = "Also run SpotBugs' thread and"
            + " resource detectors on these compiled classes; its findings are merged (never twice the same bug), the"
            + " Java sources among PATH give their lines.")
    List<Path> classes;

        @Option(names = "--classpath", paramLabel = "CP", description = "Jars and class folders the Java files use"
            + " (separated by ':'), so their types resolve.")
    String classpath;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "C and Java files or folders (.c, .h and .java,"
            + " recursively).")
    List<Path> paths;

    /** The tool that analyzed --classes, loaded only then (null for a C-only analysis). */
    private interleave.engine.external.ClassFileAnalyzer classTool;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<Path> missing = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                missing.add(p);
            }
        }
        if (classes != null) {
            for (Path p : classes) {
                if (!Files.exists(p)) {
                    missing.add(p);
                }
            }
        }
        if (!missing.isEmpty()) {
            for (Path p : missing) {
                err.println("interleave: " + p + ": no such file or directory");
            }
            return 2;
        }
        List<Path> javaFiles = JavaSupport.collect(paths);
        if (!javaFiles.isEmpty()) {
            String why = JavaSupport.unavailableReason();
            if (why != null) {
                err.println("interleave: " + why + "; " + javaFiles.size() + " .java file(s) not analyzed");
                return 2;
            }
        }
        List<Path> cp = new ArrayList<>();
        if (classpath != null) {
            for (String e : classpath.split(java.io.File.pathSeparator)) {
                if (!e.isBlank()) {
                    cp.add(Path.of(e));
                }
            }
        }
        // C always; Java when the run has Java files (a C-only run never loads the Java front end nor JDT)
        List<FrontEnd<?>> frontEnds = FrontEnds.all().stream().<FrontEnd<?>>map(f -> f.withClasspath(cp)).toList();
        List<Path> files = Analyzer.collectSources(paths, frontEnds);
        if (files.isEmpty() && classes == null) {
            JavaSupport.registerIfInstalled(); // to name its files too
            List<String> kinds = FrontEnds.all().stream().flatMap(f -> f.extensions().stream()).distinct().toList();
            String listed = kinds.size() == 1 ? kinds.get(0) : String.join(", ", kinds.subList(0, kinds.size() - 1))
                    + " or " + kinds.get(kinds.size() - 1);
            err.println("interleave: no " + listed + " files under " + paths);
            return 2;
        }
        Settings settings;
        try {
            Path file = config != null ? config : Settings.find(paths.get(0)).orElse(null);
            settings = file == null ? Settings.defaults() : Settings.read(file);
        } catch (SettingsException e) {
            err.println("interleave: " + e.getMessage());
            return 2;
        }
        Path cwd = Path.of("").toAbsolutePath();
        AnalysisResult result = files.isEmpty() ? new AnalysisResult(List.of(), List.of(), List.of())
                : new Analyzer(frontEnds, RuleRegistry.rules(), Math.max(1, jobs), settings, null)
                        .analyzeFiles(files, p -> display(cwd, p), Analyzer.Progress.NONE, () -> false);
        if (classes != null) {
            try {
                classTool = interleave.engine.external.ClassFileAnalyzers.spotBugs();
                interleave.engine.external.ClassFileAnalyzers.spotBugsChecks(); // its patterns: settings, SARIF
                List<interleave.engine.finding.Finding> theirs = classTool.analyze(classes, paths,
                        p -> display(cwd, p));
                List<Notification> notes = new ArrayList<>(result.notifications());
                classTool.notes().forEach(n -> notes.add(Notification.warning("", n)));
                result = interleave.engine.external.ExternalFindings.mergeInto(new AnalysisResult(result.findings(),
                        result.suppressed(), notes, result.filesAnalyzed()), theirs, classTool, settings,
                        AnalyzeCommand::sourceOf);
            } catch (interleave.engine.external.ClassFileAnalyzers.NotInstalledException e) {
                err.println("interleave: " + e.getMessage());
                return 2;
            } catch (IOException | RuntimeException e) {
                err.println("interleave: SpotBugs could not analyze " + classes + ": " + e.getMessage());
                return 2;
            }
        }
        descriptors = RuleRegistry.checks();
        for (Notification n : result.notifications()) {
            if (n.isError()) {
                err.println("interleave: " + n.describe());
            }
        }
        if (out != null) {
            try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                render(result, w);
            } catch (IOException e) {
                err.println("interleave: cannot write " + out + ": " + e.getMessage());
                return 2;
            }
        } else {
            render(result, spec.commandLine().getOut());
        }
        if (result.hasInputErrors()) {
            return 2;
        }
        return result.findings().isEmpty() ? 0 : 1;
    }

    /** The rules of the languages analyzed, for SARIF's rule table. */
    private List<interleave.engine.rules.RuleDescriptor> descriptors = List.of();

    private void render(AnalysisResult result, Writer w) throws IOException {
        if (format == Format.sarif) {
            SarifReport.write(result, descriptors, Main.VERSION, classTool == null ? List.of()
                    : List.of(new SarifReport.Extension(classTool.toolName(), classTool.toolVersion(),
                            classTool.informationUri(), classTool.rulePrefix())), w);
        } else {
            PrintWriter pw = w instanceof PrintWriter p ? p : new PrintWriter(w);
            TextReport.write(result, pw, verbose);
            pw.flush();
        }
    }

    /** The file a finding names (relative to the working folder, as {@link #display} makes it), or null. */
    static interleave.engine.analysis.SourceFile sourceOf(String file) {
        try {
            Path p = Path.of(file);
            return Files.isRegularFile(p) ? interleave.engine.analysis.SourceFile.read(p, file) : null;
        } catch (interleave.engine.analysis.UnreadableSourceException | java.nio.file.InvalidPathException e) {
            return null; // no comment can silence a finding in a file that cannot be read
        }
    }

    static String display(Path cwd, Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
