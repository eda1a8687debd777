/* The argument watchpoint: threads get &i (stack), a malloc'd int (heap) or &n (a stack value that never
 * changes); each returns what it read, and main prints "k=value" per thread, in creation order, so the test can
 * compare every thread's ARG_WATCH record with what the thread itself saw. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *thr(void *arg)
{
    int v = *(int *)arg;
    return (void *)(long)v;
}

static void *thr_free(void *arg)
{
    int v = *(int *)arg;
    free(arg);
    return (void *)(long)v;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "stack";
    int n = argc > 2 ? atoi(argv[2]) : 40;
    pthread_t t[256];
    if (n > 256)
        n = 256;
    int i, same = 7;
    for (i = 0; i < n; i++) {
        if (strcmp(mode, "heap") == 0) {
            int *p = malloc(sizeof *p);
            *p = i;
            pthread_create(&t[i], NULL, thr_free, p);
        } else if (strcmp(mode, "shared") == 0) {
            pthread_create(&t[i], NULL, thr, &same);
        } else {
            pthread_create(&t[i], NULL, thr, &i);
        }
    }
    for (int k = 0; k < n; k++) {
        void *rv;
        pthread_join(t[k], &rv);
        printf("%d=%ld\n", k, (long)rv);
    }
    /* the agent's perf descriptors are closed when the threads end: the next descriptor is 3 again */
    FILE *f = fopen("/dev/null", "r");
    printf("next-fd %d\n", f ? fileno(f) : -1);
    return 0;
}
