/* Bad and edge pointers handed to traced calls: the agent reads argument bytes without faulting.
 * pthread_create args: 4 and 13 readable bytes before an inaccessible page, a pointer into that
 * page, a small integer, an unmapped address. connect/select with an inaccessible pointer (or
 * one whose range runs into such a page) fail with EFAULT exactly as without the agent. Prints one line per check. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static void *worker(void *arg) { return arg; }

int main(void)
{
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 2;
    memset(m, 0x5a, 4096);
    mprotect(m + 4096, 4096, PROT_NONE);
    munmap(m + 2 * 4096, 4096);
    void *args[] = {m + 4096 - 4, m + 4096 - 13, m + 4096 + 8, (void *)16, m + 2 * 4096 + 100};
    for (unsigned i = 0; i < sizeof args / sizeof args[0]; i++) {
        pthread_t t;
        void *rv = 0;
        int r = pthread_create(&t, NULL, worker, args[i]);
        if (r == 0)
            pthread_join(t, &rv);
        printf("create %u: %d %d\n", i, r, rv == args[i]);
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    int r = connect(s, (struct sockaddr *)(m + 4096), 16);
    printf("connect: %d %s\n", r, strerror(errno));
    errno = 0;
    r = connect(s, (struct sockaddr *)(m + 4096 - 2), 16);
    printf("connect across: %d %s\n", r, strerror(errno));
    close(s);
    struct timeval tv = {0, 0};
    errno = 0;
    r = select(1, (fd_set *)(m + 4096), NULL, NULL, &tv);
    printf("select: %d %s\n", r, strerror(errno));
    return 0;
}
