/* Lock-order edges and counters. Phase 1: thread 1 takes a then b through a helper; after it
 * finished, thread 2 takes b then a (an inversion that cannot hang: the threads never overlap).
 * Phase 2: 4 threads take c N times each with a little work inside, so some acquisitions wait.
 * Prints the total of c's acquisitions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;
static long n = 20000;
static volatile long shared;

__attribute__((noinline)) static void take(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    __asm__ __volatile__("" ::: "memory"); /* keep the call a call, not a tail jump */
}

static void *ab(void *arg)
{
    (void)arg;
    take(&a);
    take(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *ba(void *arg)
{
    (void)arg;
    take(&b);
    take(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

static void *hammer(void *arg)
{
    (void)arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&c);
        for (int k = 0; k < 50; k++)
            shared++;
        pthread_mutex_unlock(&c);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        n = atol(argv[1]);
    pthread_t t[4];
    pthread_create(&t[0], NULL, ab, NULL);
    pthread_join(t[0], NULL);
    pthread_create(&t[0], NULL, ba, NULL);
    pthread_join(t[0], NULL);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("c=%ld\n", 4 * n);
    return 0;
}
