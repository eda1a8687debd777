/* vfork must stay vfork: the parent waits until the child execs or exits, and sees the child's
 * writes to shared memory (what some programs rely on, e.g. to report a failed exec). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    volatile int shared = 0;
    int st;
    pid_t p = vfork();
    if (p == 0) {
        shared = 42;
        execl("/bin/echo", "echo", "vforked", (char *)NULL);
        _exit(9);
    }
    waitpid(p, &st, 0);
    printf("shared=%d status=%d\n", shared, WEXITSTATUS(st));
    p = vfork();
    if (p == 0) {
        shared = 7;
        _exit(3);
    }
    waitpid(p, &st, 0);
    printf("shared=%d status=%d\n", shared, WEXITSTATUS(st));
    return shared == 7 ? 0 : 1;
}
