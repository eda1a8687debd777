package interleave.ui.tests;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small forking, threaded server in three files, with the two classic bugs the lecture shows: the accept loop passes
 * &connfd to each thread, and the SIGCHLD handler (signals.c) calls printf through a helper defined in ANOTHER file
 * (log.c), which only an analysis of the files together can see. The handler saves and restores errno, so that
 * these two stay the program's only findings.
 */
final class ServerProgram {
    static final String SERVER_C = """
            #include <pthread.h>
            #include <sys/socket.h>
            #include <unistd.h>

            static void *serve(void *vargp)
            {
                int connfd = *((int *)vargp);
                pthread_detach(pthread_self());
                close(connfd);
                return NULL;
            }

            void run_server(int listenfd)
            {
                int connfd;
                pthread_t tid;
                while (1) {
                    connfd = accept(listenfd, NULL, NULL);
                    pthread_create(&tid, NULL, serve, &connfd);
                }
            }
            """;

    static final String SIGNALS_C = """
            #include <errno.h>
            #include <signal.h>
            #include <stddef.h>
            #include <sys/wait.h>

            void log_child(int pid);
            void run_server(int listenfd);

            static void reap_children(int sig)
            {
                int saved_errno = errno; /* waitpid() sets errno; the interrupted code may be about to read it */
                int pid;
                while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
                    log_child(pid);
                errno = saved_errno;
            }

            int main(void)
            {
                signal(SIGCHLD, reap_children);
                run_server(3);
                return 0;
            }
            """;

    static final String LOG_C = """
            #include <stdio.h>

            void log_child(int pid)
            {
                printf("child %d finished\\n", pid);
            }
            """;

    static final String STACK_RULE = "stack-address-to-thread";
    static final String SIGNAL_RULE = "unsafe-call-in-signal-handler";

    /** The marker descriptions ("file:line rule") the analysis of the whole program must produce. */
    static java.util.List<String> expectedMarkers() {
        return java.util.List.of("log.c:" + Workbench.lineOf(LOG_C, "printf") + " " + SIGNAL_RULE,
                "server.c:" + Workbench.lineOf(SERVER_C, "pthread_create") + " " + STACK_RULE);
    }

    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("server.c", SERVER_C);
        files.put("signals.c", SIGNALS_C);
        files.put("log.c", LOG_C);
        files.put("README.txt", "Not C: the analysis must ignore this file.\n");
        return files;
    }

    private ServerProgram() {
    }
}
