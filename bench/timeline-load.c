/*
 * timeline-load: a program that makes a large trace for the timeline benchmark (bench/timeline.sh).
 * THREADS threads each write CALLS small messages into one pipe under a shared mutex, and one reader
 * thread reads them back; every few hundred calls a thread forks a child that exits at once, which its
 * parent reaps. Under the tracing agent each read and write is an ENTER and an EXIT record, the busy
 * mutex gives lock waits and hand-offs, the forks give processes, arrows and reaps: about 4 * THREADS *
 * CALLS events.
 *
 * usage: timeline-load [THREADS [CALLS]]   (default 4 60000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t pipe_lock = PTHREAD_MUTEX_INITIALIZER;
static int fds[2];
static long calls = 60000;

static void *writer(void *arg)
{
    long id = (long)arg;
    char msg[8] = "message";
    for (long i = 0; i < calls; i++) {
        pthread_mutex_lock(&pipe_lock);
        if (write(fds[1], msg, sizeof msg) != sizeof msg) {
            perror("write");
            exit(1);
        }
        pthread_mutex_unlock(&pipe_lock);
        if (i % 500 == 499 && id == 0) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(0);
            if (pid > 0)
                waitpid(pid, NULL, 0);
        }
    }
    return NULL;
}

static void *reader(void *arg)
{
    long total = (long)arg * 8;
    char buf[8];
    for (long got = 0; got < total;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) {
            perror("read");
            exit(1);
        }
        got += n;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2)
        calls = atol(argv[2]);
    if (threads < 1 || threads > 64 || calls < 1) {
        fprintf(stderr, "usage: timeline-load [THREADS (1-64) [CALLS]]\n");
        return 2;
    }
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    pthread_t w[64], r;
    pthread_create(&r, NULL, reader, (void *)(threads * calls));
    for (long i = 0; i < threads; i++)
        pthread_create(&w[i], NULL, writer, (void *)i);
    for (int i = 0; i < threads; i++)
        pthread_join(w[i], NULL);
    pthread_join(r, NULL);
    return 0;
}
