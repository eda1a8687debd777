/* Contended waits, as the agent summarizes them.
 *
 * t_waits rounds [hold_ms]: the main thread takes mutex m, lets a worker ask for it, holds it a
 *   little (about 200 µs), and releases it; `rounds` times, so the worker waits many times. Then
 *   one more round where main holds m for hold_ms (default 60): a long wait. Prints the rounds.
 * t_waits deadlock: two threads take a and b in opposite orders with a pause in between: they
 *   deadlock for real (the test kills the program). Prints "deadlocked" when both wait. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static sem_t go, done;
static int rounds = 200;

static void pause_us(long us)
{
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i <= rounds; i++) {
        sem_wait(&go);
        pthread_mutex_lock(&m); /* main holds it: this waits */
        pthread_mutex_unlock(&m);
        sem_post(&done);
    }
    return NULL;
}

static void *ab(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    pause_us(100000);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *ba(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b);
    pause_us(100000);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
        pthread_t t1, t2;
        pthread_create(&t1, NULL, ab, NULL);
        pthread_create(&t2, NULL, ba, NULL);
        pause_us(300000);
        printf("deadlocked\n");
        fflush(stdout);
        pthread_join(t1, NULL); /* never returns */
        pthread_join(t2, NULL);
        return 0;
    }
    if (argc > 1)
        rounds = atoi(argv[1]);
    long hold_ms = argc > 2 ? atol(argv[2]) : 60;
    sem_init(&go, 0, 0);
    sem_init(&done, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int i = 0; i <= rounds; i++) {
        pthread_mutex_lock(&m);
        sem_post(&go);
        pause_us(i < rounds ? 200 : hold_ms * 1000); /* the worker asks for m meanwhile */
        pthread_mutex_unlock(&m);
        sem_wait(&done);
    }
    pthread_join(t, NULL);
    printf("rounds=%d\n", rounds);
    return 0;
}
