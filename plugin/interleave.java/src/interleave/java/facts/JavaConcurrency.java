package interleave.java.facts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.jdt.core.dom.ASTNode;
import org.eclipse.jdt.core.dom.ASTVisitor;
import org.eclipse.jdt.core.dom.AbstractTypeDeclaration;
import org.eclipse.jdt.core.dom.AnonymousClassDeclaration;
import org.eclipse.jdt.core.dom.Assignment;
import org.eclipse.jdt.core.dom.BodyDeclaration;
import org.eclipse.jdt.core.dom.ClassInstanceCreation;
import org.eclipse.jdt.core.dom.ConstructorInvocation;
import org.eclipse.jdt.core.dom.DoStatement;
import org.eclipse.jdt.core.dom.EnhancedForStatement;
import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.ExpressionMethodReference;
import org.eclipse.jdt.core.dom.FieldAccess;
import org.eclipse.jdt.core.dom.ForStatement;
import org.eclipse.jdt.core.dom.IBinding;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.ITypeBinding;
import org.eclipse.jdt.core.dom.IVariableBinding;
import org.eclipse.jdt.core.dom.LambdaExpression;
import org.eclipse.jdt.core.dom.MethodDeclaration;
import org.eclipse.jdt.core.dom.MethodInvocation;
import org.eclipse.jdt.core.dom.MethodReference;
import org.eclipse.jdt.core.dom.Modifier;
import org.eclipse.jdt.core.dom.Name;
import org.eclipse.jdt.core.dom.ParenthesizedExpression;
import org.eclipse.jdt.core.dom.PostfixExpression;
import org.eclipse.jdt.core.dom.PrefixExpression;
import org.eclipse.jdt.core.dom.QualifiedName;
import org.eclipse.jdt.core.dom.SimpleName;
import org.eclipse.jdt.core.dom.SuperConstructorInvocation;
import org.eclipse.jdt.core.dom.SuperMethodInvocation;
import org.eclipse.jdt.core.dom.SynchronizedStatement;
import org.eclipse.jdt.core.dom.ThisExpression;
import org.eclipse.jdt.core.dom.TypeDeclarationStatement;
import org.eclipse.jdt.core.dom.TypeLiteral;
import org.eclipse.jdt.core.dom.WhileStatement;

import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.SourceRange;
import interleave.java.JavaProgram;

/**
 * Which code of a Java program runs on which thread, which locks it holds and which shared fields it touches.
 * <p>
 * Entry points are {@code main} methods and the code handed to a new thread or task: {@code Thread} subclasses'
 * {@code run}, {@code new Thread(runnable | lambda | method reference)}, {@code Thread.ofVirtual().start},
 * {@code ExecutorService.submit/execute/schedule}, {@code CompletableFuture.*Async}. From each entry the calls into
 * the analyzed sources are followed (bounded depth), tracking the locks held: {@code synchronized} methods and blocks,
 * {@code Lock.lock()}…{@code unlock()} (read and write sides of read-write locks) and {@code Semaphore}s. A field
 * access is shared when the field is static, or an instance field reached through an object that several threads
 * see (the {@code this} a lambda or method reference captures, fields of such an object); fields of an object made
 * fresh for one thread ({@code new Handler(socket)}) are not.
 */
public final class JavaConcurrency {
    private static final int MAX_DEPTH = 12;
    private static final int MAX_NODES_PER_ENTRY = 400_000;
    /** A cheap text test for methods that may take a lock themselves. */
    private static final java.util.regex.Pattern TAKES_LOCK = java.util.regex.Pattern
            .compile("synchronized|\\.lock\\(|lockInterruptibly|tryLock|acquire");

    /** A place where code is handed to another thread. */
    public record StartSite(ASTNode site, EntryPoint.Kind kind, ASTNode task, ASTNode body, MethodDeclaration bodyMethod,
            boolean thisShared, ASTNode loop, String name) {
        /** The statement or expression node whose code runs on the new thread ({@code body}), or its method. */
        public ASTNode code() {
            return bodyMethod != null ? bodyMethod.getBody() : body;
        }
    }

    /**
     * A call that can block for long (sleep, wait, blocking I/O) reached while locks are held; {@code entry} is null
     * when no entry point reaches it (found by walking its method on its own).
     */
    public record BlockingCall(EntryPoint entry, ASTNode call, String what, Map<LockRef, SourceRange> held,
            List<CallStep> chain) {
    }

    private final JavaProgram program;
    private final List<StartSite> starts = new ArrayList<>();
    private final Map<ASTNode, StartSite> startBySite = new IdentityHashMap<>();
    private final Map<ASTNode, StartSite> startByTask = new IdentityHashMap<>();
    private final Map<StartSite, EntryPoint> entryOfStart = new IdentityHashMap<>();
    private final List<EntryPoint> entries = new ArrayList<>();
    private final List<LockAcquisition> acquisitions = new ArrayList<>();
    private final List<SharedAccess> accesses = new ArrayList<>();
    private final List<BlockingCall> blocking = new ArrayList<>();
    private boolean truncated;
    private ConcurrencyFacts neutral;

    public static JavaConcurrency of(JavaProgram program) {
        return program.facts(JavaConcurrency.class, JavaConcurrency::new);
    }

