/*
 * goodcnt - badcnt done right: two threads increment one shared counter, each increment under the same
 * mutex, so no update is lost. Trace fixture for observed-unsynchronized-write: every store to cnt the
 * two workers make is made holding cnt_lock, and main's own stores without the lock come before it
 * creates them and after it joined them, so the watched run must give no finding.
 *
 * Run:   goodcnt [NITERS]     (iterations per thread, default 1000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

volatile long cnt = 0;
static pthread_mutex_t cnt_lock = PTHREAD_MUTEX_INITIALIZER;

static void *thread(void *vargp)
{
    long niters = *(long *)vargp;

    for (long i = 0; i < niters; i++) {
        pthread_mutex_lock(&cnt_lock);
        cnt++;
        pthread_mutex_unlock(&cnt_lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long niters = argc > 1 ? atol(argv[1]) : 1000;
    pthread_t t1, t2;

    if (niters < 1)
        niters = 1;
    cnt = 0;                    /* before the workers exist: ordered by pthread_create */
    pthread_create(&t1, NULL, thread, &niters);
    pthread_create(&t2, NULL, thread, &niters);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("goodcnt: expected cnt=%ld actual cnt=%ld\n", 2 * niters, cnt);
    cnt = 0;                    /* after both were joined: ordered by pthread_join */
    return 0;
}
