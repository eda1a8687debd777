package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.AnalysisResult;
import interleave.engine.analysis.CAnalyzer;
import interleave.engine.analysis.SourceFile;
import interleave.engine.rules.RuleRegistry;
import interleave.engine.settings.Settings;

/** thread-unsafe-call.functions chooses the list: POSIX's (default) or glibc's; a bad value falls back with a note. */
class ThreadUnsafeCallOptionTest {
    private static final String PROGRAM = """
            #include <arpa/inet.h>
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <errno.h>

            static void *serve(void *arg)
            {
                struct in_addr a = { 0 };
                char line[] = "a b";
                pthread_detach(pthread_self());
                printf("%s\\n", strerror(errno));
                printf("%s\\n", inet_ntoa(a));
                printf("%d\\n", rand());
                printf("%s\\n", strtok(line, " "));
                return arg;
            }

            int main(void)
            {
                pthread_t tid;
                for (;;)
                    pthread_create(&tid, NULL, serve, NULL);
            }
            """;

    private static AnalysisResult analyze(String settings) throws Exception {
        Settings s = settings == null ? Settings.defaults() : Settings.parse(settings, "test settings");
        return new CAnalyzer(RuleRegistry.cRules(), 1, s).analyze(List.of(SourceFile.of("serve.c", PROGRAM)),
                CAnalyzer.Progress.NONE, () -> false);
    }

    private static List<String> reported(AnalysisResult r) {
        return r.findings().stream().filter(f -> f.ruleId().equals("thread-unsafe-call"))
                .map(f -> f.message().substring(0, f.message().indexOf('('))).sorted().toList();
    }

    @Test
    void posixIsTheDefaultAndListsStrerrorRandAndInetNtoa() throws Exception {
        assertEquals(List.of("inet_ntoa", "rand", "strerror", "strtok"), reported(analyze(null)));
        assertEquals(reported(analyze(null)), reported(analyze("thread-unsafe-call.functions = posix")));
    }

    @Test
    void glibcKeepsStrtokButNotWhatGlibcMadeSafe() throws Exception {
        AnalysisResult r = analyze("thread-unsafe-call.functions = glibc");
        assertEquals(List.of("strtok"), reported(r));
        assertTrue(r.findings().get(0).message().contains("(glibc)"), r.findings().get(0).message());
    }

    @Test
    void anUnknownValueIsReportedAndThePosixListUsed() throws Exception {
        AnalysisResult r = analyze("thread-unsafe-call.functions = musl");
        assertEquals(List.of("inet_ntoa", "rand", "strerror", "strtok"), reported(r));
        assertTrue(r.notifications().stream().anyMatch(n -> n.message().contains("thread-unsafe-call.functions = musl")
                && n.message().contains("posix or glibc")), r.notifications().toString());
    }

    private static final String DEEP = """
            #include <pthread.h>
            #include <string.h>
            static void d(char *s) { strtok(s, ","); }
            static void c(char *s) { d(s); }
            static void b(char *s) { c(s); }
            static void a(char *s) { b(s); }
            static void *start(void *arg) { a(arg); return NULL; }
            int main(void) { static char x[] = "1,2"; pthread_t t; pthread_create(&t, NULL, start, x);
                pthread_join(t, NULL); return 0; }
            """;

    private static long deepFindings(String settings) throws Exception {
        Settings s = settings == null ? Settings.defaults() : Settings.parse(settings, "test settings");
        return new CAnalyzer(RuleRegistry.cRules(), 1, s).analyze(List.of(SourceFile.of("deep.c", DEEP)),
                CAnalyzer.Progress.NONE, () -> false).findings().stream()
                .filter(f -> f.ruleId().equals("thread-unsafe-call")).count();
    }

    @Test
    void maxDepthBoundsHowFarFromTheStartRoutineCallsAreReported() throws Exception {
        assertEquals(0, deepFindings(null), "d() is four calls away; the default max-depth is 3");
        assertEquals(1, deepFindings("thread-unsafe-call.max-depth = 4"));
        assertEquals(0, deepFindings("thread-unsafe-call.max-depth = 3"));
        Settings bad = Settings.parse("thread-unsafe-call.max-depth = deep", "test settings");
        AnalysisResult r = new CAnalyzer(RuleRegistry.cRules(), 1, bad).analyze(List.of(SourceFile.of("deep.c", DEEP)),
                CAnalyzer.Progress.NONE, () -> false);
        assertTrue(r.notifications().stream().anyMatch(n -> n.message().contains("max-depth = deep")),
                r.notifications().toString());
    }
}
