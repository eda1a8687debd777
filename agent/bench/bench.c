/* Micro-benchmark: ns per intercepted call / per recorded event.
 * Run it twice, with and without the agent (see agent/README.md "Benchmark"):
 *   bench [iterations]
 * Prints one line per workload: "<name> iters=<n> ns_per_iter=<x>". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <semaphore.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    sem_t s;
    sem_init(&s, 0, 0);
    /* warm up (first events create the trace file) */
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    double t1 = now_ns();
    printf("mutex_lock_unlock iters=%ld ns_per_iter=%.1f events_per_iter=2\n", n, (t1 - t0) / n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        sem_post(&s);
        sem_wait(&s);
    }
    t1 = now_ns();
    printf("sem_post_wait iters=%ld ns_per_iter=%.1f events_per_iter=3\n", n, (t1 - t0) / n);
    int fd = open("/dev/null", O_WRONLY);
    char c = 'x';
    long k = n / 4;
    t0 = now_ns();
    for (long i = 0; i < k; i++)
        if (write(fd, &c, 1) != 1)
            return 1;
    t1 = now_ns();
    printf("write_devnull iters=%ld ns_per_iter=%.1f events_per_iter=2\n", k, (t1 - t0) / k);
    close(fd);
    return 0;
}
