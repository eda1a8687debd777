/* Interleave agent: mutexes, condition variables and semaphores; what is written and counted is
 * decided in locks.c. */
#include "wrap.h"

DECL_REAL(pthread_mutex_lock);
DECL_REAL(pthread_mutex_trylock);
DECL_REAL(pthread_mutex_timedlock);
DECL_REAL(pthread_mutex_unlock);
DECL_REAL(pthread_cond_wait);
DECL_REAL(pthread_cond_timedwait);
DECL_REAL(pthread_cond_signal);
DECL_REAL(pthread_cond_broadcast);
DECL_REAL(sem_wait);
DECL_REAL(sem_timedwait);
DECL_REAL(sem_trywait);
DECL_REAL(sem_post);

void ilv_wrap_init_sync(void)
{
    (void)REAL(pthread_mutex_lock);
    (void)REAL(pthread_mutex_trylock);
    (void)REAL(pthread_mutex_timedlock);
    (void)REAL(pthread_mutex_unlock);
    (void)REALV(pthread_cond_wait, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_timedwait, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_signal, "GLIBC_2.3.2");
    (void)REALV(pthread_cond_broadcast, "GLIBC_2.3.2");
    (void)REAL(sem_wait);
    (void)REAL(sem_timedwait);
    (void)REAL(sem_trywait);
    (void)REAL(sem_post);
}

/* ------------------------------------------------------------ synchronization */

/* Mutexes and semaphores write records only where something waits (locks.h): an uncontended
 * acquisition or release only updates the thread's held set and counters. */

#define FRAME_RA2(ra) ilv_caller2(__builtin_frame_address(0), (ra))

/* somebody waits for this mutex (read just before the real unlock, which wakes them): glibc keeps
 * 2 in __lock for a normal mutex with waiters, the FUTEX_WAITERS bit for a priority-inheritance one */
static inline int mutex_has_waiters(pthread_mutex_t *m)
{
    int v = __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED);
    return (m->__data.__kind & 0x20 /* glibc PTHREAD_MUTEX_PRIO_INHERIT_NP */) ? v < 0 : v > 1;
}

EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_lock)(m);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    if (ilv_lk.nheld)
        ilv_lk_edges(P(m), ra, ra2); /* before blocking: a deadlocked thread has its edge written */
    int r = REAL(pthread_mutex_trylock)(m);
    if (ILV_LIKELY(r == 0)) { /* uncontended: counted, not written */
        ilv_lk_acquired(P(m), ra, ra2, 0, 0);
        return r;
    }
    uint64_t ts = NOW;
    if (r != EBUSY) {
        ilv_emit(H(ILV_T_MUTEX_LOCK, C, 0), r, ts, ra, P(m), 0, ra2, 0, 0);
        if (r == EOWNERDEAD) /* robust mutex: acquired, its previous owner died */
            ilv_lk_acquired(P(m), ra, ra2, 0, 0);
        return r;
    }
    int e = errno;
    int holder = __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
    ilv_emit(H(ILV_T_MUTEX_LOCK, E, 0), 0, ts, ra, P(m), SX(holder), ra2, 0, 0);
    errno = e;
    r = REAL(pthread_mutex_lock)(m);
    e = errno;
    ilv_emit(H(ILV_T_MUTEX_LOCK, X, 0), r, NOW, ra, P(m), 0, ra2, 0, 0);
    if (r == 0)
        ilv_lk_acquired(P(m), ra, ra2, 0, 1);
    errno = e;
    return r;
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
    ilv_emit(H(ILV_T_MUTEX_LOCK, E, 1), 0, NOW, ra, P(m), SX(holder), ra2, 0, 0);
    errno = e;
    r = REAL(pthread_mutex_timedlock)(m, abst);
    e = errno;
    ilv_emit(H(ILV_T_MUTEX_LOCK, X, 1), r, NOW, ra, P(m), 0, ra2, 0, 0);
    if (r == 0)
        ilv_lk_acquired(P(m), ra, ra2, 0, 1);
    errno = e;
    return r;
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_trylock)(m);
    uint64_t ra = RA;
    int r = REAL(pthread_mutex_trylock)(m);
    if (r == 0)
        ilv_lk_acquired(P(m), ra, FRAME_RA2(ra), 0, 0);
    else
        ilv_lk_tryfail(P(m), 0);
    return r;
}

EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!ON)
        return REAL(pthread_mutex_unlock)(m);
    int waiters = mutex_has_waiters(m);
    uint64_t ts = waiters ? NOW : 0; /* released at ts: before any other thread can acquire */
    int r = REAL(pthread_mutex_unlock)(m);
    ilv_lk_released(P(m), 0); /* bookkeeping after the release: the hold stays as short as it was */
    if (waiters)
        ilv_emit(H(ILV_T_MUTEX_UNLOCK, C, 0), r, ts, RA, P(m), 0, 0, 0, 0);
    return r;
}

EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (!ON)
        return REALV(pthread_cond_wait, "GLIBC_2.3.2")(c, m);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    ilv_lk_released(P(m), 0);
    ilv_emit(H(ILV_T_COND_WAIT, E, 0), 0, NOW, ra, P(c), P(m), ra2, 0, 0);
    int r = REALV(pthread_cond_wait, "GLIBC_2.3.2")(c, m);
    int e = errno;
    ilv_emit(H(ILV_T_COND_WAIT, X, 0), r, NOW, ra, P(c), P(m), ra2, 0, 0);
    ilv_lk_acquired(P(m), ra, ra2, 0, 0);
    errno = e;
    return r;
}

EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abst)
{
    if (!ON)
        return REALV(pthread_cond_timedwait, "GLIBC_2.3.2")(c, m, abst);
    uint64_t ra = RA;
    uint64_t ra2 = FRAME_RA2(ra);
    ilv_lk_released(P(m), 0);
    ilv_emit(H(ILV_T_COND_WAIT, E, 1), 0, NOW, ra, P(c), P(m), ra2, 0, 0);
    int r = REALV(pthread_cond_timedwait, "GLIBC_2.3.2")(c, m, abst);
    int e = errno;
    ilv_emit(H(ILV_T_COND_WAIT, X, 1), r, NOW, ra, P(c), P(m), ra2, 0, 0);
    ilv_lk_acquired(P(m), ra, ra2, 0, 0);
    errno = e;
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
        ilv_lk_acquired(P(s), ra, 0, 1, 0);
        return 0;
    }
    errno = e;
    ilv_emit(H(ILV_T_SEM_WAIT, E, timed), 0, NOW, ra, P(s), 0, 0, 0, 0);
    int r = timed ? REAL(sem_timedwait)(s, abst) : REAL(sem_wait)(s);
    e = errno;
    ilv_emit(H(ILV_T_SEM_WAIT, X, timed), r < 0 ? e : 0, NOW, ra, P(s), 0, 0, 0, 0);
    if (r == 0)
        ilv_lk_acquired(P(s), ra, 0, 1, 1);
    errno = e;
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
        ilv_lk_acquired(P(s), ra, 0, 1, 0);
    else
        ilv_lk_tryfail(P(s), 1);
    errno = e;
    return r;
}

EXPORT int sem_post(sem_t *s)
{
    if (!ON)
        return REAL(sem_post)(s);
    int w = sem_has_waiters(s);
    uint64_t ts = w ? NOW : 0;
    ilv_lk_released(P(s), 1);
    int r = REAL(sem_post)(s);
    int e = errno;
    if (w || r < 0)
        ilv_emit(H(ILV_T_SEM_POST, C, 0), r < 0 ? e : 0, ts ? ts : NOW, RA, P(s), 0, 0, 0, 0);
    errno = e;
    return r;
}
