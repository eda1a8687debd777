package interleave.java;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jdt.core.compiler.IProblem;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.ProgramModel;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.SourceRange;

/**
 * The Java files of one analysis as one program for the analysis core: parsed together by JDT when the model is first
 * asked for (this is the class that brings JDT in), with what the parse had to say (syntax errors, classpath entries
 * that do not exist) as notes.
 */
final class JavaModel implements FrontEnd.Program {
    private final List<SourceFile> files;
    private final Map<SourceFile, Path> onDisk;
    private final List<Path> classpath;
    private final Object key = new Object();
    private JavaProgram model;
    private final List<Notification> notes = new ArrayList<>();

    JavaModel(List<SourceFile> files, Map<SourceFile, Path> onDisk, List<Path> classpath) {
        this.files = List.copyOf(files);
        this.onDisk = onDisk;
        this.classpath = List.copyOf(classpath);
    }

    @Override
    public Object key() {
        return key; // the batch is parsed again each time: bindings depend on every file of it
    }

    @Override
    public synchronized ProgramModel model() {
        if (model == null) {
            model = parse();
        }
        return model;
    }

    private JavaProgram parse() {
        Map<Path, SourceFile> sources = new LinkedHashMap<>();
        Path scratch = null;
        try {
            for (SourceFile f : files) {
                Path p = onDisk.get(f);
                if (p == null) {
                    // text from memory (an editor buffer): JDT's batch parser reads files, so it gets one
                    if (scratch == null) {
                        scratch = Files.createTempDirectory("interleave-java");
                    }
                    Path name = Path.of(f.path()).getFileName();
                    p = scratch.resolve(sources.size() + "").resolve(name == null ? "Unnamed.java" : name.toString());
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, f.text(), StandardCharsets.UTF_8);
                }
                sources.put(p, f);
            }
            for (Path cp : classpath) {
                if (!Files.exists(cp)) {
                    notes.add(Notification.warning(cp.toString(), "classpath entry does not exist; types from it stay"
                            + " unresolved"));
                }
            }
            JavaProgram program = JavaProgram.parse(new ArrayList<>(sources.keySet()), sources, classpath);
            for (JavaProgram.Unit u : program.units()) {
                int syntax = 0;
                for (IProblem p : u.ast().getProblems()) {
                    if (p.isError() && (p.getID() & IProblem.Syntax) != 0) {
                        syntax++;
                    }
                }
                if (syntax > 0) {
                    notes.add(Notification.warning(u.path(), syntax + " syntax error(s) (unfinished code?); findings"
                            + " come from the parts that parsed"));
                }
            }
            return program;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    @Override
    public synchronized List<Notification> notes() {
        return List.copyOf(notes);
    }

    @Override
    public String mainFile() {
        return null; // one program of all the files given: findings need no "reached from" note
    }

    @Override
    public String mainName() {
        return null;
    }

    @Override
    public SourceRange mainLocation() {
        return null;
    }
}
