/* printf in a signal handler: a timer signal arrives every 500us while main prints long lines;
 * on this glibc the program can deadlock for real (the handler waits for the stdio lock the
 * interrupted printf is taking): the test kills it then and reads the trace;
 * the handler prints too (the lecture's bug: it re-enters stdio). Bounded: stops after 400 ms
 * or 200000 lines. Output goes to a file/pipe given on the command line by the test. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile long handled;

static void on_alarm(int sig)
{
    (void)sig;
    handled++;
    printf("handler %ld\n", handled);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 500}, {0, 500}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long i;
    for (i = 0; i < 200000; i++) {
        printf("main line %ld %s %s %s %d %f\n", i, "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb",
               "cccccccccccccccccccc", (int)i * 7, (double)i / 3);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 400000000L && handled > 20)
            break;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    fprintf(stderr, "lines=%ld handled=%ld\n", i, handled);
    return 0;
}
