package interleave.engine.tests.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.c.CParser;
import interleave.engine.c.CProgram;
import interleave.engine.analysis.SourceFile;
import interleave.engine.concurrency.CallStep;
import interleave.engine.concurrency.ConcurrencyFacts;
import interleave.engine.concurrency.EntryPoint;
import interleave.engine.concurrency.LockAcquisition;
import interleave.engine.concurrency.SharedAccess;
import interleave.engine.finding.SourceRange;
import interleave.engine.rules.Language;

/** The C front end's neutral concurrency facts: what the rules written once read about a C program. */
class CConcurrencyTest {

    private static CProgram program(String text) {
        try (CParser parser = new CParser()) {
            return new CProgram(List.of(parser.parse(SourceFile.of("t.c", text))));
        }
    }

    private static final String PROGRAM = """
            #include <pthread.h>
            pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER;
            volatile long cnt;
            static int done;
            static void take(pthread_mutex_t *m) { pthread_mutex_lock(m); }
            void *worker(void *arg) {
                pthread_mutex_lock(&m1);
                take(&m2);
                pthread_mutex_unlock(&m2);
                pthread_mutex_unlock(&m1);
                cnt++;
                done = 1;
                return NULL;
            }
            int main(void) {
                pthread_t t[4];
                for (int i = 0; i < 4; i++)
                    pthread_create(&t[i], NULL, worker, NULL);
                for (int i = 0; i < 4; i++)
                    pthread_join(t[i], NULL);
                return (int) cnt;
            }
            """;

    @Test
    void entriesLocksAndAccessesOfACProgram() {
        CProgram p = program(PROGRAM);
        assertEquals(Language.C, p.language());
        assertEquals("t.c", p.name());
        ConcurrencyFacts f = p.concurrency();
        assertSame(f, p.concurrency(), "derived once");

        EntryPoint worker = f.entries().stream().filter(e -> e.name().equals("worker")).findFirst().orElseThrow();
        EntryPoint main = f.entries().stream().filter(e -> e.name().equals("main")).findFirst().orElseThrow();
        assertEquals(EntryPoint.Kind.THREAD, worker.kind());
        assertTrue(worker.multiple(), "created in a loop");
        assertEquals(EntryPoint.Kind.MAIN, main.kind());
        assertTrue(worker.concurrentWith(worker) && worker.concurrentWith(main));
        assertEquals(18, worker.start().startLine(), "started at the pthread_create");

        // m2 is taken in take() through its parameter, with m1 held since worker's first line
        LockAcquisition m2 = f.acquisitions().stream().filter(a -> a.lock().display().equals("m2")).findFirst()
                .orElseThrow();
        assertEquals(worker, m2.entry());
        assertEquals(LockAcquisition.Mode.EXCLUSIVE, m2.mode());
        assertEquals(List.of("m1"), m2.held().keySet().stream().map(l -> l.display()).toList());
        assertTrue(m2.lock().programWide());
        SourceRange m1Site = m2.held().values().iterator().next();
        assertEquals(7, m1Site.startLine());
        assertEquals(1, m2.chain().size());
        CallStep step = m2.chain().get(0);
        assertEquals("worker", step.caller());
        assertEquals("take", step.callee());
        assertEquals(8, step.site().startLine());
        assertNotNull(step.callerExtent());
        assertTrue(step.callerExtent().startOffset() <= m1Site.startOffset()
                && m1Site.endOffset() <= step.callerExtent().endOffset(), "the caller's extent holds where m1 was taken");

        SharedAccess inc = f.accesses().stream().filter(a -> a.variable().display().equals("cnt") && a.write())
                .findFirst().orElseThrow();
        assertTrue(inc.readModifyWrite() && !inc.atomic() && inc.held().isEmpty());
        assertTrue(inc.variable().volatileDeclared());
        assertEquals("cnt", inc.variable().declaredName());
        assertNull(inc.variable().localTo());
        assertEquals(3, inc.variable().declaration().startLine());
        assertEquals("cnt++", inc.expression().text());
        assertNull(inc.expression().constant());
        SharedAccess flag = f.accesses().stream().filter(a -> a.variable().display().equals("done")).findFirst()
                .orElseThrow();
        assertEquals("1", flag.expression().constant(), "a plain store of a literal");
        // main reads cnt only after joining: outside its concurrent window, so no access of main's is listed
        assertTrue(f.accesses().stream().noneMatch(a -> a.entry().equals(main)), f.accesses().toString());
        assertEquals(List.of(), p.concurrencyFixes().atomicCounter(flag, List.of(flag)), "not a counter");
        assertEquals(1, p.concurrencyFixes().atomicCounter(inc, List.of(inc)).size(), "_Atomic for the counter");
    }
}
