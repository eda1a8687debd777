/* T threads, each N close(-1) (EBADF, nothing else happens): T*N events in the shared thread file,
 * enough to take it past its first 1 GiB mapping window with chunks of three threads interleaved.
 * usage: t_bigthreads N T */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static long n;

static void *work(void *arg)
{
    for (long i = 0; i < n; i++)
        close(-1);
    return arg;
}

int main(int argc, char **argv)
{
    n = argc > 1 ? atol(argv[1]) : 1000;
    int t = argc > 2 ? atoi(argv[2]) : 3;
    if (t < 1 || t > 16)
        return 2;
    pthread_t th[16];
    for (int i = 0; i < t; i++)
        if (pthread_create(&th[i], NULL, work, NULL) != 0)
            return 1;
    for (int i = 0; i < t; i++)
        pthread_join(th[i], NULL);
    return 0;
}
