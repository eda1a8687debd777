/* N threads in batches of at most 100 live; half return, half call pthread_exit; each takes a
 * shared mutex once. The main thread joins all of them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
    long id = (long)arg;
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    if (id & 1)
        pthread_exit((void *)id);
    return (void *)id;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    pthread_t t[100];
    long bad = 0;
    for (int base = 0; base < n; base += 100) {
        int k = n - base < 100 ? n - base : 100;
        for (int i = 0; i < k; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)(long)(base + i)) != 0)
                return 2;
        for (int i = 0; i < k; i++) {
            void *rv;
            pthread_join(t[i], &rv);
            if ((long)rv != base + i)
                bad++;
        }
    }
    printf("threads=%d counter=%ld bad=%ld\n", n, counter, bad);
    return bad || counter != n;
}
