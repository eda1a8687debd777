package interleave.engine.tests.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import interleave.engine.c.CFunction;
import interleave.engine.c.CParser;
import interleave.engine.c.CProgram;
import interleave.engine.analysis.SourceFile;
import interleave.engine.c.facts.ThreadFacts;
import interleave.engine.c.facts.ThreadFacts.Creation;
import interleave.engine.c.facts.ThreadFacts.Fate;

class ThreadFactsTest {

    private static CProgram program(String text) {
        try (CParser parser = new CParser()) {
            return new CProgram(List.of(parser.parse(SourceFile.of("t.c", text))));
        }
    }

    private static Map<String, Creation> byRoutine(CProgram p) {
        return ThreadFacts.of(p).creations().stream()
                .collect(Collectors.toMap(c -> c.start().routineName(), c -> c));
    }

    @Test
    void handlesAndTheirFates() {
        CProgram p = program("""
                #include <pthread.h>
                void keep(pthread_t t);
                struct conn { pthread_t tid; };
                static void *a(void *x) { return x; }
                static void *b(void *x) { Pthread_detach(pthread_self()); return x; }
                static void *c(void *x) { return x; }
                static void *d(void *x) { return x; }
                static void *e(void *x) { return x; }
                static void *f(void *x) { return x; }
                static void *g(void *x) { return x; }
                int main(void) {
                    pthread_t tids[4], t1, t2, t3;
                    pthread_attr_t attr;
                    struct conn *cn = 0;
                    pthread_attr_init(&attr);
                    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                    for (;;) {
                        pthread_create(&tids[0], NULL, a, NULL);
                        Pthread_create(&t1, NULL, b, NULL);
                        pthread_create(&t2, &attr, c, NULL);
                        pthread_create(&t3, NULL, d, NULL);
                        keep(t3);
                        pthread_create(&cn->tid, NULL, e, NULL);
                        pthread_t t4;
                        pthread_create(&t4, NULL, g, NULL);
                        pthread_detach(t4);
                    }
                    pthread_t t5;
                    pthread_create(&t5, NULL, f, NULL);
                    for (int i = 0; i < 4; i++) pthread_join(tids[i], NULL);
                }
                """);
        Map<String, Creation> c = byRoutine(p);
        assertEquals(Fate.JOINED, c.get("a").fate());
        assertEquals("tids", c.get("a").handleKey());
        assertEquals(Fate.DETACHED_BY_THREAD, c.get("b").fate());
        assertEquals(Fate.DETACHED_BY_ATTRIBUTE, c.get("c").fate());
        assertEquals(Fate.UNKNOWN, c.get("d").fate(), "t3 is passed to keep()");
        assertEquals(Fate.NEITHER, c.get("e").fate());
        assertEquals("tid", c.get("e").handleKey());
        assertEquals(Fate.DETACHED_BY_CREATOR, c.get("g").fate());
        assertNotNull(c.get("a").longRunning());
        assertEquals(Fate.NEITHER, c.get("f").fate());
        assertNull(c.get("f").longRunning(), "created once, after the loop");
        assertTrue(c.get("f").handleLocal());
    }

    @Test
    void reachableFromThreadsWithTheChain() {
        CProgram p = program("""
                #include <pthread.h>
                static void leaf(void) { }
                static void mid(void) { leaf(); }
                static void only_main(void) { }
                static void *start(void *x) { mid(); return x; }
                int main(void) { pthread_t t; only_main(); pthread_create(&t, NULL, start, NULL); pthread_join(t, NULL); }
                """);
        Map<CFunction, ThreadFacts.Reach> r = ThreadFacts.of(p).reachableFromThreads();
        Map<String, ThreadFacts.Reach> byName = r.values().stream()
                .collect(Collectors.toMap(x -> x.function().name(), x -> x));
        assertEquals(List.of("leaf", "mid", "start"), byName.keySet().stream().sorted().toList());
        ThreadFacts.Reach leaf = byName.get("leaf");
        assertEquals("start", leaf.routine().name());
        assertEquals(List.of("mid", "leaf"), leaf.path().stream().map(s -> s.calleeName()).toList());
        assertTrue(byName.get("start").path().isEmpty());
    }

    @Test
    void aCreationInAHelperCalledFromAnAcceptLoopIsLongRunning() {
        CProgram p = program("""
                #include <pthread.h>
                #include <sys/socket.h>
                static void *serve(void *x) { return x; }
                static int next_client(int l) { return accept(l, 0, 0); }
                static void spawn(int fd) { pthread_t t; pthread_create(&t, NULL, serve, (void *)(long)fd); }
                int main(void) { int fd; while ((fd = next_client(3)) >= 0) spawn(fd); }
                """);
        Creation c = ThreadFacts.of(p).creations().get(0);
        assertNotNull(c.longRunning());
        assertEquals("main", c.loopCaller().caller().name());
        assertEquals(Fate.NEITHER, c.fate());
    }
}
