/* Interleave agent: mutexes, condition variables and semaphores; what is written and counted is
 * decided in locks.c. */
#include "wrap.h"

DECL_REAL(pthread_mutex_lock);
DECL_REAL(pthread_mutex_trylock);
DECL_REAL(pthread_mutex_timedlock);
DECL_REAL(pthread_mutex_clocklock);
DECL_REAL(pthread_mutex_unlock);
DECL_REAL(pthread_cond_wait);
DECL_REAL(pthread_cond_timedwait);
DECL_REAL(pthread_cond_signal);
DECL_REAL(pthread_cond_broadcast);
DECL_REAL(sem_wait);
DECL_REAL(sem_timedwait);
DECL_REAL(sem_clockwait);
DECL_REAL(sem_trywait);
DECL_REAL(sem_post);

void ilv_wrap_init_sync(void)
{
    (void)REAL(pthread_mutex_lock);
    (void)REAL(pthread_mutex_trylock);
    (void)REAL(pthread_mutex_timedlock);
    (void)REAL(pthread_mutex_clocklock);
    (void)REAL(pthread_mutex_unlock);
    (void)REALV(pthread_cond_wait, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_timedwait, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_signal, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_broadcast, "GLIBC_2.3.2");
    (void)REAL(sem_wait);
    (void)REAL(sem_timedwait);
    (void)REAL(sem_clockwait);
    (void)REAL(sem_trywait);
    (void)REAL(sem_post);
}

/* ------------------------------------------------------------ synchronization */

#ifdef ILV_CHECK_HANDOFF
/* A checking build (bench/handoff-check.sh): every release stores its thread in a table by mutex
 * before the real unlock; every written wait compares the releaser its EXIT names with it, and the
 * counts go to stderr at exit. Slower (a system call per release): never the shipped agent. */
#include <stdio.h>
#include <sys/syscall.h>
#define TRUTH_N 4096u
static uint64_t truth_key[TRUTH_N];
static int truth_tid[TRUTH_N];
static long chk_right, chk_wrong, chk_none;
static int *truth_of(uint64_t obj)
{
    for (unsigned h = (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 52) & (TRUTH_N - 1);; h = (h + 1) & (TRUTH_N - 1)) {
        uint64_t v = __atomic_load_n(&truth_key[h], __ATOMIC_ACQUIRE);
        if (v == obj || (!v && (__atomic_compare_exchange_n(&truth_key[h], &v, obj, 0, __ATOMIC_ACQ_REL,
                                                            __ATOMIC_ACQUIRE) || v == obj)))
            return &truth_tid[h];
    }
}
#define TRUTH_SAVE(m) int truth0_ = *truth_of(P(m)); *truth_of(P(m)) = (int)syscall(SYS_gettid)
#define TRUTH_UNDO(m) (*truth_of(P(m)) = truth0_)
#define TRUTH_SET(m) (*truth_of(P(m)) = (int)syscall(SYS_gettid))
#define TRUTH_CHECK(m, by)                                                                         \
    __atomic_add_fetch(!(by) ? &chk_none : (by) == *truth_of(P(m)) ? &chk_right : &chk_wrong, 1, __ATOMIC_RELAXED)
__attribute__((destructor)) static void truth_report(void)
{
    fprintf(stderr, "handoff-check: named right %ld, named wrong %ld, named nobody %ld\n", chk_right, chk_wrong,
            chk_none);
}
#else
#define TRUTH_SAVE(m) do { } while (0)
#define TRUTH_UNDO(m) do { } while (0)
#define TRUTH_SET(m) do { } while (0)
#define TRUTH_CHECK(m, by) do { } while (0)
#endif

/* Mutexes and semaphores write records only where something waits (locks.h): an uncontended
 * acquisition or release only updates the thread's held set and counters. */

#define FRAME_RA2(ra) ilv_lk_caller2(__builtin_frame_address(0), (ra))

/* somebody waits for this mutex (read just before the real unlock, which wakes them): glibc keeps
 * 2 in __lock for a normal mutex with waiters, the FUTEX_WAITERS bit for a priority-inheritance one */
static inline int mutex_has_waiters(pthread_mutex_t *m)
{
    int v = __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED);
    return (m->__data.__kind & 0x20 /* glibc PTHREAD_MUTEX_PRIO_INHERIT_NP */) ? v < 0 : v > 1;
}

