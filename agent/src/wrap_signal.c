/* Interleave agent: signal handlers (installed through the agent's trampoline) and sending signals. */
#include "wrap.h"

DECL_REAL(sigaction);
DECL_REAL(signal);
DECL_REAL(siginterrupt);
DECL_REAL(kill);
DECL_REAL(raise);
DECL_REAL(pthread_kill);

void ilv_wrap_init_signal(void)
{
    (void)REAL(sigaction);
    (void)REAL(signal);
    (void)REAL(siginterrupt);
    (void)REAL(kill);
    (void)REAL(raise);
    (void)REAL(pthread_kill);
}

/* ------------------------------------------------------------ signals */

#define NSIGS 65
struct uhandler {
    void *fn;      /* the program's handler */
    int flags;     /* the program's sa_flags */
};
static struct uhandler handlers[NSIGS];
static uint64_t sigintr_set; /* signals the program passed to siginterrupt(sig, 1) */

static void sig_trampoline(int sig, siginfo_t *si, void *uc)
{
    int e = errno;
    void *fn = __atomic_load_n(&handlers[sig].fn, __ATOMIC_ACQUIRE);
    int fl = handlers[sig].flags;
    uint64_t pc = uc ? (uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] : 0;
    int64_t code = si ? si->si_code : 0, spid = si ? si->si_pid : 0;
    int64_t sst = (si && sig == SIGCHLD) ? si->si_status : 0;
    int inside = (ilv_in_stdio ? ILV_SIG_IN_STDIO : 0) | (ilv_in_heap ? ILV_SIG_IN_HEAP : 0);
    if (ON)
        ilv_emit(H(ILV_T_SIGNAL_HANDLER, E, inside), 0, NOW, pc, SX(sig), P(fn), (uint64_t)code, (uint64_t)spid,
                 (uint64_t)sst);
    ILV_ERRNO_BACK(e);
    ilv_in_handler++;
    ILV_BARRIER();
    if ((uintptr_t)fn > 1) {
        if (fl & SA_SIGINFO)
            ((void (*)(int, siginfo_t *, void *))fn)(sig, si, uc);
        else
            ((void (*)(int))fn)(sig);
    }
    ILV_BARRIER();
    ilv_in_handler--;
    e = errno;
    if (ON)
        ilv_emit(H(ILV_T_SIGNAL_HANDLER, X, 0), 0, NOW, pc, SX(sig), P(fn), 0, 0, 0);
    ILV_ERRNO_BACK(e);
}

static int sigaction_common(int sig, const struct sigaction *act, struct sigaction *old, int via_signal,
                            uint64_t ra)
{
    uint64_t ts = NOW;
    struct sigaction k, copy;
    const struct sigaction *pass = act;
    struct uhandler prev = {0, 0};
    int replaced = 0, has_new = 0;
    void *newfn = 0;
    int newflags = 0;
    if (sig > 0 && sig < NSIGS)
        prev = handlers[sig];
    if (act) {
        if (safe_copy(&copy, act, sizeof copy) == sizeof copy) {
            has_new = 1;
            newfn = (copy.sa_flags & SA_SIGINFO) ? (void *)copy.sa_sigaction : (void *)copy.sa_handler;
            newflags = copy.sa_flags;
            if (sig > 0 && sig < NSIGS && sig != SIGKILL && sig != SIGSTOP && (uintptr_t)newfn > 1) {
                k = copy;
                k.sa_sigaction = sig_trampoline;
                k.sa_flags |= SA_SIGINFO;
                handlers[sig].flags = newflags;
                __atomic_store_n(&handlers[sig].fn, newfn, __ATOMIC_RELEASE);
                pass = &k;
                replaced = 1;
            }
        }
    }
    int r = REAL(sigaction)(sig, pass, old);
    int e = errno;
    if (r != 0 && replaced)
        handlers[sig] = prev;
    uint64_t oldfn = 0;
    if (r == 0 && old) {
        if (old->sa_sigaction == sig_trampoline) {
            if (prev.flags & SA_SIGINFO)
                old->sa_sigaction = (void (*)(int, siginfo_t *, void *))prev.fn;
            else {
                old->sa_handler = (void (*)(int))prev.fn;
                old->sa_flags &= ~SA_SIGINFO;
            }
        }
        oldfn = P(old->sa_handler);
    }
    ilv_emit(H(ILV_T_SIGACTION, C, (has_new ? 1 : 0) | (via_signal ? 2 : 0)), r < 0 ? e : 0, ts, ra, SX(sig),
             P(newfn), SX(newflags), oldfn, NOW - ts);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!ON)
        return REAL(sigaction)(sig, act, old);
    return sigaction_common(sig, act, old, 0, RA);
}

/* signal() with glibc's (BSD) semantics: handler runs with the signal blocked, SA_RESTART
 * unless siginterrupt(sig, 1) was called */
EXPORT sighandler_t signal(int sig, sighandler_t h)
{
    if (!ON)
        return REAL(signal)(sig, h);
    struct sigaction sa, old;
    if (h == SIG_ERR || sig < 1 || sig >= NSIGS) {
        errno = EINVAL;
        return SIG_ERR;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, sig);
    sa.sa_flags = (sigintr_set >> sig) & 1 ? 0 : SA_RESTART;
    if (sigaction_common(sig, &sa, &old, 1, RA) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

EXPORT int siginterrupt(int sig, int flag)
{
    if (sig > 0 && sig < NSIGS) {
        if (flag)
            __atomic_or_fetch(&sigintr_set, 1ull << sig, __ATOMIC_RELAXED);
        else
            __atomic_and_fetch(&sigintr_set, ~(1ull << sig), __ATOMIC_RELAXED);
    }
    return REAL(siginterrupt)(sig, flag);
}

EXPORT int kill(pid_t pid, int sig)
{
    if (!ON)
        return REAL(kill)(pid, sig);
    CALL_RECORD(ILV_T_KILL, 0, REAL(kill)(pid, sig), SX(pid), SX(sig), 0);
}

EXPORT int raise(int sig)
{
    if (!ON)
        return REAL(raise)(sig);
    /* written before the call: the handler runs inside raise() */
    uint64_t ra = RA, ts = NOW;
    uint64_t idx = ilv_emit(H(ILV_T_RAISE, E, 0), 0, ts, ra, 0, SX(sig), 0, 0, 0);
    (void)idx;
    int r = REAL(raise)(sig);
    int e = errno;
    ilv_emit(H(ILV_T_RAISE, X, 0), r < 0 ? e : 0, NOW, ra, 0, SX(sig), 0, SX(r), 0);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int pthread_kill(pthread_t th, int sig)
{
    if (!ON)
        return REAL(pthread_kill)(th, sig);
    uint64_t ts = NOW;
    int r = REAL(pthread_kill)(th, sig);
    int e = errno;
    ilv_emit(H(ILV_T_PTHREAD_KILL, C, 0), r, ts, RA, (uint64_t)th, SX(sig), 0, 0, NOW - ts);
    ILV_ERRNO_BACK(e);
    return r;
}
