package interleave.java;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.eclipse.jdt.core.JavaCore;
import org.eclipse.jdt.core.dom.AST;
import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTParser;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.AbstractTypeDeclaration;
import org.eclipse.jdt.core.dom.CompilationUnit;
import org.eclipse.jdt.core.dom.FieldDeclaration;
import org.eclipse.jdt.core.dom.FileASTRequestor;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.ITypeBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.MethodDeclaration;
import org.eclipse.jdt.core.dom.PackageDeclaration;
import org.eclipse.jdt.core.dom.VariableDeclarationFragment;

import interleave.engine.analysis.ProgramModel;
import interleave.engine.analysis.SourceFile;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;
import interleave.java.facts.JavaConcurrency;

/**
 * Java source files as JDT sees them: one syntax tree per file with bindings resolved against the other files, the
 * classpath given and the running JDK. Code that does not compile still gets a tree (JDT recovers) and bindings where
 * they can be found, so the rules see what parsed. Derived facts are computed once and cached.
 */
public final class JavaProgram implements ProgramModel {

    /** One parsed file: its display path, its text (lines for suppression comments) and its tree. */
    public record Unit(String path, SourceFile source, CompilationUnit ast) {
    }

    private static final int SOURCEPATH_MAX_FILES = 20;

    private final List<Unit> units;
    private final Map<CompilationUnit, Unit> byAst = new HashMap<>();
    private final Map<String, MethodDeclaration> methods = new LinkedHashMap<>();
    private final Map<String, AbstractTypeDeclaration> types = new LinkedHashMap<>();
    private final Map<String, VariableDeclarationFragment> fields = new HashMap<>();
    private final Map<Class<?>, Object> facts = new ConcurrentHashMap<>();

    private JavaProgram(List<Unit> units) {
        this.units = List.copyOf(units);
        for (Unit u : units) {
            byAst.put(u.ast(), u);
            u.ast().accept(new ASTVisitor() {
                @Override
                public boolean visit(MethodDeclaration m) {
                    IMethodBinding b = m.resolveBinding();
                    if (b != null && m.getBody() != null) {
                        methods.putIfAbsent(b.getMethodDeclaration().getKey(), m);
                    }
                    return true;
                }

                @Override
                public void endVisit(org.eclipse.jdt.core.dom.TypeDeclaration t) {
                    type(t);
                }

                @Override
                public void endVisit(org.eclipse.jdt.core.dom.RecordDeclaration t) {
                    type(t);
                }

                @Override
                public void endVisit(org.eclipse.jdt.core.dom.EnumDeclaration t) {
                    type(t);
                }

                private void type(AbstractTypeDeclaration t) {
                    ITypeBinding b = t.resolveBinding();
                    if (b != null) {
                        types.putIfAbsent(b.getErasure().getKey(), t);
                    }
                }

                @Override
                public boolean visit(FieldDeclaration f) {
                    for (Object o : f.fragments()) {
                        VariableDeclarationFragment v = (VariableDeclarationFragment) o;
                        IVariableBinding b = v.resolveBinding();
                        if (b != null) {
                            fields.putIfAbsent(b.getVariableDeclaration().getKey(), v);
                        }
                    }
                    return true;
                }
            });
        }
    }

