/* Interleave agent: threads (pthread_create and the thread's start and end, exit, join, detach,
 * names). */
#include "wrap.h"

DECL_REAL(pthread_create);
DECL_REAL(pthread_exit);
DECL_REAL(pthread_join);
DECL_REAL(pthread_detach);
DECL_REAL(pthread_timedjoin_np);
DECL_REAL(pthread_tryjoin_np);
DECL_REAL(pthread_clockjoin_np);
DECL_REAL(pthread_setname_np);
DECL_REAL(prctl);

void ilv_wrap_init_thread(void)
{
    (void)REAL(pthread_create);
    (void)REAL(pthread_exit);
    (void)REAL(pthread_join);
    (void)REAL(pthread_detach);
    (void)REAL(pthread_timedjoin_np);
    (void)REAL(pthread_tryjoin_np);
    (void)REAL(pthread_clockjoin_np);
    (void)REAL(pthread_setname_np);
    (void)REAL(prctl);
}

/* ------------------------------------------------------------ threads */

struct tinfo {
    int used;
    int creator_tid;
    void *(*fn)(void *);
    void *arg;
    uint64_t create_id;
    int watch;                /* arg points into the creator's stack: watch the new thread's read */
};

#define POOL_N 1024
struct pool {
    struct pool *next;
    struct tinfo e[POOL_N];
};
static struct pool pool0;
static unsigned pool_hint;

