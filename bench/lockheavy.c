/* lockheavy - a bounded, lock-heavy mixed workload for measuring tracing overhead.
 *
 * Phase 1: T threads each take one shared mutex M times (a counter update inside, a little
 *          private work outside, as a worker pool's bookkeeping would).
 * Phase 2: S short threads, at most 16 alive at a time, each taking the mutex once.
 * Phase 3: F forks; each child exits at once, the parent reaps it.
 * No network, no files. Prints the counter and the phase times on stderr.
 *
 * usage: lockheavy [T [M [S [F]]]]   (default 8 400000 1600 2000: 3.2 million acquisitions) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long iters;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    unsigned x = (unsigned)(long)arg * 2654435761u + 1;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        for (int k = 0; k < 8; k++) /* private work between acquisitions */
            x = x * 1103515245u + 12345u;
    }
    return (void *)(long)x;
}

static void *short_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 8;
    iters = argc > 2 ? atol(argv[2]) : 400000;
    int nshort = argc > 3 ? atoi(argv[3]) : 1600;
    int nforks = argc > 4 ? atoi(argv[4]) : 2000;
    if (nthreads < 1 || nthreads > 256 || iters < 0 || nshort < 0 || nforks < 0) {
        fprintf(stderr, "usage: lockheavy [THREADS(1-256) [ITERS [SHORT_THREADS [FORKS]]]]\n");
        return 2;
    }
    double t0 = now();
    pthread_t th[256];
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)(long)i) != 0) {
            perror("pthread_create");
            return 1;
        }
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    double t1 = now();
    for (int done = 0; done < nshort;) {
        int batch = nshort - done < 16 ? nshort - done : 16;
        for (int i = 0; i < batch; i++)
            if (pthread_create(&th[i], NULL, short_thread, NULL) != 0) {
                perror("pthread_create");
                return 1;
            }
        for (int i = 0; i < batch; i++)
            pthread_join(th[i], NULL);
        done += batch;
    }
    double t2 = now();
    for (int i = 0; i < nforks; i++) {
        pid_t p = fork();
        if (p < 0) {
            perror("fork");
            return 1;
        }
        if (p == 0)
            _exit(0);
        waitpid(p, NULL, 0);
    }
    double t3 = now();
    printf("counter=%ld\n", counter);
    fprintf(stderr, "lockheavy: locks %.3f s, short threads %.3f s, forks %.3f s\n", t1 - t0, t2 - t1, t3 - t2);
    return counter == (long)nthreads * iters + nshort ? 0 : 1;
}
