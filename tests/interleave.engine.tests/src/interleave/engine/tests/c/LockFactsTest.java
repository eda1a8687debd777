package interleave.engine.tests.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import interleave.engine.c.CParser;
import interleave.engine.c.CProgram;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.facts.EntryReach;
import interleave.engine.c.facts.LockFacts;
import interleave.engine.c.facts.LockId;
import interleave.engine.c.facts.SharedAccesses;

/** The lock facts the two lock rules share: held sets along paths, lock identities, entry points. */
class LockFactsTest {

    private static CProgram program(String text) {
        try (CParser parser = new CParser()) {
            return new CProgram(List.of(parser.parse(SourceFile.of("t.c", text))));
        }
    }

    /** "root: held -> lock" for every acquisition, sorted. */
    private static Set<String> acquisitions(CProgram p) {
        Set<String> out = new TreeSet<>();
        for (LockFacts.Acquisition a : LockFacts.of(p).acquisitions()) {
            out.add(a.root().name() + ": " + new TreeSet<>(a.held().keySet().stream().map(LockId::display).toList())
                    + " -> " + a.lock().display() + (a.trylock() ? " (try)" : ""));
        }
        return out;
    }

    private static final String HEAD = "#include <pthread.h>\n"
            + "pthread_mutex_t m1, m2, m3;\n"
            + "struct q { pthread_mutex_t lock; int n; };\n"
            + "int cnt;\n";

    private static final String MAIN = "int main(void) { pthread_t t; pthread_create(&t, 0, th, 0);"
            + " pthread_join(t, 0); return 0; }\n";

    @Test
    void parameterLocksAreResolvedAtEachCallAndHelpersReturnHolding() {
        CProgram p = program(HEAD
                + "static void take(pthread_mutex_t *m) { pthread_mutex_lock(m); }\n"
                + "static void *th(void *a) { take(&m1); take(&m2); pthread_mutex_unlock(&m2);"
                + " pthread_mutex_unlock(&m1); pthread_mutex_lock(&m3); return 0; }\n" + MAIN);
        assertEquals(Set.of("th: [] -> m1", "th: [m1] -> m2", "th: [] -> m3"), acquisitions(p));
    }

    @Test
    void branchesMeetByIntersectionAndEarlyExitsDoNotMerge() {
        CProgram p = program(HEAD
                + "static void *th(void *a) {\n"
                + "  if (a) pthread_mutex_lock(&m1); else pthread_mutex_lock(&m2);\n"
                + "  pthread_mutex_lock(&m3);\n" // neither m1 nor m2 is certainly held here
                + "  pthread_mutex_unlock(&m3);\n"
                + "  pthread_mutex_lock(&m1);\n"
                + "  if (cnt) { pthread_mutex_unlock(&m1); return 0; }\n"
                + "  pthread_mutex_lock(&m2);\n" // m1 still held: the unlocking path returned
                + "  return 0; }\n" + MAIN);
        Set<String> acq = acquisitions(p);
        assertTrue(acq.contains("th: [] -> m3"), acq.toString());
        assertTrue(acq.contains("th: [m1] -> m2"), acq.toString());
    }

    @Test
    void trylockHoldsOnlyOnItsSuccessBranch() {
        CProgram p = program(HEAD
                + "static void *th(void *a) {\n"
                + "  if (pthread_mutex_trylock(&m1) == 0) { pthread_mutex_lock(&m2); pthread_mutex_unlock(&m2);"
                + " pthread_mutex_unlock(&m1); }\n"
                + "  if (pthread_mutex_trylock(&m1)) { pthread_mutex_lock(&m3); }\n"
                + "  return 0; }\n" + MAIN);
        Set<String> acq = acquisitions(p);
        assertTrue(acq.contains("th: [m1] -> m2"), acq.toString());
        assertTrue(acq.contains("th: [] -> m3"), acq.toString());
    }

    @Test
    void structFieldsAreOneLockPerTypeAndCallersLocksReachCallees() {
        CProgram p = program(HEAD
                + "static void bump(struct q *x) { pthread_mutex_lock(&x->lock); x->n++;"
                + " pthread_mutex_unlock(&x->lock); cnt++; }\n"
                + "static void *th(void *a) { pthread_mutex_lock(&m1); bump(a); pthread_mutex_unlock(&m1);"
                + " return 0; }\n" + MAIN);
        assertEquals(Set.of("th: [] -> m1", "th: [m1] -> struct q.lock"), acquisitions(p));
        List<LockFacts.HeldAccess> cnt = SharedAccesses.of(p).byLocation().get("cnt");
        assertEquals(1, cnt.size());
        assertTrue(cnt.get(0).access().write() && cnt.get(0).access().readModifyWrite());
        assertEquals(Set.of("m1"), Set.copyOf(cnt.get(0).held().stream().map(LockId::display).toList()));
    }

    @Test
    void mainCountsOnlyWhileThreadsRunAndLoopsStartSeveralThreads() {
        CProgram p = program(HEAD
                + "static void *th(void *a) { cnt++; return 0; }\n"
                + "int main(void) { pthread_t t[2]; cnt = 1;\n"
                + "  for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, th, 0);\n"
                + "  cnt = 2;\n"
                + "  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);\n"
                + "  cnt = 3; return 0; }\n");
        EntryReach reach = EntryReach.of(p);
        assertTrue(reach.roots().stream().anyMatch(r -> r.name().equals("th") && r.multiple()));
        List<String> mainWrites = SharedAccesses.of(p).byLocation().get("cnt").stream()
                .filter(a -> a.root().isMain()).map(a -> a.access().node().parent().text()).toList();
        assertEquals(List.of("cnt = 2"), mainWrites);
    }

    @Test
    void noThreadsMeansNoFacts() {
        CProgram p = program(HEAD + "int main(void) { pthread_mutex_lock(&m1); cnt++; return 0; }\n");
        assertFalse(EntryReach.of(p).hasThreads());
        assertTrue(LockFacts.of(p).acquisitions().isEmpty());
    }
}