    private JavaConcurrency(JavaProgram program) {
        this.program = program;
        for (JavaProgram.Unit u : program.units()) {
            u.ast().accept(new StartFinder());
        }
        buildEntries();
        for (EntryPoint e : entries) {
            Target t = targets.get(e.key());
            Walker w = new Walker(e, true);
            if (t.mainMethod != null) {
                w.method(t.mainMethod, new Frame(null, false, false, name(t.mainMethod)), null);
            } else {
                w.entryBody(t);
            }
            truncated |= w.truncated;
        }
        neutral = new ConcurrencyFacts(entries, acquisitions, accesses, truncated);
        // code no entry reaches (a library, a callback the analysis cannot see being called) still takes locks: every
        // method is also walked on its own, shallowly, for blocking calls under the locks it takes itself
        Set<ASTNode> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        blocking.forEach(b -> seen.add(b.call()));
        for (MethodDeclaration m : program.methods()) {
            if (!Modifier.isSynchronized(m.getModifiers()) && !TAKES_LOCK.matcher(program.text(m.getBody())).find()) {
                continue; // takes no lock itself: what it calls under a lock is found from its callers
            }
            EntryPoint self = new EntryPoint("method:" + m.getStartPosition(), name(m), EntryPoint.Kind.THREAD, false,
                    "(any)", program.range(m.getName()));
            Walker w = new Walker(self, false);
            w.blockingOnly = true;
            w.maxDepth = 3;
            w.maxNodes = 20_000;
            ITypeBinding type = m.resolveBinding() == null ? null : m.resolveBinding().getDeclaringClass();
            w.method(m, new Frame(type, true, m.isConstructor(), name(m)), null);
            for (BlockingCall b : w.found) {
                if (seen.add(b.call())) {
                    blocking.add(new BlockingCall(null, b.call(), b.what(), b.held(), b.chain()));
                }
            }
        }
    }

    public ConcurrencyFacts neutral() {
        return neutral;
    }

    public List<StartSite> starts() {
        return starts;
    }

    public List<EntryPoint> entries() {
        return entries;
    }

    public EntryPoint entryOf(StartSite s) {
        return entryOfStart.get(s);
    }

    public List<BlockingCall> blockingCalls() {
        return blocking;
    }

    /** The start site whose task is {@code node} (a lambda, method reference or {@code new Runnable}), or null. */
    public StartSite startOfTask(ASTNode node) {
        return startByTask.get(node);
    }

    public StartSite startAt(ASTNode site) {
        return startBySite.get(site);
    }

    // ---------------------------------------------------------------------------------------------- start sites

    private final class StartFinder extends ASTVisitor {
        @Override
        public boolean visit(ClassInstanceCreation c) {
            ITypeBinding t = c.resolveTypeBinding();
            if (t != null && Types.isA(t, "java.lang.Thread")) {
                if (c.getAnonymousClassDeclaration() != null) {
                    MethodDeclaration run = findMethod(c.getAnonymousClassDeclaration().bodyDeclarations(), "run");
                    if (run != null) {
                        add(c, EntryPoint.Kind.THREAD, c, null, run, false);
                        return true;
                    }
                }
                AbstractTypeDeclaration decl = program.type(t);
                if (decl != null && !"java.lang.Thread".equals(t.getErasure().getQualifiedName())) {
                    MethodDeclaration run = runOf(t);
                    if (run != null) {
                        add(c, EntryPoint.Kind.THREAD, c, null, run, false);
                        return true;
                    }
                }
                for (Object a : c.arguments()) {
                    Expression arg = (Expression) a;
                    if (isTask(arg)) {
                        task(c, EntryPoint.Kind.THREAD, arg);
                        break;
                    }
                }
            }
            return true;
        }

        @Override
        public boolean visit(MethodInvocation m) {
            IMethodBinding b = m.resolveMethodBinding();
            if (b == null || m.arguments().isEmpty()) {
                return true;
            }
            String n = b.getName();
            ITypeBinding dc = b.getDeclaringClass();
            Expression first = (Expression) m.arguments().get(0);
            if (Types.isA(dc, "java.util.concurrent.Executor") && (n.equals("execute") || n.equals("submit")
                    || n.startsWith("schedule"))) {
                task(m, EntryPoint.Kind.TASK, first);
            } else if (Types.isA(dc, "java.util.concurrent.CompletableFuture") && n.endsWith("Async")) {
                task(m, EntryPoint.Kind.TASK, first);
            } else if (Types.isA(dc, "java.lang.Thread") && n.equals("startVirtualThread")
                    || Types.isA(dc, "java.lang.Thread.Builder") && (n.equals("start") || n.equals("unstarted"))
                    || Types.isA(dc, "java.util.concurrent.ThreadFactory") && n.equals("newThread")) {
                task(m, EntryPoint.Kind.THREAD, first);
            }
            return true;
        }
    }

    private static boolean isTask(Expression arg) {
        ITypeBinding t = arg.resolveTypeBinding();
        return arg instanceof LambdaExpression || arg instanceof MethodReference
                || Types.isAny(t, "java.lang.Runnable", "java.util.concurrent.Callable");
    }

    /** A task expression: a lambda, a method reference, {@code new Handler(...)}, a variable holding a Runnable. */
    private void task(ASTNode site, EntryPoint.Kind kind, Expression arg) {
        Expression e = strip(arg);
        if (e instanceof LambdaExpression l) {
            add(site, kind, l, l.getBody(), null, true);
        } else if (e instanceof ExpressionMethodReference r) {
            MethodDeclaration target = program.method(r.resolveMethodBinding());
            boolean fresh = strip(r.getExpression()) instanceof ClassInstanceCreation;
            add(site, kind, r, null, target, !fresh && !(r.getExpression() instanceof Name n
                    && n.resolveBinding() instanceof ITypeBinding));
        } else if (e instanceof MethodReference r) {
            add(site, kind, r, null, program.method(r.resolveMethodBinding()), true);
        } else if (e instanceof ClassInstanceCreation c) {
            MethodDeclaration run = c.getAnonymousClassDeclaration() != null
                    ? findRunOrCall(c.getAnonymousClassDeclaration().bodyDeclarations())
                    : runOf(c.resolveTypeBinding());
            add(site, kind, c, null, run, false);
        } else if (e instanceof org.eclipse.jdt.core.dom.ConditionalExpression ce
                && strip(ce.getThenExpression()) instanceof ClassInstanceCreation a
                && strip(ce.getElseExpression()) instanceof ClassInstanceCreation b
                && a.getAnonymousClassDeclaration() == null && b.getAnonymousClassDeclaration() == null
                && runOf(a.resolveTypeBinding()) != null
                && runOf(a.resolveTypeBinding()) == runOf(b.resolveTypeBinding())) {
            // ordered ? new Worker(m1, m2) : new Worker(m2, m1): a fresh object of one type either way
            add(site, kind, ce, null, runOf(a.resolveTypeBinding()), false);
        } else {
            ITypeBinding t = e.resolveTypeBinding();
            boolean shared = true;
            if (e instanceof SimpleName n && n.resolveBinding() instanceof IVariableBinding v && !v.isField()) {
                shared = false; // a local: most often a fresh object made for this task
            }
            add(site, kind, e, null, t == null ? null : runOf(t), shared);
        }
    }

