/*
 * echo-process-noclose - forking echo server whose parent never closes connfd.
 *
 * Lecture concept: "Parent must close its copy of connfd" (process-based
 * servers).  After fork() the connection is open in two processes and the
 * kernel keeps a reference count per open socket: refcnt(connfd) = 2.  The
 * connection is only really closed when the count reaches 0.
 *
 * THE BUG (one line, marked "BUG" below in main): after fork() the parent
 * does not close(connfd).  Consequences:
 *   - every connection leaks one descriptor in the parent: /proc/PID/fd grows
 *     by one per client, until accept() fails with EMFILE;
 *   - when the child finishes and closes its copy, the connection stays open
 *     (the parent still holds it), so a client that shuts down its sending
 *     side and waits for the server to close never sees EOF
 *     (try: echo-client -m per-request --wait-eof).
 * Correct form: call close(connfd) in the parent right after fork(), as in
 * echo-process.c.  Everything else (SIGCHLD reaping, child closing listenfd)
 * is done correctly here.
 *
 * Run:   bin/echo-process-noclose [-p PORT] [--max-clients N]   (default port 15012)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15012

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

    parse_server_args(argc, argv, "echo-process-noclose",
                      "forking echo server whose parent never closes connfd (BUG: descriptor leak)",
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
        /* BUG: missing close(connfd) - the parent keeps its copy of the connection */
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
