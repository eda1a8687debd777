/*
 * echo-process - a line echo server that forks one child process per client.
 *
 * Lecture concept: the process-based concurrent server.  It shows the three
 * things the lecture says a forking server must get right:
 *
 *   1. The parent closes its copy of connfd right after fork().  After fork
 *      both processes hold the connection; the kernel closes it only when
 *      the last copy is closed, so without this the client never sees EOF
 *      (see echo-process-noclose) and the parent runs out of descriptors.
 *   2. The child closes its copy of listenfd: it never accepts, and the
 *      listening socket should belong to the parent alone.
 *   3. A SIGCHLD handler reaps finished children with
 *         while (waitpid(-1, NULL, WNOHANG) > 0) ;
 *      "while", because signals are not queued: one SIGCHLD may stand for
 *      several children that ended at the same time (see echo-process-ifreap),
 *      and without any reaping every finished child stays a zombie (see
 *      echo-process-noreap).  The handler saves and restores errno, since
 *      waitpid() can overwrite the errno the interrupted code is about to read.
 *
 * This is the correct version; the -noclose, -noreap and -ifreap variants
 * each break exactly one of these points.
 *
 * Run:   bin/echo-process [-p PORT] [--max-clients N]    (default port 15002)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15002

/* Reap every child that has finished (there may be more than one). */
static void sigchld_handler(int sig)
{
    int saved_errno = errno;

    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved_errno;
}

int main(int argc, char **argv)
{
    struct server_args args;
    struct sigaction sa;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-process",
                      "line echo server, one forked child process per client",
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
            close(listenfd);           /* the child never accepts */
            echo_lines(connfd);
            close(connfd);
            exit(0);
        }
        close(connfd);                 /* parent: the child has its own copy */
        if (args.max_clients && ++served == args.max_clients) {
            close(listenfd);
            wait_for_children();       /* let the last clients finish */
            return server_exit_status();
        }
    }
    close(listenfd);
    stop_children();                   /* SIGTERM/SIGINT: stop the children too */
    return server_exit_status();
}
