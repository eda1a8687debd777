/*
 * echo-process-ifreap - forking echo server whose SIGCHLD handler reaps with
 * "if" instead of "while".
 *
 * Lecture concept: reaping zombie children in a SIGCHLD handler
 * (process-based servers), and the fact that signals are not queued.  While
 * a SIGCHLD is pending, further SIGCHLDs are simply merged into it; and
 * while the handler runs, SIGCHLD is blocked.  So when several children end
 * close together, the handler may run once for all of them.
 *
 * THE BUG (one line, marked "BUG" in sigchld_handler): the handler calls
 * waitpid() once ("if") and so reaps at most one child per signal.  Every
 * merged signal leaves a zombie behind; it is only collected by some later,
 * unrelated SIGCHLD, and the last ones never are.  Zombies pile up under
 * load with many short connections (echo-client -m per-request -c 8).
 * Correct form:
 *     while (waitpid(-1, NULL, WNOHANG) > 0) ;
 * as in echo-process.c.
 *
 * Run:   bin/echo-process-ifreap [-p PORT] [--max-clients N]   (default port 15014)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15014

static void sigchld_handler(int sig)
{
    int saved_errno = errno;

    (void)sig;
    if (waitpid(-1, NULL, WNOHANG) > 0) {   /* BUG: "if" reaps one child per signal; must be "while" */
        /* one child reaped - any others that ended meanwhile stay zombies */
    }
    errno = saved_errno;
}

int main(int argc, char **argv)
{
    struct server_args args;
    struct sigaction sa;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-process-ifreap",
                      "forking echo server reaping with 'if' instead of 'while' (BUG: lost SIGCHLDs leave zombies)",
                      DEFAULT_PORT, &args);
    install_stop_handlers();

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigchld_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);

    listenfd = open_listen(args.port);

    for (;;) {
        int connfd = accept_client(listenfd);
        pid_t pid;

        if (connfd < 0)
            break;
        pid = fork();
        if (pid < 0) {
            fprintf(stderr, "%s: fork: %s\n", progname, strerror(errno));
            close(connfd);
            continue;
        }
        if (pid == 0) {                /* child: serve this one client */
            child_after_fork();
            close(listenfd);
            echo_lines(connfd);
            close(connfd);
            exit(0);
        }
        close(connfd);
        if (args.max_clients && ++served == args.max_clients) {
            close(listenfd);
            wait_for_children();
            return server_exit_status();
        }
    }
    close(listenfd);
    stop_children();
    return server_exit_status();
}
