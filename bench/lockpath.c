/* lockpath - what one lock acquisition costs, and where in the loop the cost hurts.
 *
 * lockpath pairs
 *   One thread, no contention: ns per iteration of four loops (best 20,000-iteration batch of 200,
 *   so a batch that another process interrupted does not count): lock+unlock of one mutex; two
 *   mutexes taken in turn from two call sites; a nested pair (a lock-order edge each time);
 *   sem_wait+sem_post of a free semaphore.
 * lockpath hold T M IN OUT
 *   T threads x M acquisitions of one mutex; IN and OUT add that many steps of a dependent
 *   multiply chain (about 1 ns each) inside the critical section and after the unlock. Prints the
 *   wall time of the loop in ms: the same added work costs more inside than outside when it
 *   lengthens every hold (more threads find the mutex busy and sleep in futex).
 * No files, no network. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER;
static sem_t s1;
static volatile long counter;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

__attribute__((noinline)) static void one(void)
{
    pthread_mutex_lock(&m1);
    counter++;
    pthread_mutex_unlock(&m1);
}

__attribute__((noinline)) static void in_turn(void)
{
    pthread_mutex_lock(&m1);
    counter++;
    pthread_mutex_unlock(&m1);
    pthread_mutex_lock(&m2);
    counter++;
    pthread_mutex_unlock(&m2);
}

__attribute__((noinline)) static void nested(void)
{
    pthread_mutex_lock(&m1);
    pthread_mutex_lock(&m2);
    counter++;
    pthread_mutex_unlock(&m2);
    pthread_mutex_unlock(&m1);
}

__attribute__((noinline)) static void sem(void)
{
    sem_wait(&s1);
    counter++;
    sem_post(&s1);
}

static int pairs(void)
{
    static const struct {
        const char *name;
        void (*f)(void);
    } loops[] = {{"mutex", one}, {"two-in-turn", in_turn}, {"nested-pair", nested}, {"semaphore", sem}};
    sem_init(&s1, 0, 1);
    for (unsigned k = 0; k < sizeof loops / sizeof loops[0]; k++) {
        double best = 1e18;
        for (int b = 0; b < 200; b++) {
            double t0 = now_ns();
            for (int i = 0; i < 20000; i++)
                loops[k].f();
            double t = (now_ns() - t0) / 20000;
            if (t < best)
                best = t;
        }
        printf("%s %.1f\n", loops[k].name, best);
    }
    return 0;
}

static long iters;
static int in, out;

static void *worker(void *arg)
{
    unsigned x = (unsigned)(long)arg * 2654435761u + 1;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&m1);
        counter++;
        for (int k = 0; k < in; k++)
            x = x * 1103515245u + 12345u;
        __asm__ volatile("" : : "r"(x));
        pthread_mutex_unlock(&m1);
        for (int k = 0; k < 8 + out; k++) /* 8: the private work of bench/lockheavy.c */
            x = x * 1103515245u + 12345u;
        __asm__ volatile("" : : "r"(x));
    }
    return (void *)(long)x;
}

static int hold(int t, long m, int inside, int outside)
{
    pthread_t th[64];
    iters = m;
    in = inside;
    out = outside;
    double t0 = now_ns();
    for (int i = 0; i < t; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)(long)i) != 0) {
            perror("pthread_create");
            return 1;
        }
    for (int i = 0; i < t; i++)
        pthread_join(th[i], NULL);
    printf("%.1f\n", (now_ns() - t0) / 1e6);
    return counter == t * m ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "pairs"))
        return pairs();
    if (argc == 6 && !strcmp(argv[1], "hold")) {
        int t = atoi(argv[2]), inside = atoi(argv[4]), outside = atoi(argv[5]);
        long m = atol(argv[3]);
        if (t >= 1 && t <= 64 && m >= 0 && inside >= 0 && outside >= 0)
            return hold(t, m, inside, outside);
    }
    fprintf(stderr, "usage: lockpath pairs | lockpath hold THREADS(1-64) ITERS IN OUT\n");
    return 2;
}
