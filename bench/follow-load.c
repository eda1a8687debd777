/* follow-load: about a million events written over some 20 s, to measure following a run live (bench/FollowBench.java).
 * Four threads write 62,500 small messages each into one pipe under a shared mutex, pausing 100 ms every 300;
 * every 2,000 a thread forks a child that exits at once and reaps it; one thread reads everything back.
 * `follow-load N` writes N messages per thread instead (250000: about 4 million events over some 85 s). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int fds[2];
static long calls = 62500;

static void *writer(void *arg)
{
    char msg[8] = "message";
    for (long i = 1; i <= calls; i++) {
        pthread_mutex_lock(&m);
        if (write(fds[1], msg, sizeof msg) != sizeof msg)
            exit(1);
        pthread_mutex_unlock(&m);
        if (i % 300 == 0)
            usleep(100000);
        if (i % 2000 == 0) {
            pid_t p = fork();
            if (p == 0)
                _exit(0);
            waitpid(p, NULL, 0);
        }
    }
    return arg;
}

static void *reader(void *arg)
{
    char buf[8];
    long want = 4 * calls;
    for (long got = 0; got < want; got++)
        if (read(fds[0], buf, sizeof buf) != sizeof buf)
            exit(1);
    return arg;
}

int main(int argc, char **argv)
{
    pthread_t w[4], r;
    if (argc > 1 && (calls = atol(argv[1])) <= 0)
        return 2;
    if (pipe(fds) != 0)
        return 1;
    pthread_create(&r, NULL, reader, NULL);
    for (int i = 0; i < 4; i++)
        pthread_create(&w[i], NULL, writer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(w[i], NULL);
    pthread_join(r, NULL);
    return 0;
}
