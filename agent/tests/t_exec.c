/* fork + exec of another program (the agent follows through LD_PRELOAD), and an exec of a
 * program that does not exist (must fail exactly as without the agent). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    pid_t c = fork();
    if (c == 0) {
        execl("/bin/echo", "echo", "from", "exec", (char *)NULL);
        _exit(126);
    }
    int st;
    waitpid(c, &st, 0);
    execlp("no-such-program-interleave", "no-such-program-interleave", (char *)NULL);
    printf("exec failed: %s\n", strerror(errno));
    (void)argc;
    (void)argv;
    return WEXITSTATUS(st) == 0 ? 0 : 1;
}
