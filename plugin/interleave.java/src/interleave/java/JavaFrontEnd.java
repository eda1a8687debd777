package interleave.java;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.SourceFile;
import interleave.engine.analysis.UnreadableSourceException;
import interleave.engine.rules.Language;
import interleave.engine.rules.Rule;
import interleave.java.rules.JavaRules;

/**
 * Java as one of the analysis core's front ends. This class names no JDT type: the engine makes one at start-up
 * (ServiceLoader, or {@code FrontEnds.register}), and JDT is loaded only when {@link JavaModel} parses. Parsing is
 * per program, not per file, because bindings need every file of the batch: a file's "tree" here is its text, and the
 * program's model parses them all together.
 */
public final class JavaFrontEnd implements FrontEnd<SourceFile> {
    private final List<Path> classpath;
    /** Where each file read here lies on disk: JDT's batch parser resolves bindings across files it reads itself. */
    private final Map<SourceFile, Path> onDisk = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** No classpath: library types stay unresolved unless the JDK has them. */
    public JavaFrontEnd() {
        this(List.of());
    }

    public JavaFrontEnd(List<Path> classpath) {
        this.classpath = List.copyOf(classpath);
    }

    @Override
    public FrontEnd<SourceFile> withClasspath(List<Path> entries) {
        return new JavaFrontEnd(entries);
    }

    @Override
    public Language language() {
        return Language.JAVA;
    }

    @Override
    public List<String> extensions() {
        return List.of(".java");
    }

    @Override
    public SourceFile read(Path file, String displayPath) throws UnreadableSourceException {
        try {
            SourceFile s = SourceFile.read(file, displayPath);
            onDisk.put(s, file);
            return s;
        } catch (UnreadableSourceException e) {
            throw new UnreadableSourceException(e.file(), e.reason().replace("C source", "Java source"));
        }
    }

    @Override
    public Parser<SourceFile> openParser() {
        return new Parser<>() {
            @Override
            public SourceFile parse(SourceFile file) {
                return file; // parsed with the others of its program, for bindings across files
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public SourceFile source(SourceFile parsed) {
        return parsed;
    }

    /** All the Java files given are one program: a server's classes call each other across files. */
    @Override
    public List<Program> programs(List<SourceFile> parsed, Map<Object, Object> perTree, BooleanSupplier cancelled) {
        return parsed.isEmpty() ? List.of() : List.of(new JavaModel(parsed, onDisk, classpath));
    }

    @Override
    public List<Rule<?>> rules() {
        return List.copyOf(JavaRules.all());
    }
}
