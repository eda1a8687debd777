package interleave.engine.analysis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.engine.rules.Rule;
import interleave.engine.rules.RuleDescriptor;

/**
 * One language's way from files to program models: which files it takes, how it parses them (one parser per thread),
 * and how it groups parsed files into programs. The {@link Analyzer} does the rest for every language alike (parallel
 * parsing, cancellation, running the rules whose {@link Rule#model()} matches, merging, sorting, fingerprints,
 * suppressions, settings). Found by {@link FrontEnds}, which makes one of each at start-up: keep the heavy parts (a
 * compiler such as JDT) out of the class that implements this interface and load them only when a file is parsed, so
 * that analyzing C alone never loads them.
 *
 * @param <T> what the parser makes of one file (a syntax tree)
 */
public interface FrontEnd<T> {

    Language language();

    /** The file name endings this front end takes ({@code .c}, {@code .h}), for folders and messages. */
    List<String> extensions();

    /** True when this front end analyzes the file (by its name). */
    default boolean accepts(String fileName) {
        return extensions().stream().anyMatch(fileName::endsWith);
    }

    /**
     * Reads one file from disk. A file that cannot be read, or is clearly not source, throws
     * {@link UnreadableSourceException}; the analyzer turns it into an error notification naming the file and goes on.
     */
    default SourceFile read(Path file, String displayPath) throws UnreadableSourceException {
        return SourceFile.read(file, displayPath);
    }

    /** A parser for one thread: the analyzer opens one per parsing thread and closes it afterwards. */
    Parser<T> openParser();

    interface Parser<T> extends AutoCloseable {
        T parse(SourceFile file);

        @Override
        void close();
    }

    /** The file a parsed tree was made from. */
    SourceFile source(T parsed);

    /** What the tool has to say about one parsed file (it parsed only in part), or nothing. */
    default List<Notification> notes(T parsed) {
        return List.of();
    }

    /**
     * Groups parsed files into the programs that run (a folder of small servers is several programs).
     *
     * @param perTree   facts derived from one parsed file, kept by a {@link ParseCache} for as long as the file is
     *                  unchanged (a fresh map when there is no cache); keyed by the parsed tree
     * @param cancelled checked between steps of long work
     */
    List<Program> programs(List<T> parsed, Map<Object, Object> perTree, BooleanSupplier cancelled);

    /** One program, its model built on demand. */
    interface Program {
        /**
         * Equal keys mean the same program made of unchanged files: its findings from the last analysis are reused
         * (with a {@link ParseCache}).
         */
        Object key();

        /** Builds the model; a failure is reported for this program and the others go on. */
        ProgramModel model();

        /** The file of the program's entry ({@code main}), or null when the program has none of its own. */
        String mainFile();

        /** The entry file's short name for messages ({@code serv01.c}), or null. */
        String mainName();

        /** Where the entry is, for notes; only asked when {@link #mainFile()} is not null. */
        SourceRange mainLocation();

        /** What building the model had to say (syntax errors of a language parsed per program); asked after it. */
        default List<Notification> notes() {
            return List.of();
        }
    }

    /**
     * This front end with the libraries the sources use (jars, class folders), so their types resolve; a language
     * without such a notion returns itself.
     */
    default FrontEnd<T> withClasspath(List<Path> entries) {
        return this;
    }

    /** Rules only this front end's models run, beyond those in {@link interleave.engine.rules.RuleRegistry}. */
    default List<Rule<?>> rules() {
        return List.of();
    }

    /** Checks of other tools whose findings this front end merges in (SpotBugs patterns), for listings and pages. */
    default List<RuleDescriptor> importedChecks() {
        return List.of();
    }
}