    private static Expression strip(Expression e) {
        while (e instanceof ParenthesizedExpression p) {
            e = p.getExpression();
        }
        return e;
    }

    private MethodDeclaration runOf(ITypeBinding t) {
        for (ITypeBinding c = t; c != null; c = c.getSuperclass()) {
            AbstractTypeDeclaration d = program.type(c);
            if (d != null) {
                MethodDeclaration m = findRunOrCall(d.bodyDeclarations());
                if (m != null) {
                    return m;
                }
            }
        }
        return null;
    }

    private static MethodDeclaration findRunOrCall(List<?> bodyDeclarations) {
        MethodDeclaration m = findMethod(bodyDeclarations, "run");
        return m != null ? m : findMethod(bodyDeclarations, "call");
    }

    private static MethodDeclaration findMethod(List<?> bodyDeclarations, String name) {
        for (Object o : bodyDeclarations) {
            if (o instanceof MethodDeclaration m && m.getName().getIdentifier().equals(name) && m.parameters().isEmpty()
                    && m.getBody() != null) {
                return m;
            }
        }
        return null;
    }

    private void add(ASTNode site, EntryPoint.Kind kind, ASTNode task, ASTNode body, MethodDeclaration method,
            boolean thisShared) {
        if (startBySite.containsKey(site)) {
            return;
        }
        String name;
        if (method != null) {
            name = name(method);
        } else {
            MethodDeclaration encl = enclosingMethod(site);
            name = "lambda in " + (encl == null ? "initializer" : name(encl));
        }
        StartSite s = new StartSite(site, kind, task, body, method, thisShared, loopAround(site), name);
        starts.add(s);
        startBySite.put(site, s);
        startByTask.put(task, s);
    }

    /** The loop of the same method body that repeats {@code node}, or null. */
    public static ASTNode loopAround(ASTNode node) {
        for (ASTNode p = node.getParent(); p != null; p = p.getParent()) {
            if (p instanceof WhileStatement || p instanceof ForStatement || p instanceof EnhancedForStatement
                    || p instanceof DoStatement) {
                return p;
            }
            if (p instanceof BodyDeclaration || p instanceof LambdaExpression || p instanceof AnonymousClassDeclaration) {
                return null;
            }
        }
        return null;
    }

    public static MethodDeclaration enclosingMethod(ASTNode node) {
        for (ASTNode p = node.getParent(); p != null; p = p.getParent()) {
            if (p instanceof MethodDeclaration m) {
                return m;
            }
        }
        return null;
    }

    /** {@code Server.handle}, as the user would name a method. */
    public static String name(MethodDeclaration m) {
        ASTNode p = m.getParent();
        String type = "?";
        if (p instanceof AbstractTypeDeclaration t) {
            type = t.getName().getIdentifier();
        } else if (p instanceof AnonymousClassDeclaration a && a.resolveBinding() != null) {
            ITypeBinding b = a.resolveBinding();
            type = "new " + Types.simpleName(b.getInterfaces().length > 0 ? b.getInterfaces()[0] : b.getSuperclass());
        }
        return type + "." + m.getName().getIdentifier();
    }

    // ---------------------------------------------------------------------------------------------- entries

    /** The code of one entry (one or more start sites handing over the same code) before its facts are known. */
    private static final class Target {
        final String key;
        final List<StartSite> sites = new ArrayList<>();
        MethodDeclaration mainMethod;
        final Set<String> programs = new TreeSet<>();
        boolean multiple;
        final Set<StartSite> reaches = new HashSet<>();

        Target(String key) {
            this.key = key;
        }
    }

    private final Map<String, Target> targets = new LinkedHashMap<>();

    private String keyOf(StartSite s) {
        if (s.bodyMethod() != null) {
            IMethodBinding b = s.bodyMethod().resolveBinding();
            return (b != null ? b.getKey() : program.range(s.bodyMethod()).toString()) + "#" + s.kind();
        }
        return "lambda@" + program.range(s.task()) + "#" + s.kind();
    }

