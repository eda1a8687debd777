/* Output and exit status must be the same with and without the agent: prints lines from the
 * parent and a forked child, checks errno after failing calls, checks that sigaction/signal
 * report the program's own handlers, then exits with status 7. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void h1(int s) { (void)s; }
static void h2(int s) { (void)s; }

int main(int argc, char **argv)
{
    int fails = 0;
    printf("argc=%d first=%s\n", argc, argc > 1 ? argv[1] : "-");
    errno = 0;
    if (read(-1, NULL, 0) != -1 || errno != EBADF)
        fails |= 1;
    if (close(12345) != -1 || errno != EBADF)
        fails |= 2;
    errno = 1234;
    int p[2];
    if (pipe(p) != 0 || errno != 1234) /* success must not touch errno */
        fails |= 4;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = h2;
    sigaction(SIGUSR1, &sa, &old);
    if (old.sa_handler != h1)
        fails |= 8;
    if (signal(SIGUSR1, SIG_DFL) != h2)
        fails |= 16;
    if (signal(SIGUSR2, h1) != SIG_DFL || signal(SIGUSR2, SIG_IGN) != h1)
        fails |= 32;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        printf("child says hi\n");
        exit(5);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    printf("fails=%d\n", fails);
    fprintf(stderr, "to stderr\n");
    return 7;
}