/* Naming the release that hands a mutex to a written wait, exactly (agent/README.md, "Who released
 * it"). Only a normal private mutex (kind 0, as PTHREAD_MUTEX_INITIALIZER makes) takes part: every
 * release while a written wait is under way anywhere in the process goes out of line, where it is
 * noted before the real unlock, and a written wait reads only notes numbered past the last one when
 * it counted itself (ilv_lk_mutex_wait_begin has the argument). Returns 1 when the EXIT can name the
 * releaser, 0 when it names nobody (another kind, or the mutex was free when the waiter marked it). */
static inline int mutex_wait_begin(pthread_mutex_t *m, uint32_t *seq)
{
    int normal = __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == 0;
    return ilv_lk_mutex_wait_begin(P(m), normal ? &m->__data.__lock : 0, seq);
}

/* the EXIT of a written wait; acquired, it names the release that handed the mutex over (a3 the
 * releasing thread's tid, a4 when; 0 unknown): the releaser wrote no record for it */
static inline void exit_handed(int r, int flags, uint64_t ra, pthread_mutex_t *m, uint64_t ra2,
                               int marked, uint32_t seq)
{
    uint64_t rts = 0;
    /* marked: held when this wait counted itself; the note, if any, is the handing release's */
    int by = marked && (r == 0 || r == EOWNERDEAD) ? ilv_lk_handed_by(P(m), seq, &rts) : 0;
    if (r == 0)
        TRUTH_CHECK(m, by);
    ilv_emit(H(ILV_T_MUTEX_LOCK, X, flags), r, NOW, ra, P(m), 0, ra2, by ? SX(by) : 0, by ? rts : 0);
}

/* ts (CLOCK_MONOTONIC ns, as the agent's timestamps) + the long-wait threshold */
static inline struct timespec short_deadline(uint64_t ts)
{
    uint64_t d = ts + ILV_LONG_WAIT_NS;
    struct timespec t = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
    return t;
}

/* pthread_mutex_lock once the mutex was found busy (or broken): kept out of line, so the common case
 * below saves no registers and sets up no frame for it */
static __attribute__((noinline)) int mutex_lock_busy(pthread_mutex_t *m, int r, uint64_t ra, uint64_t ra2)
{
    if (r != EBUSY) {
        ilv_emit(H(ILV_T_MUTEX_LOCK, C, 0), r, NOW, ra, P(m), 0, ra2, 0, 0);
        if (r == EOWNERDEAD) /* robust mutex: acquired, its previous owner died */
            ilv_lk_acquired(P(m), ra, ra2, 0, 0);
        return r;
    }
    int e = errno;
    int holder = __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
    int marked = -1; /* not registered yet */
    uint32_t seq = 0;
    if (ilv_lk_write_wait(P(m)) || !REAL(pthread_mutex_clocklock))
        marked = mutex_wait_begin(m, &seq);
    uint64_t ts = NOW;
    if (marked < 0) { /* glibc 2.30+ */
        /* past this thread's first waits for this lock: wait at most ILV_LONG_WAIT_NS, counted only.
         * The timed lock behaves as the lock for every kind (an error-checking relock fails with
         * EDEADLK, a robust one reports EOWNERDEAD); only ETIMEDOUT is the agent's own, and EINVAL
         * where the clock is refused (a priority-inheritance mutex on an old kernel): then the wait
         * is written and the real lock decides. */
        struct timespec dl = short_deadline(ts);
        r = REAL(pthread_mutex_clocklock)(m, CLOCK_MONOTONIC, &dl);
        if (ILV_LIKELY(r == 0 || r == EOWNERDEAD)) {
            uint64_t t1 = NOW;
            ilv_lk_acquired_counted(P(m), ra, ra2, 0, t1 > ts ? t1 - ts : 0);
            ILV_ERRNO_BACK(e);
            return r;
        }
        if (r != ETIMEDOUT && r != EINVAL) { /* as the lock itself would have failed */
            ilv_emit(H(ILV_T_MUTEX_LOCK, C, 0), r, ts, ra, P(m), SX(holder), ra2, 0, 0);
            ILV_ERRNO_BACK(e);
            return r;
        }
        /* a long wait (or one that never ends): written from its start */
        marked = mutex_wait_begin(m, &seq); /* releases of m are noted for this wait from now on */
    }
    ilv_emit(H(ILV_T_MUTEX_LOCK, E, 0), 0, ts, ra, P(m), SX(holder), ra2, 0, 0);
    ILV_ERRNO_BACK(e);
    r = -1;
    /* found free at the mark: its release may be unnoted. Taken now, the EXIT names nobody; taken by
     * another thread first, that one's release is noted once this thread marks the word again. */
    for (int k = 0; k < 4 && marked == 0 && __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == 0; k++) {
        if (REAL(pthread_mutex_trylock)(m) == 0) {
            r = 0;
            break;
        }
        marked = ilv_lk_mutex_mark(&m->__data.__lock);
    }
    if (r != 0)
        r = REAL(pthread_mutex_lock)(m);
    e = errno;
    exit_handed(r, 0, ra, m, ra2, marked, seq);
    ilv_lk_mutex_wait_end(P(m));
    if (r == 0)
        ilv_lk_acquired(P(m), ra, ra2, 0, 1);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_lock)(m);
    uint64_t ra = RA;
    uint64_t ra2 = ilv_lk_caller2(__builtin_frame_address(0), ra);
    if (ILV_UNLIKELY(ilv_lk.nheld))
        ilv_lk_edges(P(m), ra, ra2); /* before blocking: a deadlocked thread has its edge written */
    int r = REAL(pthread_mutex_trylock)(m);
    if (ILV_LIKELY(r == 0)) { /* uncontended: counted, not written */
        ilv_lk_push(P(m), ra, ra2);
        return r;
    }
    return mutex_lock_busy(m, r, ra, ra2);
}

EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abst)
{
    if (!ON)
        return REAL(pthread_mutex_timedlock)(m, abst);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    int r = REAL(pthread_mutex_trylock)(m);
    if (r == 0) {
        ilv_lk_acquired(P(m), ra, ra2, 0, 0);
        return r;
    }
    int e = errno;
    int holder = __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
    uint32_t seq;
    int marked = mutex_wait_begin(m, &seq);
    uint64_t ts = NOW;
    ilv_emit(H(ILV_T_MUTEX_LOCK, E, 1), 0, ts, ra, P(m), SX(holder), ra2, 0, 0);
    ILV_ERRNO_BACK(e);
    r = REAL(pthread_mutex_timedlock)(m, abst);
    e = errno;
    exit_handed(r, 1, ra, m, ra2, marked, seq);
    ilv_lk_mutex_wait_end(P(m));
    if (r == 0)
        ilv_lk_acquired(P(m), ra, ra2, 0, 1);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_trylock)(m);
    uint64_t ra = RA;
    int r = REAL(pthread_mutex_trylock)(m);
    if (r == 0)
        ilv_lk_push(P(m), ra, FRAME_RA2(ra));
    else
        ilv_lk_tryfail(P(m), 0);
    return r;
}

/* a release while a written wait is under way somewhere in the process (ilv_lk_wactive), or one
 * whose compare-and-swap met a waiter's mark: noted for a written wait (whose EXIT names it), else
 * counted; a mutex the table of written waits has no room for gets its releases written as records */
static __attribute__((noinline)) int mutex_unlock_waiters(pthread_mutex_t *m, uint64_t ra)
{
    uint64_t ts = 0;
    /* the time is read before the real unlock: before any other thread can acquire */
    int self = __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED); /* this thread, holding m */
    int w = mutex_has_waiters(m);
    int how = ilv_lk_release_noted(P(m), self, &ts);
    if (how > 0)
        ts = NOW;
    TRUTH_SET(m);
    int r = REAL(pthread_mutex_unlock)(m);
    ilv_lk_released(P(m), 0); /* bookkeeping after the release: the hold stays as short as it was */
    if (how > 0)
        ilv_emit(H(ILV_T_MUTEX_UNLOCK, C, 0), r, ts, ra, P(m), 0, 0, 0, 0);
    else if (r == 0 && w)
        ilv_lk_handoff_counted(P(m), 0);
    return r;
}

EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_unlock)(m);
    /* while a written wait for a mutex is under way anywhere in the process: out of line, where the
     * release is noted for it */
    if (ILV_UNLIKELY(__atomic_load_n(&ilv_lk_wactive, __ATOMIC_SEQ_CST)))
        return mutex_unlock_waiters(m, RA);
    if (ILV_LIKELY(__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == 0 &&
                   __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) == 1)) {
        /* a normal private mutex without waiters: released here as glibc releases it (owner, users,
         * lock word), but with a compare-and-swap 1 -> 0, which fails when a written wait that began
         * meanwhile marked the word 2: then out of line, noted for it */
        int self = m->__data.__owner;
        TRUTH_SAVE(m);
        m->__data.__owner = 0;
        m->__data.__nusers--;
        int one = 1;
        if (ILV_LIKELY(__atomic_compare_exchange_n(&m->__data.__lock, &one, 0, 0, __ATOMIC_RELEASE,
                                                   __ATOMIC_ACQUIRE))) {
            ilv_lk_pop(P(m)); /* bookkeeping after the release: the hold stays as short as it was */
            return 0;
        }
        TRUTH_UNDO(m);
        m->__data.__owner = self; /* still held: as it was */
        m->__data.__nusers++;
        return mutex_unlock_waiters(m, RA);
    }
    /* waiters, or another kind: glibc releases it as untraced, counted after (a release must not
     * take longer when others wait for it: that raises contention) */
    int w = mutex_has_waiters(m);
    TRUTH_SET(m);
    int r = REAL(pthread_mutex_unlock)(m);
    if (ILV_LIKELY(!w)) {
        ilv_lk_pop(P(m));
    } else {
        ilv_lk_released(P(m), 0);
        if (r == 0)
            ilv_lk_handoff_counted(P(m), 0);
    }
    return r;
}

/* the condition wait releases m inside glibc, past pthread_mutex_unlock: noted beforehand (the
 * caller holds m), as the releases on the out-of-line path (ilv_lk_mutex_wait_begin) */
static inline void cond_releases(pthread_mutex_t *m, uint64_t ts)
{
    TRUTH_SET(m);
    if (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == 0)
        ilv_lk_note_release(P(m), __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED), ts);
    ilv_lk_released(P(m), 0);
}

EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (!ON)
        return REALV(pthread_cond_wait, "GLIBC_2.3.2")(c, m);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    uint64_t ts = NOW;
    cond_releases(m, ts);
    ilv_emit(H(ILV_T_COND_WAIT, E, 0), 0, ts, ra, P(c), P(m), ra2, 0, 0);
    int r = REALV(pthread_cond_wait, "GLIBC_2.3.2")(c, m);
    int e = errno;
    ilv_emit(H(ILV_T_COND_WAIT, X, 0), r, NOW, ra, P(c), P(m), ra2, 0, 0);
    ilv_lk_acquired(P(m), ra, ra2, 0, 0);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abst)
{
    if (!ON)
        return REALV(pthread_cond_timedwait, "GLIBC_2.3.2")(c, m, abst);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    uint64_t ts = NOW;
    cond_releases(m, ts);
    ilv_emit(H(ILV_T_COND_WAIT, E, 1), 0, ts, ra, P(c), P(m), ra2, 0, 0);
    int r = REALV(pthread_cond_timedwait, "GLIBC_2.3.2")(c, m, abst);
    int e = errno;
    ilv_emit(H(ILV_T_COND_WAIT, X, 1), r, NOW, ra, P(c), P(m), ra2, 0, 0);
    ilv_lk_acquired(P(m), ra, ra2, 0, 0);
    ILV_ERRNO_BACK(e);
    return r;
}

/* glibc's condition variable counts its waiters in __wrefs (>> 3): a signal nobody waits for
 * changes nothing and is not written */
static inline int cond_has_waiters(pthread_cond_t *c)
{
    return (__atomic_load_n(&c->__data.__wrefs, __ATOMIC_RELAXED) >> 3) != 0;
}

EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    if (!ON)
        return REALV(pthread_cond_signal, "GLIBC_2.3.2")(c);
    int w = cond_has_waiters(c);
    uint64_t ts = w ? NOW : 0;
    int r = REALV(pthread_cond_signal, "GLIBC_2.3.2")(c);
    if (w)
        ilv_emit(H(ILV_T_COND_SIGNAL, C, 0), r, ts, RA, P(c), 0, 0, 0, 0);
    return r;
}

EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    if (!ON)
        return REALV(pthread_cond_broadcast, "GLIBC_2.3.2")(c);
    int w = cond_has_waiters(c);
    uint64_t ts = w ? NOW : 0;
    int r = REALV(pthread_cond_broadcast, "GLIBC_2.3.2")(c);
    if (w)
        ilv_emit(H(ILV_T_COND_BROADCAST, C, 0), r, ts, RA, P(c), 0, 0, 0, 0);
    return r;
}

/* glibc's semaphore (64-bit layout): value in the low 32 bits of the first word, waiters in the
 * high 32 */
static inline int sem_has_waiters(sem_t *s)
{
    return (__atomic_load_n((uint64_t *)(void *)s, __ATOMIC_RELAXED) >> 32) != 0;
}

