/*
 * echo-thread-nodetach - thread-per-client echo server whose threads are
 * neither detached nor joined.
 *
 * Lecture concept: "Must run detached to avoid memory leak" (issues with
 * thread-based servers).  A thread is created joinable.  When a joinable
 * thread returns, its stack and thread descriptor are kept until another
 * thread collects its result with pthread_join() - like a zombie process.
 *
 * THE BUG (marked "BUG" below, at pthread_create in main): the server never
 * calls pthread_detach() (the thread does not detach itself either) and
 * never pthread_join()s.  Every client served leaks a whole thread stack
 * (8 MiB of address space by default, plus the touched pages): the
 * process's VmSize in /proc/PID/status grows by about 8 MiB per connection
 * until pthread_create() fails with EAGAIN.
 * Correct form: pthread_detach(pthread_self()) at the start of the thread
 * routine (echo-thread.c) - or keep the thread ids and join them.
 *
 * Run:   bin/echo-thread-nodetach [-p PORT] [--max-clients N]  (default port 15015)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15015

static void *serve_client(void *arg)
{
    int connfd = *(int *)arg;

    free(arg);
    echo_lines(connfd);
    close(connfd);
    return NULL;            /* joinable thread: its stack stays allocated */
}

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-thread-nodetach",
                      "thread-per-client echo server, threads never detached or joined (BUG: leak)",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    listenfd = open_listen(args.port);

    for (;;) {
        pthread_t tid;
        int *connfdp = malloc(sizeof *connfdp);
        int err;

        if (connfdp == NULL) {
            fprintf(stderr, "%s: out of memory\n", progname);
            break;
        }
        *connfdp = accept_client(listenfd);
        if (*connfdp < 0) {
            free(connfdp);
            break;
        }
        err = pthread_create(&tid, NULL, serve_client, connfdp);   /* BUG: tid is dropped - the thread is never detached nor joined */
        if (err != 0) {
            fprintf(stderr, "%s: pthread_create: %s\n", progname, strerror(err));
            close(*connfdp);
            free(connfdp);
            continue;
        }
        if (args.max_clients && ++served == args.max_clients) {
            close(listenfd);
            finish_threads_then_exit();
        }
    }
    close(listenfd);
    return server_exit_status();
}
