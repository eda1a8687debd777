/*
 * echo-process-noreap - forking echo server that never reaps its children.
 *
 * Lecture concept: "Listening server process must reap zombie children"
 * (process-based servers).  A child that has exited stays a zombie - its
 * process-table entry and exit status kept for the parent - until the parent
 * collects it with wait()/waitpid().
 *
 * THE BUG (marked "BUG" below in main): no SIGCHLD handler is installed and
 * the accept loop never calls waitpid().  Every client served leaves one
 * zombie child behind (state Z in /proc/<child>/stat, "<defunct>" in ps),
 * until the process table or the user's process limit is full and fork()
 * fails.
 * Correct form: install a SIGCHLD handler that reaps with
 *     while (waitpid(-1, NULL, WNOHANG) > 0) ;
 * as in echo-process.c.
 *
 * (When the server is told to stop, the shared stop_children() helper reaps
 * what is left, so the demo does not leave orphaned zombies on a machine
 * whose PID 1 does not reap.  While serving, nothing is ever reaped.)
 *
 * Run:   bin/echo-process-noreap [-p PORT] [--max-clients N]   (default port 15013)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15013

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-process-noreap",
                      "forking echo server that never reaps its children (BUG: zombies)",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    /* BUG: no SIGCHLD handler installed and no waitpid() anywhere - finished children stay zombies */

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
            wait_for_children();       /* shutdown only: see the note above */
            return server_exit_status();
        }
    }
    close(listenfd);
    stop_children();                   /* shutdown only: see the note above */
    return server_exit_status();
}
