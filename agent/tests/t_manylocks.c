/* Thousands of locks, as a cache with a lock per hash bucket has them (memcached's item locks):
 * each worker takes the global lock, then bucket lock i under it, for every bucket, several
 * rounds with a pause between them (so periodic summaries happen while the locks are in use), then
 * every bucket lock once more without the global one. The agent should write each edge
 * (global -> bucket i, same call sites) once per thread, and summarize the bucket locks of a
 * window in a few records instead of one per lock.
 * usage: t_manylocks [BUCKETS [ROUNDS [THREADS]]]; prints the acquisitions it made. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t global = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *bucket;
static long nbuckets = 4096, rounds = 3;
static volatile long work;

__attribute__((noinline)) static void bucket_lock(long i)
{
    pthread_mutex_lock(&bucket[i]);
    __asm__ __volatile__("" ::: "memory"); /* a call, not a tail jump */
}

static void *worker(void *arg)
{
    (void)arg;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < nbuckets; i++) {
            pthread_mutex_lock(&global);
            bucket_lock(i);
            work++;
            pthread_mutex_unlock(&bucket[i]);
            pthread_mutex_unlock(&global);
        }
        struct timespec pause = {0, 250 * 1000 * 1000}; /* longer than the agent's summary period */
        nanosleep(&pause, NULL);
    }
    for (long i = 0; i < nbuckets; i++) {
        bucket_lock(i);
        pthread_mutex_unlock(&bucket[i]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long nthreads = 2;
    if (argc > 1)
        nbuckets = atol(argv[1]);
    if (argc > 2)
        rounds = atol(argv[2]);
    if (argc > 3)
        nthreads = atol(argv[3]);
    if (nbuckets < 1 || rounds < 1 || nthreads < 1 || nthreads > 64)
        return 2;
    bucket = calloc((size_t)nbuckets, sizeof *bucket);
    if (!bucket)
        return 2;
    for (long i = 0; i < nbuckets; i++)
        pthread_mutex_init(&bucket[i], NULL);
    pthread_t t[64];
    for (long k = 0; k < nthreads; k++)
        pthread_create(&t[k], NULL, worker, NULL);
    for (long k = 0; k < nthreads; k++)
        pthread_join(t[k], NULL);
    printf("%ld\n", nthreads * (rounds * nbuckets * 2 + nbuckets));
    return 0;
}