    private void buildEntries() {
        for (MethodDeclaration m : program.methods()) {
            if (isMain(m)) {
                IMethodBinding b = m.resolveBinding();
                Target t = targets.computeIfAbsent(b.getKey() + "#MAIN", Target::new);
                t.mainMethod = m;
                t.programs.add(b.getDeclaringClass().getErasure().getQualifiedName());
            }
        }
        Map<StartSite, Target> targetOf = new IdentityHashMap<>();
        for (StartSite s : starts) {
            if (s.code() == null) {
                continue;
            }
            Target t = targets.computeIfAbsent(keyOf(s), Target::new);
            t.sites.add(s);
            targetOf.put(s, t);
        }
        // what each entry's code reaches: which start sites, to learn programs and multiplicity
        for (Target t : targets.values()) {
            EntryPoint probe = new EntryPoint(t.key, t.key, EntryPoint.Kind.MAIN, false, "?", null);
            Walker w = new Walker(probe, false);
            if (t.mainMethod != null) {
                w.method(t.mainMethod, new Frame(null, false, false, name(t.mainMethod)), null);
            } else {
                w.entryBody(t);
            }
            t.reaches.addAll(w.reached);
        }
        for (Target t : targets.values()) {
            t.multiple = t.sites.size() > 1 || t.sites.stream().anyMatch(s -> s.loop() != null);
        }
        Map<StartSite, Integer> reachers = new IdentityHashMap<>();
        for (Target t : targets.values()) {
            for (StartSite s : t.reaches) {
                reachers.merge(s, 1, Integer::sum);
            }
        }
        boolean changed = true;
        for (int round = 0; changed && round < 50; round++) {
            changed = false;
            for (Target t : targets.values()) {
                for (StartSite s : t.reaches) {
                    Target to = targetOf.get(s);
                    if (to == null || to == t) {
                        continue;
                    }
                    changed |= to.programs.addAll(t.programs);
                    if (!to.multiple && (t.multiple || reachers.get(s) > 1)) {
                        to.multiple = true;
                        changed = true;
                    }
                }
            }
        }
        for (Target t : targets.values()) {
            String prog = t.programs.isEmpty() ? "(no main)" : t.programs.iterator().next();
            EntryPoint e;
            if (t.mainMethod != null) {
                e = new EntryPoint(t.key, name(t.mainMethod), EntryPoint.Kind.MAIN, false, prog,
                        program.range(t.mainMethod.getName()));
            } else {
                StartSite first = t.sites.get(0);
                e = new EntryPoint(t.key, first.name(), first.kind(), t.multiple, prog, program.range(first.site()));
            }
            entries.add(e);
            for (StartSite s : t.sites) {
                entryOfStart.put(s, e);
            }
        }
    }

    private static boolean isMain(MethodDeclaration m) {
        return m.getName().getIdentifier().equals("main") && Modifier.isStatic(m.getModifiers())
                && m.parameters().size() == 1 && m.getBody() != null
                && m.getParent() instanceof AbstractTypeDeclaration;
    }

    // ---------------------------------------------------------------------------------------------- walking

    /** The method being walked: its {@code this} type, whether that object is shared between threads. */
    private record Frame(ITypeBinding thisType, boolean thisShared, boolean constructor, String name, String thisKey,
            String thisDisplay) {
        Frame(ITypeBinding thisType, boolean thisShared, boolean constructor, String name) {
            this(thisType, thisShared, constructor, name, "this:" + (thisType == null ? "?"
                    : thisType.getErasure().getQualifiedName()), null);
        }

        /** The same object seen from a callee (a method called on {@code this}, or an inherited one). */
        Frame callee(ITypeBinding type, String calleeName) {
            return new Frame(type, thisShared, false, calleeName, thisKey, thisDisplay);
        }
    }

    private record Held(SourceRange site, LockAcquisition.Mode mode) {
    }

    private final class Walker {
        final EntryPoint entry;
        final boolean record;
        final Deque<CallStep> chain = new ArrayDeque<>();
        final LinkedHashMap<LockRef, Held> held = new LinkedHashMap<>();
        final Set<String> visited = new HashSet<>();
        final Set<String> recorded = new HashSet<>(); // one fact per site and lock set for this entry
        final Set<StartSite> reached = new HashSet<>();
        boolean started; // for main: a thread has been started, so later accesses can race with it
        boolean truncated;
        boolean blockingOnly; // walking a method on its own: only blocking calls are collected, into found
        int maxDepth = MAX_DEPTH;
        int maxNodes = MAX_NODES_PER_ENTRY;
        final List<BlockingCall> found = new ArrayList<>();
        int nodes;
        int depth;

        Walker(EntryPoint entry, boolean record) {
            this.entry = entry;
            this.record = record;
            this.started = entry.kind() != EntryPoint.Kind.MAIN;
        }

        void entryBody(Target t) {
            StartSite s = t.sites.get(0);
            if (s.bodyMethod() != null) {
                MethodDeclaration m = s.bodyMethod();
                ITypeBinding type = m.resolveBinding() == null ? null : m.resolveBinding().getDeclaringClass();
                boolean shared = t.sites.stream().anyMatch(StartSite::thisShared);
                Frame frame = new Frame(type, shared, false, s.name());
                // new Worker(m1, m2) here and new Worker(m2, m1) there: the same run() takes different program-wide
                // locks through the fields the constructor sets, so it is walked once per way of making the object
                List<Map<String, LockRef>> ways = new ArrayList<>();
                for (StartSite site : t.sites) {
                    for (ClassInstanceCreation c : creations(site.task())) {
                        Map<String, LockRef> bound = lockFields(c, frame);
                        if (!bound.isEmpty() && !ways.contains(bound)) {
                            ways.add(bound);
                        }
                    }
                }
                if (ways.isEmpty()) {
                    method(m, frame, null);
                }
                for (Map<String, LockRef> way : ways) {
                    boundFields = way;
                    boundThis = frame.thisKey();
                    try {
                        method(m, frame, null);
                    } finally {
                        boundFields = Map.of();
                        boundThis = null;
                    }
                }
            } else {
                MethodDeclaration encl = enclosingMethod(s.task());
                ITypeBinding type = encl == null || encl.resolveBinding() == null ? null
                        : encl.resolveBinding().getDeclaringClass();
                s.body().accept(new Visitor(new Frame(type, true, false, s.name())));
            }
        }

        /** Fields of the entry's own object that hold a program-wide lock given to its constructor, by name. */
        Map<String, LockRef> boundFields = Map.of();
        String boundThis;

        /** The object creations a task expression may be: {@code new W(..)}, either branch of {@code c ? new W(..) : ..}. */
        List<ClassInstanceCreation> creations(ASTNode task) {
            List<ClassInstanceCreation> out = new ArrayList<>();
            ASTNode x = task;
            while (x instanceof ParenthesizedExpression pe) {
                x = pe.getExpression();
            }
            if (x instanceof ClassInstanceCreation c) {
                if (c.arguments().size() == 1 && c.getAnonymousClassDeclaration() == null
                        && Types.isAny(c.resolveTypeBinding(), "java.lang.Thread")) {
                    out.addAll(creations((ASTNode) c.arguments().get(0))); // new Thread(new Worker(..))
                } else {
                    out.add(c);
                }
            } else if (x instanceof org.eclipse.jdt.core.dom.ConditionalExpression ce) {
                out.addAll(creations(ce.getThenExpression()));
                out.addAll(creations(ce.getElseExpression()));
            }
            return out;
        }

