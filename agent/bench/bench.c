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
#include <sys/resource.h>

static double now_ns(void);

/* user and system CPU time of this process, ns */
static void cpu_ns(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3;
    *sys = ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3;
}

static double t0, t1, u0, u1, s0, s1;
static void start(void) { cpu_ns(&u0, &s0); t0 = now_ns(); }
static void stop(const char *name, long iters, int events)
{
    t1 = now_ns();
    cpu_ns(&u1, &s1);
    printf("%s iters=%ld ns_per_iter=%.1f user_ns_per_iter=%.1f sys_ns_per_iter=%.1f events_per_iter=%d\n", name,
           iters, (t1 - t0) / iters, (u1 - u0) / iters, (s1 - s0) / iters, events);
}

static double now_ns(void);
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
    start();
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    stop("mutex_lock_unlock", n, 2);
    start();
    for (long i = 0; i < n; i++) {
        sem_post(&s);
        sem_wait(&s);
    }
    stop("sem_post_wait", n, 3);
    int fd = open("/dev/null", O_WRONLY);
    char c = 'x';
    long k = n / 4;
    start();
    for (long i = 0; i < k; i++)
        if (write(fd, &c, 1) != 1)
            return 1;
    stop("write_devnull", k, 2);
    close(fd);
    return 0;
}
