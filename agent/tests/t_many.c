/* N uncontended lock/unlock pairs in one thread: 2N events in one file. With N > 8.4 million
 * the file passes the first 1 GiB mapping window. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    printf("pairs=%ld\n", n);
    return 0;
}