        /**
         * The fields {@code new W(args)} sets to a program-wide lock (a static field, a class literal): a record's
         * components in order, or a constructor's {@code this.f = param}.
         */
        Map<String, LockRef> lockFields(ClassInstanceCreation c, Frame frame) {
            Map<String, LockRef> out = new LinkedHashMap<>();
            IMethodBinding ctor = c.resolveConstructorBinding();
            ITypeBinding type = c.resolveTypeBinding();
            org.eclipse.jdt.core.dom.AbstractTypeDeclaration decl = program.type(type);
            List<String> params = new ArrayList<>();
            Map<String, String> fieldOfParam = new HashMap<>();
            MethodDeclaration m = program.method(ctor);
            if (m != null && m.getBody() != null) {
                for (Object o : m.parameters()) {
                    params.add(((org.eclipse.jdt.core.dom.SingleVariableDeclaration) o).getName().getIdentifier());
                }
                m.getBody().accept(new ASTVisitor() {
                    @Override
                    public boolean visit(org.eclipse.jdt.core.dom.Assignment a) {
                        Expression l = strip(a.getLeftHandSide()), r = strip(a.getRightHandSide());
                        if (l instanceof FieldAccess fa && fa.getExpression() instanceof ThisExpression
                                && r instanceof SimpleName n) {
                            fieldOfParam.put(n.getIdentifier(), fa.getName().getIdentifier());
                        } else if (l instanceof SimpleName f && r instanceof SimpleName n
                                && f.resolveBinding() instanceof IVariableBinding v && v.isField()) {
                            fieldOfParam.put(n.getIdentifier(), f.getIdentifier());
                        }
                        return false;
                    }
                });
            } else if (decl instanceof org.eclipse.jdt.core.dom.RecordDeclaration rd) {
                for (Object o : rd.recordComponents()) {
                    String n = ((org.eclipse.jdt.core.dom.SingleVariableDeclaration) o).getName().getIdentifier();
                    params.add(n);
                    fieldOfParam.put(n, n);
                }
            }
            List<?> args = c.arguments();
            for (int i = 0; i < Math.min(args.size(), params.size()); i++) {
                String field = fieldOfParam.get(params.get(i));
                Expression a = strip((Expression) args.get(i));
                if (field == null || !(a instanceof Name || a instanceof FieldAccess || a instanceof TypeLiteral)) {
                    continue;
                }
                LockRef l = lockRef(a, frame);
                if (l != null && l.programWide()) {
                    out.put(field, l);
                }
            }
            return out;
        }

        /** Walks a method's body, taking its monitor when it is {@code synchronized}. */
        void method(MethodDeclaration m, Frame frame, Expression receiver) {
            IMethodBinding b = m.resolveBinding();
            String key = (b == null ? String.valueOf(m.getStartPosition()) : b.getKey()) + "|" + frame.thisShared()
                    + "|" + frame.thisKey() + "|" + held.keySet();
            // a recursion guard, not a memo: a method walked again with the same locks may take and release them
            // again (try (l = lock.lock()) in two places), and skipping it would lose that
            if (depth > maxDepth || !visited.add(key)) {
                truncated |= depth > maxDepth;
                return;
            }
            LockRef monitor = null;
            if (Modifier.isSynchronized(m.getModifiers())) {
                monitor = Modifier.isStatic(m.getModifiers()) ? classLock(b == null ? null : b.getDeclaringClass())
                        : receiver == null || receiver instanceof ThisExpression ? thisLock(frame)
                                : lockRef(receiver, frame);
                if (monitor != null) {
                    monitor = acquire(monitor, LockAcquisition.Mode.EXCLUSIVE, false, program.range(m.getName()))
                            ? monitor : null;
                }
            }
            depth++;
            try {
                m.getBody().accept(new Visitor(frame));
            } finally {
                depth--;
                visited.remove(key);
                if (monitor != null) {
                    held.remove(monitor);
                }
            }
        }

        /** Records the acquisition; false when the lock is already held (re-entry). */
        boolean acquire(LockRef lock, LockAcquisition.Mode mode, boolean tryLock, SourceRange site) {
            if (held.containsKey(lock)) {
                return false;
            }
            if (record && recorded.add("A|" + site + "|" + lock.key() + "|" + held.keySet())) {
                Map<LockRef, SourceRange> before = new LinkedHashMap<>();
                held.forEach((k, v) -> before.put(k, v.site()));
                acquisitions.add(new LockAcquisition(entry, lock, mode, tryLock, site, before, List.copyOf(chain)));
            }
            held.put(lock, new Held(site, mode));
            return true;
        }

        LockRef thisLock(Frame f) {
            String display = f.thisDisplay() != null ? f.thisDisplay()
                    : "this (" + Types.simpleName(f.thisType()) + ")";
            return new LockRef(f.thisKey(), display, f.thisShared());
        }

        LockRef classLock(ITypeBinding t) {
            String type = t == null ? "?" : t.getErasure().getQualifiedName();
            return new LockRef("class:" + type, Types.simpleName(t) + ".class", true);
        }

