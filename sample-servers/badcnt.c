/*
 * badcnt - two threads increment one shared counter without synchronization.
 *
 * Lecture concept: data race ("Data Race", the volatile long cnt example).
 * "volatile" only forces the compiler to load and store cnt in memory on
 * every iteration; it does not make cnt++ atomic.  cnt++ is three steps -
 * load cnt into a register, add one, store it back - and when both threads
 * load the same value, one of the two increments is lost.
 *
 * THE BUG (one line, marked "BUG" in thread): cnt++ on shared data with no
 * lock.  Correct form: protect it with a mutex (pthread_mutex_lock/unlock
 * around cnt++), or make it atomic
 * (__atomic_fetch_add(&cnt, 1, __ATOMIC_RELAXED) / C11 atomic_fetch_add).
 *
 * Prints the expected total (2 * NITERS) and the actual one; with large
 * NITERS on a multi-core machine the actual total is almost always smaller,
 * and different every run.  Exit status is 0 either way.
 *
 * Run:   bin/badcnt [NITERS]     (iterations per thread, default 1000000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_NITERS 1000000L

/* Global shared variable */
volatile long cnt = 0;

static void *thread(void *vargp)
{
    long niters = *(long *)vargp;   /* read-only, so sharing it is fine */

    for (long i = 0; i < niters; i++)
        cnt++;                      /* BUG: unsynchronized read-modify-write of shared cnt */
    return NULL;
}

int main(int argc, char **argv)
{
    long niters = DEFAULT_NITERS;
    pthread_t t1, t2;

    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: badcnt [NITERS]\n  two threads each do cnt++ NITERS times (default %ld)\n",
                DEFAULT_NITERS);
        return argc == 2 ? 0 : 2;
    }
    if (argc == 2) {
        char *end;
        errno = 0;
        niters = strtol(argv[1], &end, 10);
        if (errno != 0 || *end != '\0' || niters < 1 || niters > 1000000000000L) {
            fprintf(stderr, "badcnt: bad iteration count '%s' (want 1..10^12)\n", argv[1]);
            fprintf(stderr, "usage: badcnt [NITERS]\n");
            return 2;
        }
    }

    pthread_create(&t1, NULL, thread, &niters);
    pthread_create(&t2, NULL, thread, &niters);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    printf("badcnt: 2 threads x %ld iterations\n", niters);
    if (cnt == 2 * niters)
        printf("expected cnt=%ld actual cnt=%ld: OK\n", 2 * niters, cnt);
    else
        printf("expected cnt=%ld actual cnt=%ld: BOOM! %ld increments lost\n",
               2 * niters, cnt, 2 * niters - cnt);
    return 0;
}
