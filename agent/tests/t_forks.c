/* N fork + _exit/exit children, at most 64 alive at once, each reaped with waitpid. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    int live = 0, done = 0, bad = 0, st;
    for (int i = 0; i < n; i++) {
        if (live == 64) {
            if (waitpid(-1, &st, 0) > 0) {
                live--;
                done++;
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 3)
                    bad++;
            }
        }
        pid_t p = fork();
        if (p == 0) {
            if (i & 1)
                _exit(3);
            exit(3);
        }
        if (p < 0) {
            perror("fork");
            return 1;
        }
        live++;
    }
    while (live > 0 && waitpid(-1, &st, 0) > 0) {
        live--;
        done++;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 3)
            bad++;
    }
    printf("forks=%d reaped=%d bad=%d\n", n, done, bad);
    return bad != 0 || done != n;
}
