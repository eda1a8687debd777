package interleave.engine.c.facts;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import interleave.engine.c.CProgram;
import interleave.engine.c.CallSite;
import interleave.engine.c.Scopes;
import interleave.engine.c.SyntaxNode;
import interleave.engine.c.Variable;
import interleave.engine.c.facts.EntryReach.Root;
import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.LockRef;
import interleave.engine.concurrency.SharedAccess;

/**
 * The C program's concurrency in the neutral terms of {@link interleave.engine.concurrency}: one entry point per
 * {@link EntryReach} root, one acquisition per {@link LockFacts.Acquisition}, one access per
 * {@link LockFacts.HeldAccess}, in the same order. Keeps the way back from a neutral access to the C access, for the
 * C side of the fixes ({@code _Atomic}).
 */
public final class CConcurrency {
    private final ConcurrencyFacts facts;
    private final Map<SharedAccess, LockFacts.HeldAccess> origin = new IdentityHashMap<>();

    public static CConcurrency of(CProgram program) {
        return program.facts(CConcurrency.class, CConcurrency::new);
    }

    private CConcurrency(CProgram program) {
        LockFacts locks = LockFacts.of(program);
        Map<Root, EntryPoint> entries = new LinkedHashMap<>();
        for (Root r : EntryReach.of(program).roots()) {
            entries.put(r, entry(r));
        }
        List<LockAcquisition> acquisitions = new ArrayList<>();
        for (LockFacts.Acquisition a : locks.acquisitions()) {
            Map<LockRef, interleave.engine.finding.SourceRange> held = new LinkedHashMap<>();
            a.held().forEach((id, site) -> held.put(lock(id), site.range()));
            acquisitions.add(new LockAcquisition(entries.computeIfAbsent(a.root(), CConcurrency::entry), lock(a.lock()),
                    mode(a.kind()), a.trylock(), a.site().range(), held, chain(a.chain())));
        }
        List<SharedAccess> accesses = new ArrayList<>();
        for (LockFacts.HeldAccess h : locks.accesses()) {
            Set<LockRef> held = new LinkedHashSet<>();
            h.held().forEach(id -> held.add(lock(id)));
            SharedAccesses.Access a = h.access();
            SharedAccess s = new SharedAccess(entries.computeIfAbsent(h.root(), CConcurrency::entry), variable(a),
                    a.node().range(), a.write(), a.readModifyWrite(), a.atomic(), held, chain(h.chain()),
                    a.write() ? expression(a) : null);
            origin.put(s, h);
            accesses.add(s);
        }
        facts = new ConcurrencyFacts(List.copyOf(entries.values()), acquisitions, accesses, locks.truncated());
    }

    public ConcurrencyFacts facts() {
        return facts;
    }

    /** The C access a neutral one was made from, or null when it comes from elsewhere. */
    public LockFacts.HeldAccess origin(SharedAccess access) {
        return origin.get(access);
    }

    private static EntryPoint entry(Root r) {
        String key = r.function().file().path() + "#" + r.name() + (r.isMain() ? "#main" : "#thread");
        String program = r.program() == null ? "" : r.program().path();
        var start = r.isMain() || r.starts().isEmpty() ? r.function().definition().range()
                : r.starts().get(0).call().range();
        return new EntryPoint(key, r.name(), r.isMain() ? EntryPoint.Kind.MAIN : EntryPoint.Kind.THREAD, r.multiple(),
                program, start);
    }

    /** Keys keep LockId's identity (kind and key): a global and a field never meet. */
    private static LockRef lock(LockId id) {
        return new LockRef(id.kind() + ":" + id.key(), id.display(), id.isProgramWide());
    }

    private static LockAcquisition.Mode mode(LockFacts.Kind kind) {
        return switch (kind) {
        case READ -> LockAcquisition.Mode.READ;
        case WRITE -> LockAcquisition.Mode.WRITE;
        default -> LockAcquisition.Mode.EXCLUSIVE;
        };
    }

    private static List<CallStep> chain(List<CallSite> calls) {
        List<CallStep> out = new ArrayList<>(calls.size());
        for (CallSite c : calls) {
            out.add(new CallStep(c.caller().name(), c.calleeName(), c.call().range(), c.caller().definition().range()));
        }
        return out;
    }

    private static SharedAccess.Variable variable(SharedAccesses.Access a) {
        GlobalVariables.Global g = a.global();
        if (g != null) {
            return new SharedAccess.Variable(a.key(), a.display(), g.declarations().get(0).range(), g.name(),
                    g.isVolatile(), null);
        }
        Variable v = Scopes.resolve(a.identifier()); // a static local
        return new SharedAccess.Variable(a.key(), a.display(), v == null ? null : v.declaration().range(),
                v == null ? a.identifier().text() : v.name(), false, a.function().name());
    }

    private static SharedAccess.Expression expression(SharedAccesses.Access a) {
        SyntaxNode p = a.node().parent();
        return new SharedAccess.Expression(p.range(), p.text(), constantStored(a));
    }

    /** The literal a plain store writes ({@code done = 1}), or null. */
    private static String constantStored(SharedAccesses.Access a) {
        SyntaxNode p = a.node().parent();
        if (a.readModifyWrite() || p == null || !p.is("assignment_expression") || p.child("right") == null) {
            return null;
        }
        SyntaxNode r = p.child("right").stripParensAndCasts();
        return r.is("number_literal") || r.is("true") || r.is("false") || r.is("null") || r.text().equals("NULL")
                ? r.text() : null;
    }
}
