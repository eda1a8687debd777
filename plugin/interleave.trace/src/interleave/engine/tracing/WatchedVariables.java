package interleave.engine.tracing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.finding.Finding;
import interleave.engine.rules.concurrency.UnsynchronizedSharedWrite;
import interleave.engine.trace.Symbolizer;

/**
 * The shared variables the static rule {@code unsynchronized-shared-write} flags in a program's sources, resolved to
 * addresses through the executable's ELF symbols, as the agent's {@code INTERLEAVE_TRACE_WATCH_VARS} value. At most
 * {@link #MAX} variables: each takes a debug register in every thread (x86 has four; the argument watchpoint and a
 * debugger keep theirs).
 */
public final class WatchedVariables {
    public static final int MAX = 2;
    public static final String ENV = "INTERLEAVE_TRACE_WATCH_VARS";

    /** A variable to watch: its name, link-time address (relative to the load base for a PIE) and size. */
    public record Variable(String name, long offset, long size) {
    }

    /**
     * @param watched what the agent will watch
     * @param skipped flagged variables that are not watched, each with the reason
     * @param flagged how many findings of the static rule there were
     */
    public record Plan(List<Variable> watched, List<String> skipped, int flagged) {
        /** The environment the agent reads ({@code /abs/exe|cnt@0x4090:8,...}); empty when nothing is watched. */
        public Map<String, String> environment(Path program) {
            if (watched.isEmpty()) {
                return Map.of();
            }
            StringBuilder sb = new StringBuilder(program.toAbsolutePath().normalize().toString()).append('|');
            for (int i = 0; i < watched.size(); i++) {
                Variable v = watched.get(i);
                sb.append(i == 0 ? "" : ",").append(v.name()).append(String.format("@0x%x:", v.offset()))
                        .append(v.size());
            }
            return Map.of(ENV, sb.toString());
        }
    }

    // the rule's message names the location as written: "... writes the shared variable cnt with no lock held"
    private static final Pattern NAMED = Pattern.compile("writes the shared variable (\\S+?)[,.]?(?: |$)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private WatchedVariables() {
    }

    /** The variable names in the rule's findings, in finding order, without repeats. */
    public static List<String> flaggedNames(List<Finding> findings) {
        Set<String> names = new LinkedHashSet<>();
        for (Finding f : findings) {
            if (!f.ruleId().equals(UnsynchronizedSharedWrite.ID)) {
                continue;
            }
            Matcher m = NAMED.matcher(f.message());
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return List.copyOf(names);
    }

    /** Analyzes {@code sources} (files or folders) and resolves the flagged variables in {@code program}. */
    public static Plan plan(List<Path> sources, Path program) throws IOException {
        List<Path> files = CAnalyzer.collectSources(sources);
        if (files.isEmpty()) {
            throw new IOException("no C sources in " + sources);
        }
        AnalysisResult a = new CAnalyzer().analyzeFiles(files, Path::toString, CAnalyzer.Progress.NONE, () -> false);
        return resolve(flaggedNames(a.findings()), program,
                (int) a.findings().stream().filter(f -> f.ruleId().equals(UnsynchronizedSharedWrite.ID)).count());
    }

    /** The names looked up in the program's symbol table: plain variables only, at most {@link #MAX}. */
    public static Plan resolve(List<String> names, Path program, int flagged) {
        List<Variable> watched = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String n : names) {
            if (!IDENTIFIER.matcher(n).matches()) {
                // a field or element: its offset inside the object needs debug info the agent does not read
                skipped.add(n + " (a part of a variable: only whole variables are watched)");
                continue;
            }
            var sym = Files.isRegularFile(program) ? Symbolizer.dataSymbol(program, n) : java.util.Optional.<Symbolizer.DataSymbol>empty();
            if (sym.isEmpty()) {
                skipped.add(n + " (not in the symbol table of " + program.getFileName()
                        + ": stripped, a local, or two statics of that name)");
                continue;
            }
            if (watched.size() >= MAX) {
                skipped.add(n + " (at most " + MAX + " variables are watched: one debug register each per thread)");
                continue;
            }
            watched.add(new Variable(n, sym.get().value(), sym.get().size()));
        }
        return new Plan(List.copyOf(watched), List.copyOf(skipped), flagged);
    }
}