    /**
     * Parses {@code files} together (bindings across them). {@code sources} holds each file's text as read by the
     * caller (unreadable files are left out before); {@code classpath} the jars and class folders their imports need.
     */
    public static JavaProgram parse(List<Path> files, Map<Path, SourceFile> sources, List<Path> classpath) {
        ASTParser parser = ASTParser.newParser(AST.getJLSLatest());
        Map<String, String> options = JavaCore.getOptions();
        JavaCore.setComplianceOptions(JavaCore.latestSupportedJavaVersion(), options);
        options.put(JavaCore.COMPILER_PB_ENABLE_PREVIEW_FEATURES, JavaCore.ENABLED);
        parser.setCompilerOptions(options);
        parser.setKind(ASTParser.K_COMPILATION_UNIT);
        parser.setResolveBindings(true);
        parser.setBindingsRecovery(true);
        parser.setStatementsRecovery(true);
        // a few files given alone (one class of a project): their package roots let JDT find the project's other
        // types on disk; a whole tree is all in the batch already, and searching roots for every type it does not
        // define (library types without a classpath) costs more than it finds
        List<String> roots = files.size() <= SOURCEPATH_MAX_FILES ? sourceRoots(files, sources) : List.of();
        String[] encodings = new String[roots.size()];
        java.util.Arrays.fill(encodings, StandardCharsets.UTF_8.name());
        parser.setEnvironment(classpath.stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new),
                roots.toArray(String[]::new), encodings, true);
        Map<String, Path> byAbsolute = new HashMap<>();
        for (Path f : files) {
            byAbsolute.put(f.toAbsolutePath().normalize().toString(), f);
        }
        String[] paths = byAbsolute.keySet().stream().sorted().toArray(String[]::new);
        String[] fileEncodings = new String[paths.length];
        java.util.Arrays.fill(fileEncodings, StandardCharsets.UTF_8.name());
        Map<String, CompilationUnit> parsed = new HashMap<>();
        parser.createASTs(paths, fileEncodings, new String[0], new FileASTRequestor() {
            @Override
            public void acceptAST(String sourceFilePath, CompilationUnit ast) {
                parsed.put(sourceFilePath, ast);
            }
        }, null);
        List<Unit> units = new ArrayList<>();
        for (String p : paths) {
            CompilationUnit ast = parsed.get(p);
            Path f = byAbsolute.get(p);
            if (ast != null) {
                SourceFile s = sources.get(f);
                units.add(new Unit(s.path(), s, ast));
            }
        }
        return new JavaProgram(units);
    }

    /** The folders that hold each file's package root (a file in package a.b under src/a/b/ gives src/). */
    private static List<String> sourceRoots(List<Path> files, Map<Path, SourceFile> sources) {
        List<String> roots = new ArrayList<>();
        for (Path f : files) {
            Path dir = f.toAbsolutePath().normalize().getParent();
            String pkg = packageOf(sources.get(f).text());
            if (dir != null && !pkg.isEmpty()) {
                String[] parts = pkg.split("\\.");
                Path root = dir;
                boolean matches = true;
                for (int i = parts.length - 1; i >= 0 && root != null; i--) {
                    if (root.getFileName() == null || !root.getFileName().toString().equals(parts[i])) {
                        matches = false;
                        break;
                    }
                    root = root.getParent();
                }
                dir = matches && root != null ? root : dir;
            }
            if (dir != null && !roots.contains(dir.toString())) {
                roots.add(dir.toString());
            }
        }
        return roots;
    }

    private static String packageOf(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(text);
        return m.find() ? m.group(1) : "";
    }

    @Override
    public Language language() {
        return Language.JAVA;
    }

    @Override
    public String name() {
        return units.isEmpty() ? "(no Java files)" : units.get(0).path();
    }

    @Override
    public ConcurrencyFacts concurrency() {
        return JavaConcurrency.of(this).neutral();
    }

    /** Java's atomic counter: the field becomes an {@code AtomicInteger}/{@code AtomicLong} when every use allows. */
    @Override
    public interleave.engine.concurrency.ConcurrencyFixes concurrencyFixes() {
        return (write, accesses) -> interleave.java.fixes.AtomicCounterFix.forVariable(this, write.variable().key())
                .map(List::of).orElse(List.of());
    }

    public List<Unit> units() {
        return units;
    }

    /** The method declared in these files for a binding (its generic declaration), or null. */
    public MethodDeclaration method(IMethodBinding b) {
        return b == null ? null : methods.get(b.getMethodDeclaration().getKey());
    }

    public java.util.Collection<MethodDeclaration> methods() {
        return methods.values();
    }

    /** The type declared in these files for a binding, or null. */
    public AbstractTypeDeclaration type(ITypeBinding b) {
        return b == null ? null : types.get(b.getErasure().getKey());
    }

    /** A field's declaration in these files, or null. */
    public VariableDeclarationFragment field(IVariableBinding b) {
        return b == null ? null : fields.get(b.getVariableDeclaration().getKey());
    }

    public Unit unit(ASTNode node) {
        return byAst.get((CompilationUnit) node.getRoot());
    }

    /** The node's range in its file. */
    public SourceRange range(ASTNode node) {
        return range(node, node.getStartPosition(), node.getStartPosition() + node.getLength());
    }

    public SourceRange range(ASTNode inFile, int start, int end) {
        CompilationUnit cu = (CompilationUnit) inFile.getRoot();
        Unit u = byAst.get(cu);
        int sl = Math.max(1, cu.getLineNumber(start));
        int el = Math.max(sl, cu.getLineNumber(Math.max(start, end - 1)));
        int sc = Math.max(0, cu.getColumnNumber(start)) + 1;
        int ec = Math.max(0, cu.getColumnNumber(Math.max(start, end - 1))) + 2;
        return new SourceRange(u == null ? "?" : u.path(), sl, sc, el, ec, start, Math.max(start, end));
    }

    public String text(ASTNode node) {
        Unit u = unit(node);
        return u.source().text().substring(node.getStartPosition(), node.getStartPosition() + node.getLength());
    }

    /** The package of a file, for messages. */
    public static String packageName(CompilationUnit cu) {
        PackageDeclaration p = cu.getPackage();
        return p == null ? "" : p.getName().getFullyQualifiedName();
    }

    /** Facts derived from this program, computed once per kind (see {@link JavaConcurrency#of}). */
    @SuppressWarnings("unchecked")
    public <T> T facts(Class<T> kind, Function<JavaProgram, T> derive) {
        Object known = facts.get(kind);
        if (known == null) {
            known = derive.apply(this);
            Object raced = facts.putIfAbsent(kind, known);
            known = raced != null ? raced : known;
        }
        return (T) known;
    }
}
