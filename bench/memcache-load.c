/* memcache-load - a bounded loopback load for memcached's text protocol, for bench/servers.sh.
 *
 * C client threads, each on its own connection to 127.0.0.1:PORT, repeat "set key, get key" pairs
 * (keys spread over 10,000 names, 100-byte values) until N pairs were done in all or S seconds passed.
 * Every reply is checked (STORED, then VALUE ... END with the value just stored by this thread or an
 * older one of the same size). Prints one line on stdout:
 *   pairs=N seconds=S pairs_per_s=R errors=E
 * Exit status 0 when every pair got the replies it should, 1 otherwise, 2 on bad usage.
 *
 * usage: memcache-load PORT [CLIENTS [PAIRS [SECONDS]]]   (default 4 clients, 20000 pairs, 30 s) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VALUE_SIZE 100

static int port;
static long total_pairs;
static double deadline;
static atomic_long next_pair;
static atomic_long done_pairs;
static atomic_long errors;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the reply in buf ends with the terminator; returns its length or -1. */
static ssize_t read_reply(int fd, char *buf, size_t cap, const char *end)
{
    size_t have = 0, elen = strlen(end);
    for (;;) {
        ssize_t n = read(fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = '\0';
        if (have >= elen && strcmp(buf + have - elen, end) == 0)
            return (ssize_t)have;
        /* an error line ends a reply too, whatever was expected */
        if (strstr(buf, "ERROR") != NULL && buf[have - 1] == '\n')
            return -1;
        if (have + 1 >= cap)
            return -1;
    }
}

static void *client(void *arg)
{
    long id = (long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("memcache-load: connect");
        atomic_fetch_add(&errors, 1);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* a reply that never comes must not hold the client past its time limit */
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char value[VALUE_SIZE + 1];
    memset(value, 'a' + (int)(id % 26), VALUE_SIZE);
    value[VALUE_SIZE] = '\0';
    char req[256], reply[512];
    for (;;) {
        long k = atomic_fetch_add(&next_pair, 1);
        if (k >= total_pairs || now() > deadline)
            break;
        int n = snprintf(req, sizeof req, "set key%ld 0 0 %d\r\n%s\r\n", k % 10000, VALUE_SIZE, value);
        if (send_all(fd, req, (size_t)n) != 0 || read_reply(fd, reply, sizeof reply, "\r\n") < 0
            || strcmp(reply, "STORED\r\n") != 0) {
            atomic_fetch_add(&errors, 1);
            break;
        }
        n = snprintf(req, sizeof req, "get key%ld\r\n", k % 10000);
        ssize_t r;
        if (send_all(fd, req, (size_t)n) != 0 || (r = read_reply(fd, reply, sizeof reply, "END\r\n")) < 0
            || strncmp(reply, "VALUE ", 6) != 0 || (size_t)r < VALUE_SIZE + 5) {
            atomic_fetch_add(&errors, 1);
            break;
        }
        atomic_fetch_add(&done_pairs, 1);
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: memcache-load PORT [CLIENTS [PAIRS [SECONDS]]]\n");
        return 2;
    }
    port = atoi(argv[1]);
    int clients = argc > 2 ? atoi(argv[2]) : 4;
    total_pairs = argc > 3 ? atol(argv[3]) : 20000;
    double seconds = argc > 4 ? atof(argv[4]) : 30;
    if (port <= 0 || port > 65535 || clients < 1 || clients > 256 || total_pairs < 1 || seconds <= 0) {
        fprintf(stderr, "memcache-load: PORT 1-65535, CLIENTS 1-256, PAIRS and SECONDS above 0\n");
        return 2;
    }
    pthread_t t[256];
    double start = now();
    deadline = start + seconds;
    int started = 0;
    for (long i = 0; i < clients; i++) {
        if (pthread_create(&t[i], NULL, client, (void *)i) != 0) {
            atomic_fetch_add(&errors, 1);
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double took = now() - start;
    long done = atomic_load(&done_pairs);
    printf("pairs=%ld seconds=%.3f pairs_per_s=%.1f errors=%ld\n", done, took, took > 0 ? done / took : 0.0,
           atomic_load(&errors));
    return atomic_load(&errors) == 0 ? 0 : 1;
}
