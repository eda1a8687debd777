/* A SIGUSR1 handler interrupts a blocking read: a child sends the signal after a short delay,
 * the handler writes one byte into the pipe, so read returns with that byte. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int pfd[2];

static void on_usr1(int sig)
{
    (void)sig;
    char c = 'S';
    write(pfd[1], &c, 1);
}

int main(void)
{
    if (pipe(pfd) < 0)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid_t p = fork();
    if (p == 0) {
        usleep(200000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    char c = 0;
    ssize_t k = read(pfd[0], &c, 1);
    int st;
    waitpid(p, &st, 0);
    printf("read=%zd byte=%c\n", k, c);
    return c == 'S' ? 0 : 1;
}
