/* Records a known number of events, says "ready" on stdout, then waits to be killed (SIGKILL).
 * N mutex lock/unlock pairs in the main thread and in one extra thread. Bounded: gives up
 * after 30 s if nobody kills it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int n;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    n = argc > 1 ? atoi(argv[1]) : 5000;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    pthread_join(t, NULL);
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < 300; i++)
        usleep(100000);
    return 0;
}
