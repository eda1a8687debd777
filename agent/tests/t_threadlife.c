/* The thread records added in format 1.1: a thread created detached through its attr, the timed,
 * try and clock joins, thread names (pthread_setname_np and prctl), and - when run as root with
 * an argument "drop" - a switch to user nobody after which the program keeps recording: the main
 * thread past its first small window, and new threads that create their own files.
 * With "loop": a correct thread-per-task program as a server would be one, for the detectors'
 * fixture (traces/thread-attrs): 8 workers created detached through their attr, one after the
 * other, and 8 workers joined with pthread_timedjoin_np, each named "worker-N". */

#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static void *quick(void *arg)
{
    return arg;
}

static void *named_self(void *arg)
{
    (void)arg;
    prctl(PR_SET_NAME, (unsigned long)"by-prctl", 0, 0, 0);
    return NULL;
}

static void *slow(void *arg)
{
    usleep(200000);
    return arg;
}


static void *locker(void *arg)
{
    /* close(-1) fails with EBADF and is always recorded (uncontended locks are only counted) */
    for (int i = 0; i < 2000; i++) {
        close(-1);
        close(-1);
    }
    return arg;
}

static volatile int done_count;

static void *detached_worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "worker-%d", (int)(long)arg);
    pthread_setname_np(pthread_self(), name);
    usleep(1000);
    __atomic_add_fetch(&done_count, 1, __ATOMIC_RELEASE);
    return NULL;
}

static int loop(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (long i = 0; i < 8; i++) {
        pthread_t t;
        if (pthread_create(&t, &a, detached_worker, (void *)i) != 0)
            return 1;
        while (__atomic_load_n(&done_count, __ATOMIC_ACQUIRE) <= i)
            usleep(500);
        usleep(2000); /* the thread has ended before the next is created */
    }
    pthread_attr_destroy(&a);
    for (long i = 8; i < 16; i++) {
        pthread_t t;
        struct timespec dl;
        if (pthread_create(&t, NULL, detached_worker, (void *)i) != 0)
            return 1;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 5;
        if (pthread_timedjoin_np(t, NULL, &dl) != 0)
            return 2;
    }
    printf("16 workers\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "loop") == 0)
        return loop();
    pthread_t t;
    pthread_attr_t a;
    struct timespec dl;

    /* created detached: never joined, never pthread_detach'ed, and that is correct */
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &a, quick, NULL) != 0)
        return 1;
    pthread_attr_destroy(&a);

    /* timed join that succeeds */
    pthread_create(&t, NULL, quick, NULL);
    pthread_setname_np(t, "timed-joined");
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    if (pthread_timedjoin_np(t, NULL, &dl) != 0)
        return 2;

    /* try join: EBUSY while it runs, then 0 */
    pthread_create(&t, NULL, slow, NULL);
    int busy = pthread_tryjoin_np(t, NULL);
    while (pthread_tryjoin_np(t, NULL) != 0)
        usleep(10000);

    /* clock join, and a name the thread gives itself */
    pthread_create(&t, NULL, named_self, NULL);
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 5;
    if (pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &dl) != 0)
        return 3;
    prctl(PR_SET_NAME, (unsigned long)"main-renamed", 0, 0, 0);

    if (argc > 1 && strcmp(argv[1], "drop") == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (!pw || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
            perror("drop");
            return 4;
        }
        /* past the first window (960 records) of this thread, and two new threads' files */
        for (int i = 0; i < 3000; i++) {
            close(-1);
            close(-1);
        }
        pthread_t x, y;
        pthread_create(&x, NULL, locker, NULL);
        pthread_create(&y, NULL, locker, NULL);
        pthread_join(x, NULL);
        pthread_join(y, NULL);
    }
    printf("busy=%d uid=%d\n", busy, (int)getuid());
    return 0;
}
