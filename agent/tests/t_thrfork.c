/* Threads and forks mixed: the main thread creates N threads in batches of 10 (joined), and after
 * every 50 it forks a child that creates 20 threads of its own (joined) and exits; a long-lived
 * thread stays alive over all forks and records all along. Exercises the reuse of finished
 * threads' mapping windows across forks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop;

static void *worker(void *arg)
{
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return arg;
}

static void *longlived(void *arg)
{
    while (!stop) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
        usleep(1000);
    }
    return arg;
}

static int batch(int n)
{
    pthread_t t[10];
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, worker, NULL) != 0)
            return 1;
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300, bad = 0, children = 0;
    pthread_t ll;
    pthread_create(&ll, NULL, longlived, NULL);
    for (int done = 0; done < n; done += 10) {
        bad |= batch(10);
        if ((done + 10) % 50 == 0) {
            pid_t c = fork();
            if (c == 0)
                _exit(batch(10) | batch(10));
            int st;
            if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                bad = 1;
            children++;
        }
    }
    stop = 1;
    pthread_join(ll, NULL);
    printf("threads=%d children=%d bad=%d\n", n, children, bad);
    return bad;
}
