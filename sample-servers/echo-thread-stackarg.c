/*
 * echo-thread-stackarg - thread-per-client echo server that passes the
 * address of the accept loop's connfd to each new thread.
 *
 * Lecture concept: unintended sharing between threads ("Potential Form of
 * Unintended Sharing", "Could this race occur?").  Every thread has its own
 * stack, but all memory is shared: a pointer into the main thread's stack is
 * a pointer to the same variable for every thread.
 *
 * THE BUG (one line, marked "BUG" below in main): pthread_create() gets
 * &connfd, the address of the loop's local variable.  The new thread reads
 * *arg some time later; if the main thread has accepted the next client in
 * the meantime, connfd already holds the NEW descriptor.  Then two threads
 * serve the same connection (interleaving its lines between them, one of
 * them closing it under the other's feet) while the earlier client is served
 * by nobody and waits forever.  Whether it happens depends on scheduling:
 * it needs clients connecting in quick succession (echo-client -c 8
 * -m per-request) and is rare with a single client.
 * Correct form: give each thread its own copy - malloc an int per
 * connection, store connfd in it, pass that pointer, and free it in the
 * thread (echo-thread.c).
 *
 * Run:   bin/echo-thread-stackarg [-p PORT] [--max-clients N]  (default port 15011)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15011

static void *serve_client(void *arg)
{
    int connfd = *(int *)arg;   /* reads main's variable - maybe already the next client's */

    pthread_detach(pthread_self());
    echo_lines(connfd);
    close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-thread-stackarg",
                      "thread-per-client echo server passing &connfd to the thread (BUG: unintended sharing)",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    listenfd = open_listen(args.port);

    for (;;) {
        pthread_t tid;
        int connfd = accept_client(listenfd);
        int err;

        if (connfd < 0)
            break;
        err = pthread_create(&tid, NULL, serve_client, &connfd);   /* BUG: &connfd is shared by all threads; pass a malloc'd copy */
        if (err != 0) {
            fprintf(stderr, "%s: pthread_create: %s\n", progname, strerror(err));
            close(connfd);
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
