/* Watched shared variable: two threads add to one counter N times each, without a lock ("nolock"), under
 * one mutex ("mutex"), under two nested mutexes ("two"), or under a semaphore used as a lock ("sem"). A third variable, never touched by the
 * threads, checks that only the named variable is watched. Prints the final count. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile long counter;
volatile long untouched;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static sem_t s;
static const char *mode = "nolock";
static long n = 1000;

static void *worker(void *unused)
{
    (void)unused;
    for (long i = 0; i < n; i++) {
        if (mode[0] == 'm' || mode[0] == 't')
            pthread_mutex_lock(&m);
        if (mode[0] == 't')
            pthread_mutex_lock(&m2);
        else if (mode[0] == 's')
            sem_wait(&s);
        counter++;
        if (mode[0] == 't')
            pthread_mutex_unlock(&m2);
        if (mode[0] == 'm' || mode[0] == 't')
            pthread_mutex_unlock(&m);
        else if (mode[0] == 's')
            sem_post(&s);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        mode = argv[1];
    if (argc > 2)
        n = atol(argv[2]);
    sem_init(&s, 0, 1);
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("counter=%ld untouched=%ld\n", counter, untouched);
    return 0;
}