        /** The lock an expression denotes: a static or instance field, {@code this}, a class literal, a local. */
        LockRef lockRef(Expression e, Frame f) {
            e = strip(e);
            if (e instanceof ThisExpression) {
                return thisLock(f);
            }
            if (e instanceof TypeLiteral t) {
                return classLock(t.getType().resolveBinding());
            }
            IBinding b = e instanceof Name n ? n.resolveBinding()
                    : e instanceof FieldAccess fa ? fa.resolveFieldBinding() : null;
            String text = program.text(e);
            if (b instanceof IVariableBinding v && v.isField()) {
                String key = fieldKey(v);
                LockRef bound = boundFields.get(v.getName());
                if (bound != null && f.thisKey().equals(boundThis) && !Modifier.isStatic(v.getModifiers())
                        && (e instanceof SimpleName || e instanceof FieldAccess fa0
                                && fa0.getExpression() instanceof ThisExpression)) {
                    return bound; // first, here the m1 this object was made with
                }
                if (Modifier.isStatic(v.getModifiers())) {
                    return new LockRef("static:" + key, text, true);
                }
                boolean viaThis = e instanceof SimpleName || e instanceof FieldAccess fa
                        && fa.getExpression() instanceof ThisExpression;
                if (viaThis && f.thisDisplay() != null) {
                    // a field of an object reached through a field (a lock object's own inner lock): it is that
                    // object's lock, named as the caller wrote it
                    return new LockRef(f.thisKey() + "." + v.getName(), f.thisDisplay(), f.thisShared());
                }
                return new LockRef(viaThis ? f.thisKey() + "." + v.getName() : "field:" + key, text,
                        viaThis && f.thisShared());
            }
            MethodDeclaration m = enclosingMethod(e);
            String where = m == null ? "?" : name(m);
            return new LockRef("local:" + where + ":" + text, text, false);
        }

        final class Visitor extends ASTVisitor {
            final Frame frame;

            Visitor(Frame frame) {
                this.frame = frame;
            }

            @Override
            public void preVisit(ASTNode node) {
                if (++nodes > maxNodes) {
                    truncated = true;
                }
            }

            @Override
            public boolean preVisit2(ASTNode node) {
                preVisit(node);
                return nodes <= maxNodes;
            }

            @Override
            public boolean visit(AnonymousClassDeclaration node) {
                return false; // its methods run when something calls them
            }

            @Override
            public boolean visit(TypeDeclarationStatement node) {
                return false;
            }

            @Override
            public boolean visit(LambdaExpression node) {
                return startByTask.get(node) == null; // a task's body runs on its own thread
            }

            /**
             * A method reference handed to a method (a callback such as {@code echoLines(s, Counter::countLine)}) is
             * followed like a lambda given there: as if called at that point, with the locks held there. Not a task's:
             * that runs on its own thread.
             */
            @Override
            public boolean visit(ExpressionMethodReference r) {
                if (startByTask.get(r) != null) {
                    return false;
                }
                IMethodBinding b = r.resolveMethodBinding();
                MethodDeclaration m = b == null ? null : program.method(b);
                if (m == null) {
                    return false;
                }
                if (Modifier.isStatic(m.getModifiers())) {
                    call(r, m, new Frame(b.getDeclaringClass(), false, false, name(m)), null);
                } else if (r.getExpression() instanceof ThisExpression) {
                    call(r, m, frame.callee(frame.thisType() != null ? frame.thisType() : b.getDeclaringClass(),
                            name(m)), null);
                }
                return false;
            }

            @Override
            public boolean visit(org.eclipse.jdt.core.dom.TryStatement t) {
                for (Object r : t.resources()) {
                    ((ASTNode) r).accept(this);
                }
                t.getBody().accept(this);
                // the resources are closed here, in reverse order: close() may release a lock (try (l = lock.lock()))
                List<?> resources = t.resources();
                for (int i = resources.size() - 1; i >= 0; i--) {
                    closeResource((Expression) resources.get(i));
                }
                for (Object c : t.catchClauses()) {
                    ((ASTNode) c).accept(this);
                }
                if (t.getFinally() != null) {
                    t.getFinally().accept(this);
                }
                return false;
            }

            private void closeResource(Expression r) {
                Expression target = r;
                if (r instanceof org.eclipse.jdt.core.dom.VariableDeclarationExpression v && !v.fragments().isEmpty()) {
                    var f = (org.eclipse.jdt.core.dom.VariableDeclarationFragment) v.fragments().get(0);
                    target = f.getInitializer();
                }
                ITypeBinding t = r.resolveTypeBinding();
                if (target == null || t == null) {
                    return;
                }
                // try (l = x.lock()) where lock() returns its receiver: close() runs on x
                Expression on = target instanceof MethodInvocation mi && mi.getExpression() != null
                        && mi.resolveMethodBinding() != null
                        && mi.getExpression().resolveTypeBinding() != null
                        && mi.getExpression().resolveTypeBinding().getErasure().isSubTypeCompatible(t.getErasure())
                                ? strip(mi.getExpression()) : null;
                for (IMethodBinding mb : t.getErasure().getDeclaredMethods()) {
                    if (mb.getName().equals("close") && mb.getParameterTypes().length == 0) {
                        MethodDeclaration close = program.method(mb);
                        if (close != null) {
                            Frame callee = on == null || on instanceof ThisExpression
                                    ? new Frame(t, false, false, name(close))
                                    : new Frame(t, receiverShared(on), false, name(close), objectKey(on),
                                            program.text(on));
                            call(r, close, callee, on);
                        }
                    }
                }
            }

            @Override
            public boolean visit(SynchronizedStatement s) {
                s.getExpression().accept(this);
                LockRef lock = lockRef(s.getExpression(), frame);
                int headEnd = s.getExpression().getStartPosition() + s.getExpression().getLength() + 1;
                boolean took = acquire(lock, LockAcquisition.Mode.EXCLUSIVE, false,
                        program.range(s, s.getStartPosition(), headEnd));
                s.getBody().accept(this);
                if (took) {
                    held.remove(lock);
                }
                return false;
            }

