/*
 * fork-printf-handler - a SIGCHLD handler that calls printf().
 *
 * Lecture concept: deadlock from signal handlers ("Why don't we use printf
 * in handlers?", "Testing Printf Deadlock").  The parent forks many children
 * that exit at once; main prints one line per child it started, and the
 * SIGCHLD handler reaps the finished children and prints one line per child
 * it reaped.  printf() works on a shared buffer protected by a lock.  The
 * handler can interrupt main in the middle of its own printf(), i.e. while
 * main holds that lock and the buffer is half updated.
 *
 * THE BUG (marked "BUG" in sigchld_handler): calling printf(), which is not
 * async-signal-safe, from a signal handler.  (In --malloc mode the same
 * handler also calls malloc()/free(), which are not async-signal-safe
 * either; that line is marked too - it is the same mistake.)
 * Correct form: do only async-signal-safe work in the handler - reap with
 * waitpid(), count in a volatile sig_atomic_t, at most write(2) a fixed
 * message - and let main print; or block SIGCHLD around main's printf().
 *
 * What happens depends on the C library.  The lecture's older glibc
 * deadlocked: the handler waited forever for the stdio lock main was holding
 * ("and then, silence").  glibc 2.36 (Debian 12) makes the stdio lock
 * recursive for the thread that holds it, so mostly the handler's printf()
 * walks right into main's half-finished one instead.  Measured here with
 * 20000 children, stdout to a file:
 *   default mode   - usually no hang, but output lines are duplicated,
 *                    garbled or lost (per run about 300-1900 duplicated,
 *                    70-210 garbled, 400-640 lost lines).  Every line carries
 *                    the child's number ("started child 17 pid 4242" /
 *                    "reaped child 17 pid 4242 status 0000") so the damage
 *                    can be counted:
 *                      bin/fork-printf-handler 20000 > out.txt
 *                      awk -v n=20000 -f count-printf-damage.awk out.txt
 *                    Now and then (1 run in 13) it DOES deadlock as in the
 *                    lecture: the recursive lock sets its owner only after
 *                    taking the futex (and clears it before releasing it), and
 *                    a signal landing between the two finds a lock that is
 *                    taken but not "ours" - the handler waits for main forever.
 *   --idle-thread  - one extra thread that does nothing: the same kind of
 *                    corruption, rather more of it.
 *   --malloc       - handler and main also malloc()/free() a 2 KiB buffer, and
 *                    the extra thread exists, so glibc really locks its heap.
 *                    The heap lock is NOT recursive: the handler's malloc()
 *                    waits forever for the lock main holds.  This hangs every
 *                    time, within the first few children - usually main is not
 *                    even in its own malloc() but in fork(), which holds the
 *                    heap locks of a multi-threaded process while it copies it.
 *
 * So that tests and demos do not hang forever, a watchdog (a SIGALRM handler,
 * once a second) notices when nothing moved for --timeout seconds, reports
 * the deadlock on stderr, reaps the children and exits with status 3.  With
 * --timeout 0 the program hangs like the lecture's, for a debugger to look at.
 *
 * Exit status: 0 finished, 3 deadlocked (watchdog), 2 bad arguments.  At the
 * end a summary "forked N children, handler reaped R" goes to stderr.
 *
 * Run:   bin/fork-printf-handler [N] [--malloc] [--idle-thread] [--timeout S]
 *        (N children, default 10000, at most 1000000; --timeout default 10,
 *         0 = hang forever)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CHILDREN 10000
#define MAX_CHILDREN 1000000
#define EXIT_STALLED 3
/* Larger than glibc's per-thread cache (tcache) serves, so malloc() really
 * takes the heap (arena) lock. */
#define NOTE_SIZE 2048

static int use_malloc;                       /* --malloc */
static volatile sig_atomic_t started;        /* children forked so far */
static volatile sig_atomic_t reaped;         /* children reaped by the handler */

/* child number by pid, written by the child itself into memory shared with
 * the parent, so the handler can print the number of the child it reaped. */
static int *number_of_pid;
static long pid_limit;

static void sigchld_handler(int sig)
{
    int saved_errno = errno;
    int status;
    pid_t pid;

    (void)sig;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int number = pid < pid_limit ? number_of_pid[pid] : -1;

        reaped++;
        if (use_malloc) {
            char *note = malloc(NOTE_SIZE);   /* BUG (--malloc): malloc/free are not async-signal-safe either */
            if (note != NULL) {
                note[0] = '\0';
                free(note);
            }
        }
        printf("reaped child %d pid %d status %04x\n", number, (int)pid, status);   /* BUG: printf in a signal handler */
    }
    errno = saved_errno;
}

/* The watchdog: a SIGALRM handler that runs once a second and checks that
 * main or the SIGCHLD handler got somewhere.  If nothing moved for
 * --timeout seconds, main must be stuck (inside the SIGCHLD handler, which
 * SIGALRM can still interrupt): report, reap the children, exit 3.
 * Unlike the handler above it only uses async-signal-safe calls (alarm,
 * write, waitpid, _exit) - this is how a handler should look. */