/* lock-free: claim a free entry with a CAS; a new arena (mmap) when all are in use */
static struct tinfo *pool_get(void)
{
    for (struct pool *p = &pool0; p;) {
        unsigned h = __atomic_fetch_add(&pool_hint, 1, __ATOMIC_RELAXED);
        for (unsigned i = 0; i < POOL_N; i++) {
            struct tinfo *t = &p->e[(h + i) % POOL_N];
            int z = 0;
            if (!__atomic_load_n(&t->used, __ATOMIC_RELAXED) &&
                __atomic_compare_exchange_n(&t->used, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return t;
        }
        struct pool *n = __atomic_load_n(&p->next, __ATOMIC_ACQUIRE);
        if (!n) {
            long m = ilv_sys6(SYS_mmap, 0, sizeof(struct pool), 3 /*RW*/, 0x22 /*PRIVATE|ANON*/, -1, 0);
            if (m < 0 && m > -4096)
                return 0;
            struct pool *np = (struct pool *)m, *exp = 0;
            if (!__atomic_compare_exchange_n(&p->next, &exp, np, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                ilv_sys2(SYS_munmap, np, sizeof(struct pool));
                np = exp;
            }
            n = np;
        }
        p = n;
    }
    return 0;
}

static void thread_unwound(void *unused)
{
    (void)unused;
    ilv_lk_thread_end();
    ilv_watch_end();
    ilv_vw_end();
    ilv_emit(H(ILV_T_THREAD_EXIT, ILV_POINT, 2), 0, NOW, 0, 0, 0, 0, 0, 0);
    ilv_thread_close();
}

static void *thread_trampoline(void *p)
{
    struct tinfo *ti = p;
    void *(*fn)(void *) = ti->fn;
    void *arg = ti->arg;
    uint64_t id = ti->create_id;
    int watch = ti->watch;
    ilv_t.creator_tid = ti->creator_tid;
    ilv_t.create_id = id;
    ilv_t.hflags |= ILV_HF_CREATED;
    __atomic_store_n(&ti->used, 0, __ATOMIC_RELEASE);
    uint64_t b[2];
    int nb = ilv_read_bytes(arg, b);
    ilv_emit(H(ILV_T_THREAD_START, ILV_POINT, nb), 0, NOW, 0, P(fn), P(arg), id, b[0], b[1]);
    if (watch && nb >= 4)
        ilv_watch_arm(arg, NOW);
    if (ilv_vw_active())
        ilv_vw_arm_thread();
    void *ret;
    pthread_cleanup_push(thread_unwound, 0);
    ilv_lk_stack_top(&ret);
    ret = fn(arg);
    pthread_cleanup_pop(0);
    ilv_lk_thread_end();
    ilv_watch_end();
    ilv_vw_end();
    ilv_emit(H(ILV_T_THREAD_EXIT, ILV_POINT, 1), 0, NOW, 0, P(ret), 0, 0, 0, 0);
    ilv_thread_close();
    return ret;
}

EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (!ON)
        return REAL(pthread_create)(th, attr, fn, arg);
    struct tinfo *ti = pool_get();
    if (!ti)
        return REAL(pthread_create)(th, attr, fn, arg);
    uint64_t ra = RA;
    uint64_t id = __atomic_add_fetch(&ilv_g.create_seq, 1, __ATOMIC_RELAXED);
    uint64_t b[2];
    int nb = ilv_read_bytes(arg, b);
    ilv_emit(H(ILV_T_THREAD_CREATE, E, nb), 0, NOW, ra, P(fn), P(arg), id, b[0], b[1]);
    ti->fn = fn;
    ti->arg = arg;
    ti->create_id = id;
    ti->creator_tid = ilv_t.tid;
    int e0 = errno; /* pthread_getattr_np (asked once per thread) may leave errno changed */
    ti->watch = nb >= 4 && ilv_on_own_stack(arg);
    if (ti->watch)
        ilv_watch_warm(arg);
    errno = e0;
    /* read before the call: the attr may be destroyed by the program as soon as it returns */
    int ds = PTHREAD_CREATE_JOINABLE;
    int detached = attr && pthread_attr_getdetachstate(attr, &ds) == 0 && ds == PTHREAD_CREATE_DETACHED;
    int r = REAL(pthread_create)(th, attr, thread_trampoline, ti);
    int e = errno;
    if (r != 0)
        __atomic_store_n(&ti->used, 0, __ATOMIC_RELEASE);
    ilv_emit(H(ILV_T_THREAD_CREATE, X, detached ? ILV_CREATE_DETACHED : 0), r, NOW, ra,
             r == 0 ? (uint64_t)*th : 0, P(arg), id, 0, 0);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT void pthread_exit(void *retval)
{
    if (ON)
        ilv_emit(H(ILV_T_PTHREAD_EXIT, ILV_POINT, 0), 0, NOW, RA, P(retval), 0, 0, 0, 0);
    REAL(pthread_exit)(retval);
    __builtin_unreachable();
}

EXPORT int pthread_join(pthread_t th, void **retval)
{
    if (!ON)
        return REAL(pthread_join)(th, retval);
    uint64_t ra = RA;
    void *rv = 0;
    ilv_emit(H(ILV_T_PTHREAD_JOIN, E, 0), 0, NOW, ra, (uint64_t)th, 0, 0, 0, 0);
    int r = REAL(pthread_join)(th, &rv);
    int e = errno;
    if (r == 0 && retval)
        *retval = rv;
    ilv_emit(H(ILV_T_PTHREAD_JOIN, X, 0), r, NOW, ra, (uint64_t)th, r == 0 ? P(rv) : 0, 0, 0, 0);
    ILV_ERRNO_BACK(e);
    return r;
}

/* the timed, try and clock joins: PTHREAD_JOIN with flags = variant; err 0 = joined */
#define JOIN_BODY(variant, call)                                                                   \
    uint64_t ra = RA;                                                                              \
    void *rv = 0;                                                                                  \
    ilv_emit(H(ILV_T_PTHREAD_JOIN, E, variant), 0, NOW, ra, (uint64_t)th, 0, 0, 0, 0);             \
    int r = call;                                                                                  \
    int e = errno;                                                                                 \
    if (r == 0 && retval)                                                                          \
        *retval = rv;                                                                              \
    ilv_emit(H(ILV_T_PTHREAD_JOIN, X, variant), r, NOW, ra, (uint64_t)th, r == 0 ? P(rv) : 0, 0, 0, 0); \
    ILV_ERRNO_BACK(e);                                                                                     \
    return r

EXPORT int pthread_timedjoin_np(pthread_t th, void **retval, const struct timespec *abst)
{
    if (!ON)
        return REAL(pthread_timedjoin_np)(th, retval, abst);
    JOIN_BODY(ILV_JOIN_TIMED, REAL(pthread_timedjoin_np)(th, &rv, abst));
}

EXPORT int pthread_tryjoin_np(pthread_t th, void **retval)
{
    if (!ON)
        return REAL(pthread_tryjoin_np)(th, retval);
    JOIN_BODY(ILV_JOIN_TRY, REAL(pthread_tryjoin_np)(th, &rv));
}

EXPORT int pthread_clockjoin_np(pthread_t th, void **retval, clockid_t clk, const struct timespec *abst)
{
    if (!ON)
        return REAL(pthread_clockjoin_np)(th, retval, clk, abst);
    JOIN_BODY(ILV_JOIN_CLOCK, REAL(pthread_clockjoin_np)(th, &rv, clk, abst));
}

/* THREAD_NAME: a0 the named thread, a1/a2 the name's bytes (at most 15 and a NUL, as the kernel keeps it) */
static void name_record(int variant, uint64_t ra, uint64_t target, const char *name, int err)
{
    uint64_t b[2] = {0, 0};
    if (name) {
        size_t k = ilv_copy_user(b, name, 15);
        if (k == 0)
            b[0] = b[1] = 0;
        ((char *)b)[15] = 0;
    }
    ilv_emit(H(ILV_T_THREAD_NAME, ILV_POINT, variant), err, NOW, ra, target, b[0], b[1], 0, 0);
}

EXPORT int pthread_setname_np(pthread_t th, const char *name)
{
    if (!ON)
        return REAL(pthread_setname_np)(th, name);
    int r = REAL(pthread_setname_np)(th, name);
    int e = errno;
    name_record(0, RA, (uint64_t)th, name, r);
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT int prctl(int option, ...)
{
    va_list ap;
    va_start(ap, option);
    unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
    unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
    va_end(ap);
    int r = REAL(prctl)(option, a2, a3, a4, a5);
    if (ON && option == PR_SET_NAME) {
        int e = errno;
        name_record(1, RA, (uint64_t)pthread_self(), (const char *)a2, r < 0 ? e : 0);
        ILV_ERRNO_BACK(e);
    }
    return r;
}

EXPORT int pthread_detach(pthread_t th)
{
    if (!ON)
        return REAL(pthread_detach)(th);
    uint64_t ts = NOW;
    int r = REAL(pthread_detach)(th);
    int e = errno;
    ilv_emit(H(ILV_T_PTHREAD_DETACH, C, 0), r, ts, RA, (uint64_t)th, 0, 0, 0, NOW - ts);
    ILV_ERRNO_BACK(e);
    return r;
}