            @Override
            public boolean visit(ClassInstanceCreation c) {
                if (c.getExpression() != null) {
                    c.getExpression().accept(this);
                }
                StartSite s = startBySite.get(c);
                for (Object a : c.arguments()) {
                    if (s == null || a != s.task()) {
                        ((ASTNode) a).accept(this);
                    }
                }
                if (s != null) {
                    reached(s);
                }
                IMethodBinding b = c.resolveConstructorBinding();
                MethodDeclaration m = program.method(b);
                if (m != null) {
                    call(c, m, new Frame(b.getDeclaringClass(), false, true, name(m)), null);
                }
                return false;
            }

            @Override
            public boolean visit(MethodInvocation mi) {
                Expression recv = mi.getExpression();
                if (recv != null) {
                    recv.accept(this);
                }
                StartSite s = startBySite.get(mi);
                for (Object a : mi.arguments()) {
                    if (s == null || a != s.task()) {
                        ((ASTNode) a).accept(this);
                    }
                }
                if (s != null) {
                    reached(s);
                    return false;
                }
                IMethodBinding b = mi.resolveMethodBinding();
                if (b == null) {
                    return false;
                }
                if (lockCall(mi, b)) {
                    return false;
                }
                if (record || blockingOnly) {
                    String what = Blocking.describe(mi, b);
                    if (what != null && !held.isEmpty()) {
                        Map<LockRef, SourceRange> h = new LinkedHashMap<>();
                        held.forEach((k, v) -> h.put(k, v.site()));
                        if (Blocking.releasesOwnLock(b)) {
                            // wait()/await() give up the lock they wait on, but not the others
                            LockRef own = recv == null ? thisLock(frame) : lockRef(recv, frame);
                            h.remove(own);
                            if (Blocking.isConditionAwait(b) && recv != null) {
                                h.clear(); // which Lock a Condition belongs to is not tracked: say nothing
                            }
                        }
                        if (!h.isEmpty()) {
                            (blockingOnly ? found : blocking).add(new BlockingCall(entry, mi, what, h,
                                    List.copyOf(chain)));
                        }
                    }
                }
                MethodDeclaration m = program.method(b);
                if (m != null) {
                    boolean isStatic = Modifier.isStatic(m.getModifiers());
                    Expression r = recv == null ? null : strip(recv);
                    Frame callee;
                    if (isStatic) {
                        callee = new Frame(b.getDeclaringClass(), false, false, name(m));
                    } else if (r == null || r instanceof ThisExpression) {
                        // an inherited method runs on the same object
                        callee = frame.callee(frame.thisType() != null ? frame.thisType() : b.getDeclaringClass(),
                                name(m));
                    } else {
                        callee = new Frame(b.getDeclaringClass(), receiverShared(recv), false, name(m),
                                objectKey(r), program.text(r));
                    }
                    call(mi, m, callee, recv);
                }
                return false;
            }

            @Override
            public boolean visit(SuperMethodInvocation smi) {
                for (Object a : smi.arguments()) {
                    ((ASTNode) a).accept(this);
                }
                MethodDeclaration m = program.method(smi.resolveMethodBinding());
                if (m != null) {
                    call(smi, m, frame.callee(frame.thisType(), name(m)), null);
                }
                return false;
            }

            @Override
            public boolean visit(ConstructorInvocation ci) {
                for (Object a : ci.arguments()) {
                    ((ASTNode) a).accept(this);
                }
                MethodDeclaration m = program.method(ci.resolveConstructorBinding());
                if (m != null) {
                    call(ci, m, frame, null);
                }
                return false;
            }

            @Override
            public boolean visit(SuperConstructorInvocation ci) {
                for (Object a : ci.arguments()) {
                    ((ASTNode) a).accept(this);
                }
                MethodDeclaration m = program.method(ci.resolveConstructorBinding());
                if (m != null) {
                    call(ci, m, frame, null);
                }
                return false;
            }

            @Override
            public boolean visit(SimpleName n) {
                if (record && started && !n.isDeclaration() && n.resolveBinding() instanceof IVariableBinding v
                        && v.isField()) {
                    access(n, v);
                }
                return false;
            }

            private void reached(StartSite s) {
                reached.add(s);
                started = true;
            }

            /** Identity of the object an expression denotes, for the locks it holds. */
            private String objectKey(Expression r) {
                IBinding b = r instanceof Name n ? n.resolveBinding()
                        : r instanceof FieldAccess fa ? fa.resolveFieldBinding() : null;
                if (b instanceof IVariableBinding v && v.isField()) {
                    return Modifier.isStatic(v.getModifiers()) ? "static:" + fieldKey(v)
                            : frame.thisKey() + "." + v.getName();
                }
                MethodDeclaration m = enclosingMethod(r);
                return "local:" + (m == null ? "?" : name(m)) + ":" + program.text(r);
            }

            private boolean receiverShared(Expression recv) {
                recv = recv == null ? null : strip(recv);
                if (recv == null || recv instanceof ThisExpression) {
                    return frame.thisShared();
                }
                IBinding b = recv instanceof Name n ? n.resolveBinding()
                        : recv instanceof FieldAccess fa ? fa.resolveFieldBinding() : null;
                if (b instanceof IVariableBinding v && v.isField()) {
                    return Modifier.isStatic(v.getModifiers()) || frame.thisShared();
                }
                return false;
            }

            private void call(ASTNode site, MethodDeclaration m, Frame callee, Expression recv) {
                MethodDeclaration in = enclosingMethod(site);
                chain.addLast(new CallStep(frame.name(), callee.name(), program.range(site),
                        in == null ? null : program.range(in)));
                try {
                    method(m, callee, recv);
                } finally {
                    chain.removeLast();
                }
            }

