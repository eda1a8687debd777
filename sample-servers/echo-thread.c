/*
 * echo-thread - a line echo server that creates one thread per client.
 *
 * Lecture concept: the thread-based concurrent server, and how to hand a
 * value to a new thread without unintended sharing:
 *
 *   - The accept loop stores each connected descriptor in its OWN piece of
 *     malloc'd memory and passes that pointer to pthread_create().  The
 *     thread copies the value out and frees the memory (allocate in main,
 *     free in the thread: producer/consumer).  Passing &connfd instead would
 *     let every thread read the one variable the loop keeps overwriting
 *     (see echo-thread-stackarg).
 *   - The thread detaches itself with pthread_detach(pthread_self()), so its
 *     resources (its stack above all) are released when it returns; nobody
 *     joins it.  A thread that is neither detached nor joined leaks them
 *     (see echo-thread-nodetach).
 *   - The thread closes connfd when the client is done.
 *
 * This is the correct version.
 *
 * Run:   bin/echo-thread [-p PORT] [--max-clients N]    (default port 15003)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15003

static void *serve_client(void *arg)
{
    int connfd = *(int *)arg;      /* copy the value out of our private box ... */

    pthread_detach(pthread_self()); /* ... nobody will join us ... */
    free(arg);                     /* ... and give the box back */
    echo_lines(connfd);
    close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-thread",
                      "line echo server, one detached thread per client",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    listenfd = open_listen(args.port);

    for (;;) {
        pthread_t tid;
        int *connfdp = malloc(sizeof *connfdp);   /* one box per connection */
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
        err = pthread_create(&tid, NULL, serve_client, connfdp);
        if (err != 0) {
            fprintf(stderr, "%s: pthread_create: %s\n", progname, strerror(err));
            close(*connfdp);
            free(connfdp);
            continue;
        }
        if (args.max_clients && ++served == args.max_clients) {
            close(listenfd);
            finish_threads_then_exit();   /* last client thread ends the process */
        }
    }
    close(listenfd);
    return server_exit_status();
}
