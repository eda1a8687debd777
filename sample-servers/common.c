/*
 * common.c - shared plumbing of the sample servers (see common.h).
 *
 * Deliberately free of the bugs the samples demonstrate: every sample keeps
 * its one bug in its own file.
 */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *progname = "server";

static volatile sig_atomic_t stop_flag;   /* set by the stop handler */
static volatile sig_atomic_t draining;    /* main thread has left (threads) */
static volatile sig_atomic_t had_error;   /* stopped because of an error */
static int stop_pipe[2] = {-1, -1};       /* [0] readable after a stop */

/* ------------------------------------------------------------------ */
/* command line                                                        */

int parse_port(const char *s)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > 65535)
        return -1;
    return (int)v;
}

static void usage(FILE *out, const char *what, int default_port)
{
    fprintf(out,
            "usage: %s [-p PORT | PORT] [--max-clients N]\n"
            "  %s\n"
            "  -p, --port PORT     TCP port on 127.0.0.1 (default %d, 0 = any free port)\n"
            "  --max-clients N     exit after serving N connections (default: serve forever)\n"
            "  -h, --help          show this help\n"
            "Prints \"listening on 127.0.0.1:PORT\" once listening; stops on SIGTERM/SIGINT.\n",
            progname, what, default_port);
}

void parse_server_args(int argc, char **argv, const char *name, const char *what,
                       int default_port, struct server_args *args)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"max-clients", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, have_port = 0;
    char *end;

    progname = name;
    args->port = default_port;
    args->max_clients = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            args->port = parse_port(optarg);
            if (args->port < 0) {
                fprintf(stderr, "%s: bad port '%s' (want 0..65535)\n", progname, optarg);
                goto bad;
            }
            have_port = 1;
            break;
        case 'm':
            errno = 0;
            args->max_clients = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || args->max_clients < 1) {
                fprintf(stderr, "%s: bad --max-clients '%s' (want a number >= 1)\n",
                        progname, optarg);
                goto bad;
            }
            break;
        case 'h':
            usage(stdout, what, default_port);
            exit(0);
        case ':':
            fprintf(stderr, "%s: option '%s' needs an argument\n", progname, argv[optind - 1]);
            goto bad;
        default:
            fprintf(stderr, "%s: unknown option '%s'\n", progname, argv[optind - 1]);
            goto bad;
        }
    }
    if (optind < argc) {
        if (have_port || optind + 1 < argc) {
            fprintf(stderr, "%s: unexpected argument '%s'\n", progname, argv[optind]);
            goto bad;
        }
        args->port = parse_port(argv[optind]);
        if (args->port < 0) {
            fprintf(stderr, "%s: bad port '%s' (want 0..65535)\n", progname, argv[optind]);
            goto bad;
        }
    }
    return;
bad:
    usage(stderr, what, default_port);
    exit(2);
}

/* ------------------------------------------------------------------ */
/* listening socket                                                    */

