/* Lock counters, exactly: the agent's fast paths (same lock again, two locks in turn, nested
 * pairs, semaphores) must count what the slow paths would.
 *
 * t_lockcounts N: the main thread
 *   - takes mutex a N times, then a and b in turn N times (from two call sites),
 *   - takes a then b nested N times (one lock-order edge a -> b),
 *   - trylocks b N times while holding it in a helper thread's place (all fail: b is held by main),
 *   - waits for and posts semaphore one (value 1) N times,
 *   - fails sem_trywait on semaphore empty 5 times, posts it once and takes it with sem_trywait,
 *   - posts semaphore items N times for a consumer thread that waits for each (now and then it
 *     really waits: main pauses every 64th post).
 * Prints the addresses and the expected counts. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static sem_t one, empty, items;
static long n;
static volatile long counter;

static void *consumer(void *arg)
{
    (void)arg;
    for (long i = 0; i < n; i++) {
        while (sem_wait(&items) != 0 && errno == EINTR)
            ;
        counter++;
    }
    return NULL;
}

static void *trier(void *arg)
{
    (void)arg;
    long fails = 0;
    for (long i = 0; i < n; i++)
        if (pthread_mutex_trylock(&b) != 0)
            fails++;
    return (void *)fails;
}

int main(int argc, char **argv)
{
    n = argc > 1 ? atol(argv[1]) : 10000;
    if (n < 1 || n > 100000000) {
        fprintf(stderr, "usage: t_lockcounts [N]\n");
        return 2;
    }
    sem_init(&one, 0, 1);
    sem_init(&empty, 0, 0);
    sem_init(&items, 0, 0);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&a);
        counter++;
        pthread_mutex_unlock(&a);
    }
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&a);
        counter++;
        pthread_mutex_unlock(&a);
        pthread_mutex_lock(&b);
        counter++;
        pthread_mutex_unlock(&b);
    }
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        counter++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    pthread_t t;
    void *fails = 0;
    pthread_mutex_lock(&b);
    if (pthread_create(&t, NULL, trier, NULL) != 0 || pthread_join(t, &fails) != 0)
        return 1;
    pthread_mutex_unlock(&b);
    for (long i = 0; i < n; i++) {
        sem_wait(&one);
        counter++;
        sem_post(&one);
    }
    int tf = 0;
    for (int i = 0; i < 5; i++)
        tf += sem_trywait(&empty) != 0;
    sem_post(&empty);
    int got = sem_trywait(&empty) == 0;
    if (pthread_create(&t, NULL, consumer, NULL) != 0)
        return 1;
    for (long i = 0; i < n; i++) {
        if (i % 64 == 0) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        sem_post(&items);
    }
    pthread_join(t, NULL);
    printf("a=%p b=%p one=%p empty=%p items=%p\n", (void *)&a, (void *)&b, (void *)&one, (void *)&empty,
           (void *)&items);
    printf("want a=%ld b=%ld btry=%ld one=%ld empty_try=%d empty_got=%d items=%ld\n", 3 * n, 2 * n + 1,
           (long)fails, n, tf, got, n);
    return fails == (void *)n && tf == 5 && got ? 0 : 1;
}
