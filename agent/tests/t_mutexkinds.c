/* What each kind of mutex returns when it is busy, relocked, abandoned: the output must be the same
 * with and without the agent (whose waits go through a timed lock). Each case makes a second
 * thread wait for a mutex that the first holds for 20 ms, so the waits are long ones. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m;
static volatile int holding;

static void ms(long n)
{
    struct timespec t = {0, n * 1000000L};
    nanosleep(&t, NULL);
}

static const char *name(int r)
{
    switch (r) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case EINVAL: return "EINVAL";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return strerror(r);
    }
}

static void *waiter(void *arg)
{
    (void)arg;
    int r = pthread_mutex_lock(&m); /* the main thread holds it for 20 ms */
    if (r == EOWNERDEAD)
        pthread_mutex_consistent(&m);
    if (r == 0 || r == EOWNERDEAD)
        pthread_mutex_unlock(&m);
    return (void *)(long)r;
}

static void *tryer(void *arg)
{
    (void)arg;
    return (void *)(long)pthread_mutex_trylock(&m);
}

static void *dies_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    holding = 1;
    ms(20);
    return NULL; /* ends with the robust mutex held */
}

static long in_thread(void *(*fn)(void *))
{
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, &r);
    return (long)r;
}

/* main holds m for 20 ms while another thread waits for it */
static long contended(void)
{
    pthread_t t;
    void *r;
    pthread_mutex_lock(&m);
    pthread_create(&t, NULL, waiter, NULL);
    ms(20);
    pthread_mutex_unlock(&m);
    pthread_join(t, &r);
    return (long)r;
}

static void init(int type, int robust, int protocol)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, type);
    pthread_mutexattr_setrobust(&a, robust);
    pthread_mutexattr_setprotocol(&a, protocol);
    pthread_mutex_init(&m, &a);
    pthread_mutexattr_destroy(&a);
}

int main(void)
{
    for (int round = 0; round < 10; round++) { /* past the first written waits per thread and lock */
        init(PTHREAD_MUTEX_RECURSIVE, PTHREAD_MUTEX_STALLED, PTHREAD_PRIO_NONE);
        int r1 = pthread_mutex_lock(&m), r2 = pthread_mutex_lock(&m);
        long other = in_thread(tryer);
        int u1 = pthread_mutex_unlock(&m), u2 = pthread_mutex_unlock(&m), u3 = pthread_mutex_unlock(&m);
        long w = contended();
        printf("recursive: relock %s %s, other's trylock %s, unlocks %s %s %s, waiter %s\n", name(r1), name(r2),
               name((int)other), name(u1), name(u2), name(u3), name((int)w));
        pthread_mutex_destroy(&m);

        init(PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_STALLED, PTHREAD_PRIO_NONE);
        r1 = pthread_mutex_lock(&m);
        r2 = pthread_mutex_lock(&m);
        u1 = pthread_mutex_unlock(&m);
        u2 = pthread_mutex_unlock(&m);
        w = contended();
        printf("errorcheck: relock %s %s, unlocks %s %s, waiter %s\n", name(r1), name(r2), name(u1), name(u2),
               name((int)w));
        pthread_mutex_destroy(&m);

        init(PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ROBUST, PTHREAD_PRIO_NONE);
        pthread_t t;
        holding = 0;
        pthread_create(&t, NULL, dies_holding, NULL);
        while (!holding)
            ms(1);
        r1 = pthread_mutex_lock(&m); /* waits for a holder that ends without unlocking */
        pthread_join(t, NULL);
        int c = r1 == EOWNERDEAD ? pthread_mutex_consistent(&m) : -1;
        u1 = pthread_mutex_unlock(&m);
        w = contended();
        printf("robust: after the owner died %s, consistent %d, unlock %s, waiter %s\n", name(r1), c, name(u1),
               name((int)w));
        pthread_mutex_destroy(&m);

        init(PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_STALLED, PTHREAD_PRIO_INHERIT);
        r1 = pthread_mutex_lock(&m);
        r2 = pthread_mutex_lock(&m);
        u1 = pthread_mutex_unlock(&m);
        w = contended();
        printf("priority inheritance: relock %s %s, unlock %s, waiter %s\n", name(r1), name(r2), name(u1),
               name((int)w));
        pthread_mutex_destroy(&m);
    }
    return 0;
}