            /** lock()/unlock() and friends: changes the held set; true when {@code mi} was one. */
            private boolean lockCall(MethodInvocation mi, IMethodBinding b) {
                Expression recv = mi.getExpression();
                if (recv == null) {
                    return false;
                }
                String n = b.getName();
                ITypeBinding dc = b.getDeclaringClass();
                boolean lock = Types.isA(dc, "java.util.concurrent.locks.Lock");
                boolean sem = Types.isA(dc, "java.util.concurrent.Semaphore");
                if (!lock && !sem) {
                    return false;
                }
                LockAcquisition.Mode mode = LockAcquisition.Mode.EXCLUSIVE;
                Expression base = strip(recv);
                if (base instanceof MethodInvocation side && side.getExpression() != null) {
                    String sn = side.getName().getIdentifier();
                    if (sn.equals("readLock") || sn.equals("writeLock")) {
                        mode = sn.equals("readLock") ? LockAcquisition.Mode.READ : LockAcquisition.Mode.WRITE;
                        base = side.getExpression();
                    }
                }
                LockRef ref = lockRef(base, frame);
                if (lock && (n.equals("lock") || n.equals("lockInterruptibly") || n.equals("tryLock"))
                        || sem && (n.equals("acquire") || n.equals("acquireUninterruptibly")
                                || n.equals("tryAcquire"))) {
                    acquire(ref, mode, n.startsWith("try"), program.range(mi));
                    return true;
                }
                if (lock && n.equals("unlock") || sem && n.equals("release")) {
                    held.remove(ref);
                    return true;
                }
                return false;
            }

            private void access(SimpleName n, IVariableBinding v) {
                int mods = v.getModifiers();
                if (Modifier.isFinal(mods)) {
                    return; // written once before the object is shared
                }
                ASTNode expr = n;
                ASTNode parent = n.getParent();
                boolean isStatic = Modifier.isStatic(mods);
                if (parent instanceof FieldAccess fa && fa.getName() == n) {
                    if (!(fa.getExpression() instanceof ThisExpression) && !isStatic) {
                        return; // a field of some other object: which one is not known
                    }
                    expr = fa;
                } else if (parent instanceof QualifiedName q && q.getName() == n) {
                    if (!isStatic) {
                        return;
                    }
                    expr = q;
                } else if (parent instanceof QualifiedName q && q.getQualifier() != n) {
                    return;
                }
                if (!isStatic) {
                    if (frame.constructor()) {
                        return; // the object is not shared yet
                    }
                    ITypeBinding owner = v.getDeclaringClass();
                    boolean outer = frame.thisType() != null && owner != null
                            && !frame.thisType().getErasure().isSubTypeCompatible(owner.getErasure());
                    if (!frame.thisShared() && !outer) {
                        return;
                    }
                }
                boolean write = false, rmw = false;
                ASTNode p = expr.getParent();
                while (p instanceof ParenthesizedExpression) {
                    expr = p;
                    p = p.getParent();
                }
                if (p instanceof Assignment a && a.getLeftHandSide() == expr) {
                    write = true;
                    rmw = a.getOperator() != Assignment.Operator.ASSIGN || mentions(a.getRightHandSide(), v);
                } else if (p instanceof PostfixExpression || p instanceof PrefixExpression pre
                        && (pre.getOperator() == PrefixExpression.Operator.INCREMENT
                                || pre.getOperator() == PrefixExpression.Operator.DECREMENT)) {
                    write = true;
                    rmw = true;
                }
                // a volatile store is atomic and published (JLS 17.4.4, 17.7), an update of one is not; a plain read
                // is not the "atomic operation elsewhere" that tells the rule the field's owner treats it as atomic
                boolean atomic = Modifier.isVolatile(mods) && write && !rmw;
                Set<LockRef> h = new HashSet<>(held.keySet());
                String owner = v.getDeclaringClass() == null ? "?" : Types.simpleName(v.getDeclaringClass());
                var decl = program.field(v);
                String display = owner + "." + v.getName();
                SharedAccess.Variable var = new SharedAccess.Variable("field:" + fieldKey(v), display,
                        decl == null ? null : program.range(decl), display, Modifier.isVolatile(mods), null);
                SourceRange site = program.range(expr);
                // the whole writing expression (count++, done = true), as the rule's messages quote it
                SharedAccess.Expression whole = !write ? null
                        : new SharedAccess.Expression(program.range(p), program.text(p), p instanceof Assignment a
                                && a.getOperator() == Assignment.Operator.ASSIGN ? literal(a.getRightHandSide()) : null);
                if (recorded.add("S|" + site + "|" + site.startOffset() + "|" + h)) {
                    accesses.add(new SharedAccess(entry, var, site, write, rmw, atomic, h, List.copyOf(chain),
                            whole));
                }
            }
        }
    }

    private static boolean mentions(Expression e, IVariableBinding v) {
        boolean[] found = {false};
        e.accept(new ASTVisitor() {
            @Override
            public boolean visit(SimpleName n) {
                if (n.resolveBinding() instanceof IVariableBinding o && o.getVariableDeclaration().isEqualTo(
                        v.getVariableDeclaration())) {
                    found[0] = true;
                }
                return false;
            }
        });
        return found[0];
    }

    static String fieldKey(IVariableBinding v) {
        ITypeBinding c = v.getDeclaringClass();
        return (c == null ? "?" : c.getErasure().getQualifiedName()) + "." + v.getName();
    }

    /** A literal stored as it is ({@code true}, {@code 0}, {@code -1}, {@code null}), or null for anything else. */
    private static String literal(Expression e) {
        Expression x = e;
        while (x instanceof ParenthesizedExpression pe) {
            x = pe.getExpression();
        }
        if (x instanceof PrefixExpression pre && pre.getOperator() == PrefixExpression.Operator.MINUS
                && pre.getOperand() instanceof org.eclipse.jdt.core.dom.NumberLiteral) {
            return x.toString();
        }
        if (x instanceof org.eclipse.jdt.core.dom.NumberLiteral || x instanceof org.eclipse.jdt.core.dom.BooleanLiteral
                || x instanceof org.eclipse.jdt.core.dom.CharacterLiteral
                || x instanceof org.eclipse.jdt.core.dom.NullLiteral) {
            return x.toString();
        }
        return null;
    }
}
