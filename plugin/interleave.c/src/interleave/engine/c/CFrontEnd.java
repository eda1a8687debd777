package interleave.engine.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import interleave.engine.analysis.FrontEnd;
import interleave.engine.analysis.Notification;
import interleave.engine.analysis.ProgramModel;
import interleave.engine.analysis.SourceFile;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.engine.rules.Rule;
import interleave.engine.rules.c.CRules;

/**
 * C through tree-sitter: {@code .c} and {@code .h} files, one {@link CProgram} per program of a folder
 * ({@link Programs}: each {@code main} with what it reaches).
 */
public final class CFrontEnd implements FrontEnd<SyntaxTree> {

    @Override
    public Language language() {
        return Language.C;
    }

    /** The C rules ({@link CRules}); the neutral ones are the registry's own. */
    @Override
    public List<Rule<?>> rules() {
        return List.copyOf(CRules.C_RULES);
    }

    @Override
    public List<String> extensions() {
        return List.of(".c", ".h");
    }

    @Override
    public Parser<SyntaxTree> openParser() {
        CParser parser = new CParser();
        return new Parser<>() {
            @Override
            public SyntaxTree parse(SourceFile file) {
                return parser.parse(file);
            }

            @Override
            public void close() {
                parser.close();
            }
        };
    }

    @Override
    public SourceFile source(SyntaxTree parsed) {
        return parsed.file();
    }

    @Override
    public List<Notification> notes(SyntaxTree t) {
        if (!t.hasErrors()) {
            return List.of();
        }
        return List.of(Notification.partialParse(t.file().path(), t.errorNodes(),
                " (missing headers or macros, or unfinished code); findings come from the parts that parsed"));
    }

    /** What a program is made of: the same trees (unchanged files) and functions give the same findings. */
    private record Key(SyntaxTree main, List<SyntaxTree> trees, Set<CFunction> functions) {
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<Program> programs(List<SyntaxTree> trees, Map<Object, Object> perTree, BooleanSupplier cancelled) {
        Map<SyntaxTree, List<CFunction>> functionsOfFile = (Map) perTree;
        List<Program> out = new ArrayList<>();
        for (Programs.Part part : Programs.split(trees, functionsOfFile)) {
            out.add(new Program() {
                @Override
                public Object key() {
                    return new Key(part.main(), part.trees(), part.functions());
                }

                @Override
                public ProgramModel model() {
                    return new CProgram(part.trees(), functionsOfFile, part.functions());
                }

                @Override
                public String mainFile() {
                    return part.main() == null ? null : part.main().file().path();
                }

                @Override
                public String mainName() {
                    return part.mainName();
                }

                @Override
                public SourceRange mainLocation() {
                    return part.mainLocation();
                }
            });
        }
        return out;
    }
}