static long stall_timeout = 10;
static volatile sig_atomic_t last_progress = -1;
static volatile sig_atomic_t quiet_seconds;

static char *put_num(char *p, long v)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static void watchdog_tick(int sig)
{
    int saved_errno = errno;
    long progress = (long)started + (long)reaped;

    (void)sig;
    if (progress != last_progress) {
        last_progress = progress;
        quiet_seconds = 0;
    } else if (++quiet_seconds >= stall_timeout) {
        char msg[256], *p = msg;

        p = put_str(p, "fork-printf-handler: no progress for ");
        p = put_num(p, stall_timeout);
        p = put_str(p, " s after starting ");
        p = put_num(p, started);
        p = put_str(p, " children and reaping ");
        p = put_num(p, reaped);
        p = put_str(p, ": deadlocked, main is stuck in the SIGCHLD handler\n");
        if (write(2, msg, (size_t)(p - msg)) < 0) {
            /* nothing more we can do */
        }
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
            ;   /* leave no zombies behind */
        _exit(EXIT_STALLED);
    }
    alarm(1);
    errno = saved_errno;
}

/* The extra thread of --malloc / --idle-thread: it does nothing at all.
 * Its mere existence makes glibc lock its heap for real. */
static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void start_idle_thread(void)
{
    sigset_t all, old;
    pthread_t tid;

    /* The thread blocks every signal, so SIGCHLD and SIGALRM are always
     * handled by main. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_create(&tid, NULL, idle_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: fork-printf-handler [N] [--malloc] [--idle-thread] [--timeout SECONDS]\n"
            "  forks N children (default %d, max %d); a SIGCHLD handler that calls printf reaps them\n"
            "  --malloc        handler and main also malloc/free, plus one extra thread: real deadlock\n"
            "  --idle-thread   only add the extra thread\n"
            "  --timeout S     report a deadlock after S s without progress, exit 3\n"
            "                  (default 10, 0 = hang forever)\n",
            DEFAULT_CHILDREN, MAX_CHILDREN);
}

static long number_arg(const char *s, const char *what, long min, long max)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "fork-printf-handler: bad %s '%s' (want %ld..%ld)\n", what, s, min, max);
        usage(stderr);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"malloc", no_argument, NULL, 'm'},
        {"idle-thread", no_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'},
        {"children", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long nchildren = DEFAULT_CHILDREN;
    int extra_thread = 0, c;
    struct sigaction sa;
    sigset_t chld, old;
    FILE *f;

    while ((c = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': use_malloc = 1; extra_thread = 1; break;
        case 'i': extra_thread = 1; break;
        case 't': stall_timeout = number_arg(optarg, "timeout", 0, 86400); break;
        case 'n': nchildren = number_arg(optarg, "child count", 1, MAX_CHILDREN); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 == argc)
        nchildren = number_arg(argv[optind], "child count", 1, MAX_CHILDREN);
    else if (optind < argc) {
        fprintf(stderr, "fork-printf-handler: unexpected argument '%s'\n", argv[optind + 1]);
        usage(stderr);
        return 2;
    }

    /* pid -> child number table, shared with the children. */
    pid_limit = 4194304;
    f = fopen("/proc/sys/kernel/pid_max", "r");
    if (f != NULL) {
        if (fscanf(f, "%ld", &pid_limit) != 1)
            pid_limit = 4194304;
        fclose(f);
    }
    number_of_pid = mmap(NULL, (size_t)pid_limit * sizeof(int), PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (number_of_pid == MAP_FAILED) {
        perror("fork-printf-handler: mmap");
        return 1;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigchld_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);

    if (stall_timeout > 0) {
        sa.sa_handler = watchdog_tick;
        sigaddset(&sa.sa_mask, SIGCHLD);   /* no reaping under the watchdog's feet */
        sigaction(SIGALRM, &sa, NULL);
        alarm(1);
    }
    if (extra_thread)
        start_idle_thread();

    for (long i = 0; i < nchildren; i++) {
        pid_t pid = fork();

        if (pid < 0) {
            if (errno == EAGAIN || errno == EINTR) {   /* process limit: let children finish */
                i--;
                continue;
            }
            perror("fork-printf-handler: fork");
            break;
        }
        if (pid == 0) {                 /* child: leave our number, exit at once */
            if (getpid() < pid_limit)
                number_of_pid[getpid()] = (int)i;
            _exit(0);
        }
        started++;
        if (use_malloc) {
            char *note = malloc(NOTE_SIZE);   /* main is inside malloc/free now and then */
            if (note != NULL) {
                snprintf(note, NOTE_SIZE, "child %ld", i);
                free(note);
            }
        }
        printf("started child %ld pid %d\n", i, (int)pid);
    }

    /* Wait until the handler has reaped every child, so that all the
     * "reaped" lines that survive are in the output. */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    while (reaped < started)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    alarm(0);

    fflush(stdout);
    fprintf(stderr, "fork-printf-handler: forked %ld children, handler reaped %ld\n",
            (long)started, (long)reaped);
    return 0;
}