int open_listen(int port)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd, one = 1;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    /* Lets a restarted server bind while old connections sit in TIME_WAIT;
     * a port somebody is still listening on stays "Address already in use". */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* 127.0.0.1 only */
    addr.sin_port = htons((unsigned short)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        goto fail;
    if (listen(fd, 128) < 0)
        goto fail;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        goto fail;
    /* The accept loop waits in poll() first, so accept() itself must never
     * block (a client may give up between poll and accept).  Accepted
     * sockets do not inherit O_NONBLOCK on Linux. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    return fd;

fail:
    fprintf(stderr, "%s: cannot listen on 127.0.0.1:%d: %s\n", progname, port, strerror(errno));
    exit(2);
}

/* ------------------------------------------------------------------ */
/* stopping                                                            */

static void stop_handler(int sig)
{
    int saved_errno = errno;
    char byte = 1;

    (void)sig;
    if (draining)          /* main thread already gone: nobody to wake up */
        _exit(0);
    stop_flag = 1;
    if (write(stop_pipe[1], &byte, 1) < 0) {
        /* pipe full: a wake-up is already pending, nothing to do */
    }
    errno = saved_errno;
}

void install_stop_handlers(void)
{
    struct sigaction sa;

    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        fprintf(stderr, "%s: pipe: %s\n", progname, strerror(errno));
        exit(1);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = stop_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: a blocked read() returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int stop_requested(void)
{
    return stop_flag != 0;
}

int stop_fd(void)
{
    return stop_pipe[0];
}

int server_exit_status(void)
{
    return had_error ? 1 : 0;
}

/* Sleep up to `ms` milliseconds, waking early if a stop is requested. */
static void nap(int ms)
{
    struct pollfd p = {stop_pipe[0], POLLIN, 0};
    poll(&p, 1, ms);
}

int accept_client(int listenfd)
{
    static time_t last_warning;

    for (;;) {
        struct pollfd p[2] = {{listenfd, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
        int connfd;

        if (stop_requested())
            return -1;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: poll: %s\n", progname, strerror(errno));
            had_error = 1;
            return -1;
        }
        if (p[1].revents != 0 || stop_requested())
            return -1;
        if ((p[0].revents & POLLIN) == 0)
            continue;

        connfd = accept(listenfd, NULL, NULL);
        if (connfd >= 0)
            return connfd;
        switch (errno) {
        case EINTR:
        case EAGAIN:
        case ECONNABORTED:
        case EPROTO:
            continue;   /* client gave up, or a signal: try again */
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            /* Out of descriptors (e.g. because they leak): say so now and
             * then, and keep trying slowly instead of spinning. */
            if (time(NULL) != last_warning) {
                last_warning = time(NULL);
                fprintf(stderr, "%s: accept: %s (retrying)\n", progname, strerror(errno));
            }
            nap(100);
            continue;
        default:
            fprintf(stderr, "%s: accept: %s\n", progname, strerror(errno));
            had_error = 1;
            return -1;
        }
    }
}

/* ------------------------------------------------------------------ */
/* the echo service                                                    */

int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR && !stop_requested())
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int echo_lines(int connfd)
{
    char buf[ECHO_BUF_SIZE];
    size_t len = 0;   /* bytes in buf: the start of a line not yet complete */

    for (;;) {
        ssize_t n = read(connfd, buf + len, sizeof buf - len);
        char *last_nl;
        size_t done;

        if (n < 0) {
            if (errno == EINTR && !stop_requested())
                continue;
            return -1;
        }
        if (n == 0)
            break;   /* client closed its side */
        len += (size_t)n;

        /* Echo everything up to and including the last newline. */
        last_nl = memrchr(buf, '\n', len);
        done = last_nl ? (size_t)(last_nl - buf) + 1 : 0;
        if (done == 0 && len == sizeof buf)
            done = len;   /* a line longer than the buffer: pass on this piece */
        if (done > 0) {
            if (write_all(connfd, buf, done) < 0)
                return -1;
            memmove(buf, buf + done, len - done);
            len -= done;
        }
    }
    if (len > 0 && write_all(connfd, buf, len) < 0)   /* last line had no newline */
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* process-based servers                                               */

void child_after_fork(void)
{
    pid_t parent = getppid();

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    /* If the server dies without stopping us, we get SIGTERM. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)   /* it died before prctl took effect */
        _exit(0);
}

/* Send SIGTERM to every child listed in /proc/self/task/<pid>/children. */
static void kill_children(void)
{
    char path[64];
    FILE *f;
    long pid;

    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fscanf(f, "%ld", &pid) == 1)
        kill((pid_t)pid, SIGTERM);
    fclose(f);
}

void stop_children(void)
{
    kill_children();
    /* Reap everything that is left, including zombies the sample never
     * reaped: an orphaned zombie is only cleaned up if PID 1 reaps, which
     * some containers' init does not. */
    for (;;) {
        if (wait(NULL) > 0)
            continue;
        if (errno == EINTR)
            continue;
        break;   /* ECHILD: none left */
    }
}

void wait_for_children(void)
{
    for (;;) {
        pid_t pid;

        if (stop_requested()) {
            stop_children();
            return;
        }
        pid = waitpid(-1, NULL, WNOHANG);
        if (pid > 0)
            continue;
        if (pid < 0 && errno == ECHILD)
            return;   /* every child is done */
        nap(50);
    }
}

/* ------------------------------------------------------------------ */
/* thread-based servers                                                */

void finish_threads_then_exit(void)
{
    draining = 1;          /* from now on the stop handler exits at once */
    if (stop_requested())
        exit(0);
    pthread_exit(NULL);    /* process ends (status 0) with its last thread */
}
