/*
 * common.h - the small amount of plumbing every sample server shares.
 *
 * Nothing in here is a concurrency bug: the bug each sample demonstrates is
 * written out in the sample's own .c file.  What lives here is the boring
 * part that would otherwise be copied nine times:
 *
 *   - command line: [-p PORT | PORT] [--max-clients N], port 0 = any free port
 *   - opening the listening socket on 127.0.0.1 and announcing it with the
 *     fixed, machine-readable line "listening on 127.0.0.1:PORT"
 *   - SIGTERM/SIGINT: a handler that only records the request and wakes the
 *     accept loop through a pipe (the "self-pipe" trick), so a server stops
 *     cleanly no matter which of its threads the signal happens to hit
 *   - echo_lines(): the line-by-line echo service (the lecture's echo())
 *   - shutdown helpers for process- and thread-based servers
 */
#ifndef SAMPLE_SERVERS_COMMON_H
#define SAMPLE_SERVERS_COMMON_H

#include <sys/types.h>

/* Largest piece of a line the servers keep before echoing it (longer lines
 * are passed on in pieces of this size). */
#define ECHO_BUF_SIZE 8192

struct server_args {
    int port;          /* 0 = let the kernel pick a free port */
    long max_clients;  /* 0 = serve forever; otherwise exit after N connections */
};

/* Name used in messages ("echo-thread: ..."); set by parse_server_args(). */
extern const char *progname;

/* Parse "[-p PORT | PORT] [--max-clients N] [-h]".  Bad arguments print a
 * usage message and exit with status 2.  `what` is a one-line description
 * printed by --help. */
void parse_server_args(int argc, char **argv, const char *name, const char *what,
                       int default_port, struct server_args *args);

/* Parse a TCP port number 0..65535; returns -1 if `s` is not one. */
int parse_port(const char *s);

/* Create a socket listening on 127.0.0.1:port and print
 * "listening on 127.0.0.1:<actual port>" on stdout (flushed).  On failure
 * prints "<prog>: cannot listen on 127.0.0.1:<port>: <reason>" and exits 2. */
int open_listen(int port);

/* Install the SIGTERM/SIGINT stop handlers and ignore SIGPIPE (a client that
 * disappears makes write() fail with EPIPE instead of killing the server). */
void install_stop_handlers(void);

/* True once SIGTERM or SIGINT has arrived. */
int stop_requested(void);

/* A descriptor that becomes readable once a stop was requested (for select()). */
int stop_fd(void);

/* Wait for the next connection and accept it.  Returns the connected
 * descriptor, or -1 when the server should stop (stop requested, or an
 * unexpected accept error, which is reported on stderr). */
int accept_client(int listenfd);

/* Exit status a server returns at the end: 0 after a requested stop or
 * --max-clients, 1 if it stopped because of an error. */
int server_exit_status(void);

/* The echo service: read from connfd, write every complete line back as soon
 * as its newline has arrived, until the client closes its side.  A final
 * line without newline is echoed at EOF.  Returns 0, or -1 on error. */
int echo_lines(int connfd);

/* write() all of buf, retrying after partial writes and EINTR. */
int write_all(int fd, const char *buf, size_t len);

/* --- process-based servers --- */

/* Call first thing in a forked child: SIGTERM/SIGINT back to their default
 * action, and the child gets SIGTERM if the server dies. */
void child_after_fork(void);

/* Server is shutting down: send SIGTERM to every child that is still
 * running and reap them all, so nothing is left behind. */
void stop_children(void);

/* After --max-clients: wait until every child has finished its client (or a
 * stop is requested, then stop_children()). */
void wait_for_children(void);

/* --- thread-based servers --- */

/* After --max-clients: the main thread leaves with pthread_exit(); the
 * process exits with status 0 when the last client thread returns (or at
 * once on SIGTERM/SIGINT).  Does not return. */
void finish_threads_then_exit(void) __attribute__((noreturn));

#endif
