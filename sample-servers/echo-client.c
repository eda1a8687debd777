/*
 * echo-client - load generator and checker for the line echo servers.
 *
 * Not a lecture sample itself: it is the "client" side of the lecture's
 * pictures.  It runs N concurrent clients (threads) against a server on
 * 127.0.0.1, each sending lines and checking that exactly the same line
 * comes back.
 *
 *   -m persistent   each client opens one connection and does many
 *                   round-trips on it (default)
 *   -m per-request  each request is its own connection: connect, send one
 *                   line, read the echo, close (this is what makes
 *                   process servers fork a child per request)
 *
 * The run is bounded both by the total number of requests (shared by all
 * clients) and by a time limit; a request still waiting for its echo gets
 * 2 more seconds after the time limit, then counts as a timeout error.
 * Reports round-trips per second and latency percentiles (p50/p90/p99/max).
 *
 * Checks it can make besides the echo itself:
 *   --split MS    send each line in two halves, MS milliseconds apart, and
 *                 fail if anything is echoed before the newline was sent
 *                 (a line server must not echo half lines)
 *   --wait-eof[=S]  after the last request on a connection, shut down our
 *                 sending side and expect the server to close the connection
 *                 within S seconds (default 2); a server whose parent keeps a
 *                 copy of the connection (echo-process-noclose) fails this
 *
 * Exit status: 0 all requests done (or time limit reached) without error,
 * 1 any error (cannot connect, I/O error, timeout, wrong echo, ...),
 * 2 bad arguments.  The last line is machine-readable:
 *   result: ok completed=C requests=N errors=E
 *
 * Run:   bin/echo-client -p PORT [-c CLIENTS] [-n REQUESTS] [-t SECONDS]
 *                        [-s LINE_BYTES] [-m persistent|per-request]
 *        (defaults: 8 clients, 1000 requests, 10 s, 64-byte lines
 *         including the newline)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GRACE_MS 2000     /* extra time for a request in flight at the time limit */
#define MAX_MESSAGES 10   /* error messages printed before going quiet */

/* options */
static int port = -1;
static int nclients = 8;
static long nrequests = 1000;
static double time_limit = 10.0;
static int line_size = 64;
static int per_request;
static int split_ms = -1;      /* -1: send each line in one write */
static double eof_wait = -1;   /* -1: do not wait for the server's EOF */

/* shared state */
static long next_ticket;       /* requests handed out (atomic) */
static uint64_t *latency_ns;   /* [ticket]: 0 = not completed */
static int64_t start_ns, deadline_ns, io_deadline_ns;

enum err_kind { E_CONNECT, E_IO, E_TIMEOUT, E_MISMATCH, E_PARTIAL, E_NOEOF, E_KINDS };
static const char *const err_name[E_KINDS] = {
    "connect", "io", "timeout", "mismatch", "partial-echo", "no-eof",
};
static long errors[E_KINDS];   /* atomic counters */
static long messages;          /* atomic */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void error_at(enum err_kind kind, int client, const char *fmt, ...)
{
    __atomic_fetch_add(&errors[kind], 1, __ATOMIC_RELAXED);
    if (__atomic_fetch_add(&messages, 1, __ATOMIC_RELAXED) < MAX_MESSAGES) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "echo-client: client %d: %s\n", client, msg);
    }
}

/* Wait until fd is ready for `events` or the time `until_ns` has come.
 * Returns 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t until_ns)
{
    for (;;) {
        struct pollfd p = {fd, events, 0};
        int64_t left = until_ns - now_ns();
        int r;

        if (left < 0)
            left = 0;
        r = poll(&p, 1, (int)((left + 999999) / 1000000));
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static int connect_server(int client)
{
    struct sockaddr_in addr;
    int fd, err = 0;
    socklen_t len = sizeof err;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error_at(E_CONNECT, client, "socket: %s", strerror(errno));
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* 127.0.0.1 only */
    addr.sin_port = htons((unsigned short)port);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        if (errno != EINPROGRESS) {
            err = errno;
        } else {
            int r = wait_fd(fd, POLLOUT, io_deadline_ns);
            if (r == 0)
                err = ETIMEDOUT;
            else if (r < 0)
                err = errno;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        }
    }
    if (err != 0) {
        error_at(err == ETIMEDOUT ? E_TIMEOUT : E_CONNECT, client,
                 "cannot connect to 127.0.0.1:%d: %s", port, strerror(err));
        close(fd);
        return -1;
    }
    /* Back to blocking I/O; every read is preceded by wait_fd(). */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The line for request `ticket` of client `client`: "client:ticket:" then
 * letters, ending in '\n', exactly line_size bytes. */
static void make_line(char *line, int client, long ticket)
{
    int head = snprintf(line, (size_t)line_size, "%d:%ld:", client, ticket);

    if (head < 0 || head > line_size - 1)
        head = line_size - 1;
    for (int k = head; k < line_size - 1; k++)
        line[k] = (char)('a' + (k + ticket) % 26);
    line[line_size - 1] = '\n';
}

