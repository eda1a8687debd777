/*
 * echo-iterative - a line echo server that serves ONE client at a time.
 *
 * Lecture concept: the iterative server ("Iterative Servers", "Where Does
 * Second Client Block?").  The accept loop calls the echo service directly,
 * so a second client has to wait until the first one hangs up.  Its connect()
 * still succeeds at once - the kernel completes the handshake and queues the
 * connection (the listen backlog), and even its first write() succeeds,
 * because the kernel buffers the data - but its read() of the echo blocks,
 * since nobody has accepted the connection yet.
 *
 * This is not a bug, it is the fundamental flaw that motivates concurrent
 * servers: try two `echo-client -c 2` clients and watch the latency.
 *
 * Run:   bin/echo-iterative [-p PORT] [--max-clients N]    (default port 15001)
 */
#include <stdio.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15001

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd;

    parse_server_args(argc, argv, "echo-iterative",
                      "line echo server, one client at a time (iterative)",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    listenfd = open_listen(args.port);

    for (;;) {
        int connfd = accept_client(listenfd);   /* wait for the next client */
        if (connfd < 0)
            break;                              /* SIGTERM/SIGINT */
        echo_lines(connfd);                     /* serve it until it hangs up */
        close(connfd);                          /* ... and only then the next */
        if (args.max_clients && ++served == args.max_clients)
            break;
    }
    close(listenfd);
    return server_exit_status();
}
