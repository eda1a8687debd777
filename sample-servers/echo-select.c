/*
 * echo-select - a line echo server built as an event loop around select().
 *
 * Lecture concept: the event-based server (I/O multiplexing).  One thread,
 * one address space: the server keeps the set of active connections,
 * asks select() which descriptors have pending input, accepts when the
 * listening descriptor is ready and serves every connection that is ready -
 * each with exactly one read(), so no client can make the others wait for
 * its data.
 *
 * The hard part the lecture warns about ("how to deal with partial
 * requests") is handled here: a read() returns whatever bytes have arrived,
 * which may be half a line, several lines, or a line and a half.  Each
 * connection therefore has its own buffer; a line is echoed only once its
 * newline has arrived, and the unfinished rest waits in the buffer for the
 * next read().  A line split over many reads is echoed once, whole.
 *
 * Limits, kept on purpose to stay small: select() handles descriptors below
 * FD_SETSIZE (1024) only, and the echo is written with blocking write()s, so
 * a client that sends a lot but never reads can stall the loop.
 *
 * This is a correct sample (no deliberate bug).
 *
 * Run:   bin/echo-select [-p PORT] [--max-clients N]    (default port 15004)
 */
#define _GNU_SOURCE   /* memrchr */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#define DEFAULT_PORT 15004
#define MAX_CONNS (FD_SETSIZE - 16)

/* One active connection: its descriptor and the unfinished line so far. */
struct conn {
    int fd;                      /* -1: slot unused */
    size_t len;                  /* bytes waiting in buf (no newline among them) */
    char buf[ECHO_BUF_SIZE];
};

static struct conn conns[MAX_CONNS];
static int nconns;               /* slots in use */

static void add_conn(int fd)
{
    int i;

    for (i = 0; i < MAX_CONNS; i++) {
        if (conns[i].fd < 0) {
            conns[i].fd = fd;
            conns[i].len = 0;
            nconns++;
            return;
        }
    }
}

static void drop_conn(struct conn *c)
{
    close(c->fd);
    c->fd = -1;
    c->len = 0;
    nconns--;
}

/* The connection is readable: read once, echo every line that is complete. */
static void serve_ready(struct conn *c)
{
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    char *last_nl;
    size_t done;

    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN)
            drop_conn(c);
        return;
    }
    if (n == 0) {                                   /* client closed its side */
        if (c->len > 0)
            write_all(c->fd, c->buf, c->len);       /* last line had no newline */
        drop_conn(c);
        return;
    }
    c->len += (size_t)n;

    last_nl = memrchr(c->buf, '\n', c->len);
    done = last_nl ? (size_t)(last_nl - c->buf) + 1 : 0;
    if (done == 0 && c->len == sizeof c->buf)
        done = c->len;                              /* over-long line: pass on a piece */
    if (done == 0)
        return;                                     /* only part of a line so far */
    if (write_all(c->fd, c->buf, done) < 0) {
        drop_conn(c);
        return;
    }
    memmove(c->buf, c->buf + done, c->len - done);  /* keep the unfinished rest */
    c->len -= done;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long served = 0;
    int listenfd, listening = 1, i;

    parse_server_args(argc, argv, "echo-select",
                      "line echo server, one thread, select() event loop",
                      DEFAULT_PORT, &args);
    install_stop_handlers();
    listenfd = open_listen(args.port);
    for (i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;

    while (listening || nconns > 0) {
        fd_set ready;
        int maxfd = stop_fd();

        /* Which descriptors do we care about? */
        FD_ZERO(&ready);
        FD_SET(stop_fd(), &ready);
        if (listening) {
            FD_SET(listenfd, &ready);
            if (listenfd > maxfd)
                maxfd = listenfd;
        }
        for (i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd >= 0) {
                FD_SET(conns[i].fd, &ready);
                if (conns[i].fd > maxfd)
                    maxfd = conns[i].fd;
            }
        }

        /* Anything happened? */
        if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            perror("echo-select: select");
            return 1;
        }
        if (FD_ISSET(stop_fd(), &ready) || stop_requested())
            break;

        /* A new connection: add it to the set. */
        if (listening && FD_ISSET(listenfd, &ready)) {
            int connfd = accept(listenfd, NULL, NULL);

            if (connfd >= 0 && (connfd >= FD_SETSIZE || nconns == MAX_CONNS)) {
                fprintf(stderr, "%s: too many connections, refusing one\n", progname);
                close(connfd);
            } else if (connfd >= 0) {
                add_conn(connfd);
                if (args.max_clients && ++served == args.max_clients) {
                    close(listenfd);       /* serve what we have, then exit */
                    listening = 0;
                }
            } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
                fprintf(stderr, "%s: accept: %s\n", progname, strerror(errno));
            }
        }

        /* Read and service every connection with pending input. */
        for (i = 0; i < MAX_CONNS; i++)
            if (conns[i].fd >= 0 && FD_ISSET(conns[i].fd, &ready))
                serve_ready(&conns[i]);
    }

    if (listening)
        close(listenfd);
    for (i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd >= 0)
            drop_conn(&conns[i]);
    return server_exit_status();
}