static int sem_wait_common(sem_t *s, const struct timespec *abst, int timed, uint64_t ra)
{
    pthread_testcancel(); /* sem_wait acts on a pending cancellation first, even when it would not block */
    int e = errno;
    if (REAL(sem_trywait)(s) == 0) { /* no wait: counted, not written */
        ilv_lk_sem_taken(P(s), ra);
        return 0;
    }
    ILV_ERRNO_BACK(e);
    uint64_t ts = NOW;
    if (!timed && !ilv_lk_write_wait(P(s)) && REAL(sem_clockwait)) {
        /* as for mutexes: past the first waits, a short wait is counted, a long one written from its
         * start. sem_clockwait fails as sem_wait would (EINTR from a handler), or ETIMEDOUT. */
        struct timespec dl = short_deadline(ts);
        int r = REAL(sem_clockwait)(s, CLOCK_MONOTONIC, &dl);
        if (r == 0) {
            uint64_t t1 = NOW;
            ilv_lk_acquired_counted(P(s), ra, 0, 1, t1 > ts ? t1 - ts : 0);
            ILV_ERRNO_BACK(e);
            return 0;
        }
        if (errno != ETIMEDOUT && errno != EINVAL) {
            e = errno;
            ilv_emit(H(ILV_T_SEM_WAIT, E, 0), 0, ts, ra, P(s), 0, 0, 0, 0);
            ilv_emit(H(ILV_T_SEM_WAIT, X, 0), e, NOW, ra, P(s), 0, 0, 0, 0);
            ILV_ERRNO_BACK(e);
            return r;
        }
        ILV_ERRNO_BACK(e);
    }
    ilv_lk_wait_begin(P(s));
    ilv_emit(H(ILV_T_SEM_WAIT, E, timed), 0, ts, ra, P(s), 0, 0, 0, 0);
    int r = timed ? REAL(sem_timedwait)(s, abst) : REAL(sem_wait)(s);
    e = errno;
    ilv_emit(H(ILV_T_SEM_WAIT, X, timed), r < 0 ? e : 0, NOW, ra, P(s), 0, 0, 0, 0);
    ilv_lk_wait_end(P(s));
    if (r == 0)
        ilv_lk_acquired(P(s), ra, 0, 1, 1);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int sem_wait(sem_t *s)
{
    if (!ON)
        return REAL(sem_wait)(s);
    return sem_wait_common(s, 0, 0, RA);
}

EXPORT int sem_timedwait(sem_t *s, const struct timespec *abst)
{
    if (!ON)
        return REAL(sem_timedwait)(s, abst);
    return sem_wait_common(s, abst, 1, RA);
}

EXPORT int sem_trywait(sem_t *s)
{
    if (!ON)
        return REAL(sem_trywait)(s);
    uint64_t ra = RA;
    int r = REAL(sem_trywait)(s);
    int e = errno;
    if (r == 0)
        ilv_lk_sem_taken(P(s), ra);
    else
        ilv_lk_tryfail(P(s), 1);
    ILV_ERRNO_BACK(e);
    return r;
}

/* a post with waiters, or with watched variables (their accesses are collected before the post), or
 * one that fails */
static __attribute__((noinline)) int sem_post_noted(sem_t *s, int w, uint64_t ra)
{
    int written = w && ilv_lk_waited_for(P(s)); /* as for mutex releases */
    uint64_t ts = written ? NOW : 0;
    ilv_lk_released(P(s), 1);
    int r = REAL(sem_post)(s);
    int e = errno;
    if (written || r < 0)
        ilv_emit(H(ILV_T_SEM_POST, C, 0), r < 0 ? e : 0, ts ? ts : NOW, ra, P(s), 0, 0, 0, 0);
    else if (w)
        ilv_lk_handoff_counted(P(s), 1);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int sem_post(sem_t *s)
{
    if (!ON)
        return REAL(sem_post)(s);
    int w = sem_has_waiters(s);
    if (ILV_UNLIKELY(w || ilv_vw_armed))
        return sem_post_noted(s, w, RA);
    int r = REAL(sem_post)(s);
    if (ILV_LIKELY(r == 0)) { /* nobody waited: counted after the post */
        ilv_lk_sem_posted(P(s));
        return 0;
    }
    int e = errno; /* failed (EOVERFLOW, EINVAL): written, as before */
    ilv_lk_released(P(s), 1);
    ilv_emit(H(ILV_T_SEM_POST, C, 0), e, NOW, RA, P(s), 0, 0, 0, 0);
    ILV_ERRNO_BACK(e);
    return r;
}
