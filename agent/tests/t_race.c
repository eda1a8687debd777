/* The &i race: each thread gets the address of the loop variable and reads it later. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *thr(void *arg)
{
    int v = *(int *)arg;
    return (void *)(long)v;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50;
    pthread_t t[256];
    if (n > 256)
        n = 256;
    int i;
    for (i = 0; i < n; i++)
        pthread_create(&t[i], NULL, thr, &i);
    int wrong = 0;
    for (int k = 0; k < n; k++) {
        void *rv;
        pthread_join(t[k], &rv);
        if ((long)rv != k)
            wrong++;
    }
    printf("threads=%d saw_wrong_value=%d\n", n, wrong);
    return 0;
}
