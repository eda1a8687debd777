/* Hand-offs of a mutex to a thread whose wait the agent writes, in a forced order.
 *
 * t_handoff ROUNDS: each round, main takes mutex m and lets a worker ask for it; once the worker
 *   sleeps in its wait (and 2 ms more, so the wait is written even past the first ones), main
 *   hands m over: in even rounds by pthread_mutex_unlock, in odd rounds by waiting on a condition
 *   variable (glibc releases m inside pthread_cond_wait, not through pthread_mutex_unlock). The
 *   worker, holding m, wakes main. Every written wait of the worker was ended by main's release:
 *   its EXIT must name main (the process's first thread). Prints "main=TID worker=TID rounds=N". */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static sem_t go, done;
static int rounds, taken;
static volatile int worker_tid;

static void pause_us(long us)
{
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

/* the worker sleeps (state S in /proc): it is blocked in its wait for m */
static int worker_sleeps(void)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", worker_tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the state follows the command name */
    return p && p[1] == ' ' && p[2] == 'S';
}

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = (int)syscall(SYS_gettid);
    for (int i = 0; i < rounds; i++) {
        sem_wait(&go);
        pthread_mutex_lock(&m); /* main holds m: this waits */
        taken = 1;
        pthread_cond_signal(&c);
        pthread_mutex_unlock(&m);
        sem_post(&done);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atoi(argv[1]) : 12;
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: t_handoff [ROUNDS (1-1000)]\n");
        return 2;
    }
    sem_init(&go, 0, 0);
    sem_init(&done, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    while (!worker_tid)
        pause_us(100);
    for (int i = 0; i < rounds; i++) {
        pthread_mutex_lock(&m);
        taken = 0;
        sem_post(&go);
        for (int k = 0; k < 5000 && !worker_sleeps(); k++) /* at most about 1 s */
            pause_us(200);
        pause_us(2000);
        if (i % 2 == 0) {
            pthread_mutex_unlock(&m);
        } else {
            while (!taken) /* releases m inside: the worker takes it */
                pthread_cond_wait(&c, &m);
            pthread_mutex_unlock(&m);
        }
        sem_wait(&done);
    }
    pthread_join(t, NULL);
    printf("main=%d worker=%d rounds=%d\n", (int)getpid(), worker_tid, rounds);
    return 0;
}
