/*
 * race - the "&i" race test: N threads are each handed the address of the
 * creating loop's counter i, and each one records the value it finds there.
 *
 * Lecture concept: unintended sharing / data race ("Could this race
 * occur?", "Race Test").  If passing &i were safe, thread k would always
 * see k, and the values seen would be 0..N-1, each exactly once.  In fact a
 * thread reads *arg whenever it first gets to run - by then the loop may
 * have moved on, so some threads see a later value (often the same one as
 * their neighbours) and some values are seen by nobody.  On a multi-core
 * machine the race really happens.
 *
 * THE BUG (one line, marked "BUG" in main): pthread_create(..., &i).
 * Correct form: give every thread its own value - malloc an int per thread
 * (freed by the thread), or pass the value itself cast to a pointer.
 *
 * Output: how many threads saw a value different from their own index, and
 * a histogram of how many threads saw each value of i.  The counts change
 * from run to run; a run without a single mismatch is possible, too.
 *
 * Run:   bin/race [N]        (N threads, default 100, at most 10000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_THREADS 100
#define MAX_THREADS 10000

/* Each thread only reads the int it was pointed at and hands it back. */
static void *thread(void *vargp)
{
    int i = *(int *)vargp;

    return (void *)(intptr_t)i;   /* the value this thread saw */
}

int main(int argc, char **argv)
{
    static pthread_t tids[MAX_THREADS];
    static int seen_count[MAX_THREADS + 1];   /* values 0..N can be seen */
    long n = DEFAULT_THREADS;
    int i, mismatched = 0, never_seen = 0, seen_more = 0;

    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: race [N]\n  passes &i to N threads (default %d, max %d) and counts what they saw\n",
                DEFAULT_THREADS, MAX_THREADS);
        return argc == 2 ? 0 : 2;
    }
    if (argc == 2) {
        char *end;
        errno = 0;
        n = strtol(argv[1], &end, 10);
        if (errno != 0 || *end != '\0' || n < 1 || n > MAX_THREADS) {
            fprintf(stderr, "race: bad thread count '%s' (want 1..%d)\n", argv[1], MAX_THREADS);
            fprintf(stderr, "usage: race [N]\n");
            return 2;
        }
    }

    for (i = 0; i < n; i++) {
        int err = pthread_create(&tids[i], NULL, thread, &i);   /* BUG: every thread gets the address of the same i */
        if (err != 0) {
            fprintf(stderr, "race: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }

    /* Thread k was created in round k: compare what it saw with k. */
    for (int k = 0; k < n; k++) {
        void *ret;
        int saw;

        pthread_join(tids[k], &ret);
        saw = (int)(intptr_t)ret;
        if (saw < 0 || saw > n)
            saw = (int)n;   /* cannot happen: i only goes from 0 to n */
        seen_count[saw]++;
        if (saw != k)
            mismatched++;
    }

    for (int v = 0; v <= n; v++) {
        if (v < n && seen_count[v] == 0)
            never_seen++;
        if (seen_count[v] > 1)
            seen_more++;
    }

    printf("race: %ld threads were each passed &i\n", n);
    printf("threads that saw a value different from their index: %d of %ld\n", mismatched, n);
    printf("values 0..%ld seen by no thread: %d, values seen by more than one thread: %d\n",
           n - 1, never_seen, seen_more);
    printf("histogram: number of threads that saw each value of i (10 values per row)\n");
    for (int v = 0; v <= n; v += 10) {
        printf("  i=%5d..%5d:", v, v + 9 > n ? (int)n : v + 9);
        for (int w = v; w < v + 10 && w <= n; w++)
            printf(" %d", seen_count[w]);
        printf("\n");
    }
    printf("result: threads=%ld mismatched=%d never_seen=%d seen_more_than_once=%d\n",
           n, mismatched, never_seen, seen_more);
    return 0;
}