/* Read exactly len bytes of echo.  Returns 0, or -1 after reporting why. */
static int read_echo(int fd, char *buf, size_t len, int client)
{
    size_t got = 0;

    while (got < len) {
        int r = wait_fd(fd, POLLIN, io_deadline_ns);
        ssize_t n;

        if (r == 0) {
            error_at(E_TIMEOUT, client, "no echo from the server (got %zu of %zu bytes)", got, len);
            return -1;
        }
        if (r < 0) {
            error_at(E_IO, client, "poll: %s", strerror(errno));
            return -1;
        }
        n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error_at(E_IO, client, "read: %s", strerror(errno));
            return -1;
        }
        if (n == 0) {
            error_at(E_IO, client, "server closed the connection (got %zu of %zu bytes)", got, len);
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* Send one line, possibly in two halves; 0 or -1 after reporting why. */
static int send_line(int fd, const char *line, int client)
{
    size_t half = (size_t)line_size / 2;

    if (split_ms < 0 || half == 0) {
        if (send_all(fd, line, (size_t)line_size) < 0) {
            error_at(E_IO, client, "write: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (send_all(fd, line, half) < 0) {
        error_at(E_IO, client, "write: %s", strerror(errno));
        return -1;
    }
    /* Nothing may come back before the newline has been sent. */
    if (wait_fd(fd, POLLIN, now_ns() + (int64_t)split_ms * 1000000) > 0) {
        char peek[64];
        ssize_t n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) {
            error_at(E_PARTIAL, client, "server echoed %zd bytes of a line before its newline was sent",
                     n);
            return -1;
        }
    }
    if (send_all(fd, line + half, (size_t)line_size - half) < 0) {
        error_at(E_IO, client, "write: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Close our sending side and expect the server to close the connection. */
static int expect_eof(int fd, int client)
{
    char c;
    int r;

    shutdown(fd, SHUT_WR);
    r = wait_fd(fd, POLLIN, now_ns() + (int64_t)(eof_wait * 1e9));
    if (r == 0) {
        error_at(E_NOEOF, client,
                 "server did not close the connection within %.1f s after our EOF", eof_wait);
        return -1;
    }
    if (r > 0 && read(fd, &c, 1) != 0) {
        error_at(E_NOEOF, client, "expected EOF from the server, got more data or an error");
        return -1;
    }
    return 0;
}

static void *client_thread(void *arg)
{
    int client = (int)(intptr_t)arg;
    char *line = malloc((size_t)line_size);
    char *echo = malloc((size_t)line_size);
    int fd = -1;

    if (line == NULL || echo == NULL) {
        error_at(E_IO, client, "out of memory");
        goto out;
    }
    for (;;) {
        long ticket;
        int64_t t0;

        if (now_ns() >= deadline_ns)
            break;
        ticket = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_RELAXED);
        if (ticket >= nrequests)
            break;

        make_line(line, client, ticket);
        t0 = now_ns();
        if (fd < 0 && (fd = connect_server(client)) < 0)
            break;
        if (send_line(fd, line, client) < 0 || read_echo(fd, echo, (size_t)line_size, client) < 0)
            break;
        if (memcmp(line, echo, (size_t)line_size) != 0) {
            error_at(E_MISMATCH, client, "wrong echo for request %ld: sent \"%.*s\", got \"%.*s\"",
                     ticket, line_size - 1 > 60 ? 60 : line_size - 1, line,
                     line_size - 1 > 60 ? 60 : line_size - 1, echo);
            break;
        }
        latency_ns[ticket] = (uint64_t)(now_ns() - t0);
        if (per_request) {
            if (eof_wait >= 0 && expect_eof(fd, client) < 0)
                break;
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0 && eof_wait >= 0 && !per_request)
        expect_eof(fd, client);
out:
    if (fd >= 0)
        close(fd);
    free(line);
    free(echo);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values. */
static double percentile_us(const uint64_t *sorted, long n, double p)
{
    long rank = (long)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1000.0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: echo-client -p PORT [options]\n"
            "  sends lines to a line echo server on 127.0.0.1:PORT and checks the echo\n"
            "  -p, --port PORT        server port (required)\n"
            "  -c, --clients N        concurrent clients (threads), default 8\n"
            "  -n, --requests N       total requests, default 1000\n"
            "  -t, --time SECONDS     time limit, default 10\n"
            "  -s, --size BYTES       line size including the newline, default 64\n"
            "  -m, --mode MODE        persistent (default) or per-request\n"
            "      --split MS         send each line in two halves MS ms apart, fail on early echo\n"
            "      --wait-eof[=S]     expect the server to close after our EOF (within S s, default 2)\n"
            "exit status: 0 ok, 1 errors, 2 bad arguments\n");
}

static double number_arg(const char *s, const char *what, double min, double max)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "echo-client: bad %s '%s' (want %g..%g)\n", what, s, min, max);
        usage(stderr);
        exit(2);
    }
    return v;
}

static int port_arg(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535) {
        fprintf(stderr, "echo-client: bad port '%s' (want 1..65535)\n", s);
        usage(stderr);
        exit(2);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"clients", required_argument, NULL, 'c'},
        {"requests", required_argument, NULL, 'n'},
        {"time", required_argument, NULL, 't'},
        {"size", required_argument, NULL, 's'},
        {"mode", required_argument, NULL, 'm'},
        {"split", required_argument, NULL, 'S'},
        {"wait-eof", optional_argument, NULL, 'E'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    pthread_t *tids;
    uint64_t *done;
    long ncompleted = 0, nerrors = 0;
    double elapsed;
    int c;

    while ((c = getopt_long(argc, argv, "p:c:n:t:s:m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': port = port_arg(optarg); break;
        case 'c': nclients = (int)number_arg(optarg, "client count", 1, 1000); break;
        case 'n': nrequests = (long)number_arg(optarg, "request count", 1, 10000000); break;
        case 't': time_limit = number_arg(optarg, "time limit", 0.1, 3600); break;
        case 's': line_size = (int)number_arg(optarg, "line size", 1, 65536); break;
        case 'S': split_ms = (int)number_arg(optarg, "split delay", 0, 10000); break;
        case 'E': eof_wait = optarg ? number_arg(optarg, "EOF wait", 0.1, 60) : 2.0; break;
        case 'm':
            if (strcmp(optarg, "persistent") == 0)
                per_request = 0;
            else if (strcmp(optarg, "per-request") == 0)
                per_request = 1;
            else {
                fprintf(stderr, "echo-client: bad mode '%s' (want persistent or per-request)\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc && port < 0 && optind + 1 == argc) {
        port = port_arg(argv[optind]);
        optind++;
    }
    if (optind < argc) {
        fprintf(stderr, "echo-client: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (port < 0) {
        fprintf(stderr, "echo-client: no server port given (-p PORT)\n");
        usage(stderr);
        return 2;
    }

    latency_ns = calloc((size_t)nrequests, sizeof *latency_ns);
    tids = calloc((size_t)nclients, sizeof *tids);
    if (latency_ns == NULL || tids == NULL) {
        fprintf(stderr, "echo-client: out of memory\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    printf("echo-client: 127.0.0.1:%d, %s, %d clients, %d-byte lines, limit %ld requests / %g s%s%s\n",
           port, per_request ? "one connection per request" : "persistent connections",
           nclients, line_size, nrequests, time_limit,
           split_ms >= 0 ? ", split lines" : "", eof_wait >= 0 ? ", expecting EOF" : "");
    fflush(stdout);

    start_ns = now_ns();
    deadline_ns = start_ns + (int64_t)(time_limit * 1e9);
    io_deadline_ns = deadline_ns + (int64_t)GRACE_MS * 1000000;

    for (int i = 0; i < nclients; i++) {
        int err = pthread_create(&tids[i], NULL, client_thread, (void *)(intptr_t)i);
        if (err != 0) {
            fprintf(stderr, "echo-client: pthread_create: %s\n", strerror(err));
            nclients = i;
            errors[E_IO]++;
            break;
        }
    }
    for (int i = 0; i < nclients; i++)
        pthread_join(tids[i], NULL);
    elapsed = (double)(now_ns() - start_ns) / 1e9;

    /* Gather the latencies of the completed requests. */
    done = malloc((size_t)nrequests * sizeof *done);
    if (done == NULL) {
        fprintf(stderr, "echo-client: out of memory\n");
        return 1;
    }
    for (long t = 0; t < nrequests; t++)
        if (latency_ns[t] != 0)
            done[ncompleted++] = latency_ns[t];
    qsort(done, (size_t)ncompleted, sizeof *done, cmp_u64);
    for (int k = 0; k < E_KINDS; k++)
        nerrors += errors[k];

    printf("completed %ld of %ld requests in %.3f s%s\n", ncompleted, nrequests, elapsed,
           ncompleted < nrequests && nerrors == 0 ? " (time limit reached)" : "");
    printf("round-trips per second: %.1f\n", elapsed > 0 ? (double)ncompleted / elapsed : 0.0);
    if (ncompleted > 0)
        printf("latency_us: p50=%.0f p90=%.0f p99=%.0f max=%.0f\n",
               percentile_us(done, ncompleted, 50), percentile_us(done, ncompleted, 90),
               percentile_us(done, ncompleted, 99), (double)done[ncompleted - 1] / 1000.0);
    else
        printf("latency_us: none (no request completed)\n");
    printf("errors: %ld", nerrors);
    if (nerrors > 0) {
        const char *sep = " (";
        for (int k = 0; k < E_KINDS; k++) {
            if (errors[k] > 0) {
                printf("%s%s %ld", sep, err_name[k], errors[k]);
                sep = ", ";
            }
        }
        printf(")");
    }
    printf("\nresult: %s completed=%ld requests=%ld errors=%ld\n", nerrors ? "FAILED" : "ok",
           ncompleted, nrequests, nerrors);
    free(done);
    free(tids);
    free(latency_ns);
    return nerrors ? 1 : 0;
}
