/*
 * deadlock - two threads take the same two mutexes in opposite orders.
 *
 * Lecture concept: deadlock - "improper resource allocation prevents forward
 * progress" (traffic gridlock).  Thread A locks m1 and then wants m2;
 * thread B locks m2 and then wants m1.  If both get their first lock before
 * either gets its second, each waits for a mutex the other will never
 * release.  A short sleep between the two locks makes that interleaving
 * (practically) certain, so the program deadlocks every time.
 *
 * THE BUG (one line, marked "BUG" in thread_b): B acquires the locks in the
 * order m2, m1 while A uses m1, m2.  Correct form: every thread acquires
 * the mutexes in one global order (m1 before m2); run with --ordered to
 * see that version finish.
 *
 * The deadlock is real - both threads block in plain pthread_mutex_lock().
 * Only the main thread watches: it waits for them with pthread_timedjoin_np()
 * and, if they have not finished after --timeout seconds, prints who holds
 * and who waits for what, and exits with status 3 (0 = finished, 2 = usage).
 *
 * Run:   bin/deadlock [--timeout SECONDS] [--sleep MS] [--ordered]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_DEADLOCKED 3

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;

/* What each thread holds and waits for; only for the report. */
struct state {
    const char *name;
    const char *volatile holds;   /* "m1", "m2", "m1 and m2" or "nothing" */
    const char *volatile waits;   /* "m1", "m2" or NULL */
};
static struct state a_state = {"A", "nothing", NULL};
static struct state b_state = {"B", "nothing", NULL};

static long pause_ms = 100;
static int ordered;

static void pause_between_locks(void)
{
    struct timespec ts = {pause_ms / 1000, (pause_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void lock(pthread_mutex_t *m, struct state *st, const char *name, const char *holds_after)
{
    st->waits = name;
    printf("thread %s: waiting for %s\n", st->name, name);
    fflush(stdout);
    pthread_mutex_lock(m);
    st->waits = NULL;
    st->holds = holds_after;
    printf("thread %s: got %s\n", st->name, name);
    fflush(stdout);
}

static void *thread_a(void *arg)
{
    (void)arg;
    lock(&m1, &a_state, "m1", "m1");
    pause_between_locks();
    lock(&m2, &a_state, "m2", "m1 and m2");
    pthread_mutex_unlock(&m2);
    pthread_mutex_unlock(&m1);
    a_state.holds = "nothing";
    return NULL;
}

static void *thread_b(void *arg)
{
    (void)arg;
    if (ordered) {                 /* the fix: the same order as A */
        lock(&m1, &b_state, "m1", "m1");
        pause_between_locks();
        lock(&m2, &b_state, "m2", "m1 and m2");
    } else {
        lock(&m2, &b_state, "m2", "m2");   /* BUG: opposite order to thread A (A: m1 then m2) */
        pause_between_locks();
        lock(&m1, &b_state, "m1", "m1 and m2");
    }
    pthread_mutex_unlock(&m2);
    pthread_mutex_unlock(&m1);
    b_state.holds = "nothing";
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: deadlock [--timeout SECONDS] [--sleep MS] [--ordered]\n"
            "  two threads lock m1/m2 in opposite orders and deadlock\n"
            "  --timeout SECONDS  report the deadlock after this long (default 5)\n"
            "  --sleep MS         pause between a thread's two locks (default 100)\n"
            "  --ordered          the fix: both threads lock m1 first (finishes, exit 0)\n"
            "exit status: 0 finished, 3 deadlocked, 2 bad arguments\n");
}

static long number_arg(const char *s, const char *what, long min, long max)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "deadlock: bad %s '%s' (want %ld..%ld)\n", what, s, min, max);
        usage(stderr);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"timeout", required_argument, NULL, 't'},
        {"sleep", required_argument, NULL, 's'},
        {"ordered", no_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long timeout = 5;
    struct timespec deadline;
    pthread_t ta, tb;
    int c, err;

    while ((c = getopt_long(argc, argv, "t:s:oh", longopts, NULL)) != -1) {
        switch (c) {
        case 't': timeout = number_arg(optarg, "timeout", 1, 86400); break;
        case 's': pause_ms = number_arg(optarg, "sleep", 0, 10000); break;
        case 'o': ordered = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "deadlock: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    printf("deadlock: thread A locks m1 then m2, thread B locks %s (timeout %ld s)\n",
           ordered ? "m1 then m2" : "m2 then m1", timeout);
    fflush(stdout);

    clock_gettime(CLOCK_REALTIME, &deadline);   /* timedjoin wants CLOCK_REALTIME */
    deadline.tv_sec += timeout;

    pthread_create(&ta, NULL, thread_a, NULL);
    pthread_create(&tb, NULL, thread_b, NULL);

    err = pthread_timedjoin_np(ta, NULL, &deadline);
    if (err == 0)
        err = pthread_timedjoin_np(tb, NULL, &deadline);
    if (err == ETIMEDOUT) {
        printf("deadlocked: thread A holds %s waits %s, thread B holds %s waits %s"
               " (no progress for %ld s)\n",
               a_state.holds, a_state.waits ? a_state.waits : "nothing",
               b_state.holds, b_state.waits ? b_state.waits : "nothing", timeout);
        fflush(stdout);
        _exit(EXIT_DEADLOCKED);   /* the two threads stay blocked until the process ends */
    }
    if (err != 0) {
        fprintf(stderr, "deadlock: pthread_timedjoin_np: %s\n", strerror(err));
        return 1;
    }
    printf("finished: both threads got both locks, no deadlock\n");
    return 0;
}
