/* Interleave agent: compact lock events. See locks.h for what is written and why. */
#include "locks.h"
#include <link.h>
#include <string.h>
#include <stdlib.h>

__thread struct ilv_lockstate ilv_lk __attribute__((tls_model("initial-exec")));

/* the main executable's code: where a caller's return address must point */
static uint64_t text_lo, text_hi;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD && (p->p_flags & PF_X)) {
            uint64_t lo = info->dlpi_addr + p->p_vaddr;
            if (!text_lo || lo < text_lo)
                text_lo = lo;
            if (lo + p->p_memsz > text_hi)
                text_hi = lo + p->p_memsz;
        }
    }
    return 1; /* the first object is the main program */
}

/* waits written per thread and lock before only long ones are (INTERLEAVE_TRACE_LOCK_WAITS) */
static uint64_t waits_written = ILV_WAITS_WRITTEN;

void ilv_lk_init(void)
{
    dl_iterate_phdr(phdr_cb, 0);
    const char *w = getenv("INTERLEAVE_TRACE_LOCK_WAITS");
    if (w && *w >= '0' && *w <= '9') {
        uint64_t v = 0;
        for (; *w >= '0' && *w <= '9' && v < 1000000000ull; w++)
            v = v * 10 + (uint64_t)(*w - '0');
        waits_written = v;
    }
}

/* ---------------------------------------------------------------- the caller's caller
 * pthread_mutex_lock's return address is often in a small helper (lock(m) { ...
 * pthread_mutex_lock(m); ... }); the reader wants the helper's caller too. Programs are usually
 * built without frame pointers, so the agent looks at the words just above its own return
 * address (the caller's frame) for the first one that is a return address into the program: it
 * points into the program's code and the instruction before it is a call (to the function
 * containing ra, for a direct call). The position found is cached per call site (the caller's
 * frame has a fixed size), so later acquisitions from that site read one word. Only words
 * between the wrapper's frame and the thread's outermost traced frame are read: they are on this
 * thread's live stack. */
#define SCAN_WORDS 48
#define SITE_N 1024u
#define SITE_NONE 0xffffu
static uint64_t site_cache[SITE_N]; /* ra << 16 | (word index + 1), or | SITE_NONE */

static inline int in_text(uint64_t w)
{
    return w >= text_lo + 8 && w < text_hi;
}

static int after_call(uint64_t w, uint64_t ra)
{
    const uint8_t *b = (const uint8_t *)(uintptr_t)w;
    if (b[-5] == 0xe8) { /* call rel32: its target must be the function holding ra */
        int32_t rel;
        memcpy(&rel, b - 4, 4);
        uint64_t target = w + (int64_t)rel;
        return target <= ra && ra - target < (1u << 20);
    }
    if (b[-2] == 0xff && (b[-1] & 0xf8) == 0xd0)
        return 1; /* call *%reg */
    if (b[-6] == 0xff && b[-5] == 0x15)
        return 1; /* call *disp32(%rip) */
    if (b[-3] == 0xff && (b[-2] & 0xf8) == 0x50)
        return 1; /* call *disp8(%reg) */
    return 0;
}

static inline unsigned site_hash(uint64_t ra)
{
    return (unsigned)((ra * 0x9e3779b97f4a7c15ull) >> 54) & (SITE_N - 1);
}

uint64_t ilv_caller2(const void *frame, uint64_t ra)
{
    uint64_t hi = ilv_lk.stack_hi, f = (uint64_t)(uintptr_t)frame;
    if (!hi || f >= hi || hi - f > (64u << 20) || !in_text(ra))
        return 0;
    const uint64_t *words = (const uint64_t *)(uintptr_t)(f + 16); /* above saved rbp and ra */
    unsigned limit = (unsigned)((hi - (f + 16)) / 8);
    if (limit > SCAN_WORDS)
        limit = SCAN_WORDS;
    unsigned h = site_hash(ra);
    uint64_t c = __atomic_load_n(&site_cache[h], __ATOMIC_RELAXED);
    if ((c >> 16) == ra) {
        unsigned k = (unsigned)(c & 0xffff);
        if (k == SITE_NONE)
            return 0;
        if (k - 1 < limit) {
            uint64_t w = words[k - 1];
            if (in_text(w))
                return w;
        }
    }
    for (unsigned k = 0; k < limit; k++) {
        uint64_t w = words[k];
        if (w != ra && in_text(w) && after_call(w, ra)) {
            __atomic_store_n(&site_cache[h], (ra << 16) | (k + 1), __ATOMIC_RELAXED);
            return w;
        }
    }
    __atomic_store_n(&site_cache[h], (ra << 16) | SITE_NONE, __ATOMIC_RELAXED);
    return 0;
}

/* ---------------------------------------------------------------- counters */

static inline uint64_t ticks_ns(uint64_t ticks, uint64_t mult)
{
    return mult ? (uint64_t)(((unsigned __int128)ticks * mult) >> 32) : 0;
}

static void emit_stat(struct ilv_lstat *e, uint64_t ts)
{
    uint64_t a2 = e->hold, a3 = 0;
    if (!e->kind) { /* mutex: total hold estimated from the timed ones, longest timed hold */
        uint64_t est = e->measured ? (uint64_t)((unsigned __int128)e->hold * e->n / e->measured) : 0;
        uint64_t mult = ilv_tsc_mult();
        a2 = ticks_ns(est, mult);
        a3 = ticks_ns(e->maxhold, mult);
    }
    uint32_t flags = e->kind | (!e->kind && !e->measured ? 2u : 0u); /* 2: no hold was timed */
    ilv_emit(ILV_HEAD(ILV_T_LOCK_STATS, ILV_POINT, flags), 0, ts, e->ra, e->obj, e->n, a2, a3,
             (uint64_t)e->waits | ((uint64_t)e->tryfail << 32));
    if (e->swaits || e->handoffs) /* what of the waits and hand-offs was counted instead of written */
        ilv_emit(ILV_HEAD(ILV_T_LOCK_WAITS, ILV_POINT, e->kind), 0, ts, e->ra, e->obj, e->swaits, e->swait_ns,
                 e->swait_max, e->handoffs);
}

static inline int stat_used(const struct ilv_lstat *e)
{
    return e->n || e->waits || e->tryfail || e->hold || e->measured || e->swaits || e->handoffs;
}

static struct ilv_lstat *stat_of(uint64_t obj, int kind)
{
    struct ilv_lockstate *s = &ilv_lk;
    unsigned h = (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 59) & (ILV_LSTAT_N - 1);
    for (unsigned k = 0; k < ILV_LSTAT_N; k++) {
        struct ilv_lstat *e = &s->st[(h + k) & (ILV_LSTAT_N - 1)];
        if (e->obj == obj)
            return e;
        if (!e->obj) {
            e->kind = (uint32_t)kind;
            e->obj = obj;
            return e;
        }
    }
    /* full: write the home entry's summary and give it to this lock */
    struct ilv_lstat *e = &s->st[h];
    emit_stat(e, ilv_now());
    memset(e, 0, sizeof *e);
    e->kind = (uint32_t)kind;
    e->obj = obj;
    return e;
}

void ilv_lk_flush(void)
{
    struct ilv_lockstate *s = &ilv_lk;
    uint64_t ts = 0;
    for (unsigned i = 0; i < ILV_LSTAT_N; i++) {
        struct ilv_lstat *e = &s->st[i];
        if (!e->obj)
            continue;
        if (stat_used(e)) {
            if (!ts)
                ts = ilv_now();
            emit_stat(e, ts);
        }
        memset(e, 0, sizeof *e);
    }
    s->last = 0;
    uint64_t mult = ilv_clk.mult;
    s->next_flush = mult ? ilv_rdtsc() + (uint64_t)(((unsigned __int128)ILV_LK_PERIOD_NS << 32) / mult) : 0;
}

static inline void count_wait(struct ilv_lstat *e, uint64_t wait_ns)
{
    e->swaits++;
    e->swait_ns += wait_ns;
    if (wait_ns > e->swait_max)
        e->swait_max = wait_ns;
}

static void acquired(uint64_t obj, uint64_t ra, uint64_t ra2, int kind, int contended, uint64_t wait_ns)
{
    struct ilv_lockstate *s = &ilv_lk;
    if (ILV_UNLIKELY(ilv_vw_armed)) { /* the watched accesses so far were made without this lock */
        if (kind == 1)
            ilv_vw_sem(obj, 1);
        else
            ilv_vw_harvest();
    }
    if (kind == 0) { /* counted when released (outside the critical section) */
        uint32_t i = s->nheld;
        if (i < ILV_HELD_MAX) {
            s->nheld = i + 1; /* claim the entry first: a nested handler pushes above it */
            ILV_BARRIER();
            struct ilv_held *h = &s->held[i];
            h->obj = obj;
            h->ra = ra;
            h->ra2 = ra2;
            h->contended = (uint32_t)contended;
            h->wait_ns = wait_ns;
            /* timed: every contended hold, a thread's first 64, then one in ILV_LK_SAMPLE */
            uint32_t a = ++s->acq;
            h->tsc = contended || a <= 64 || a % ILV_LK_SAMPLE == 0 ? ilv_rdtsc() : 0;
        } else {
            s->overflow++;
        }
        return;
    }
    struct ilv_lstat *e = stat_of(obj, kind);
    if (!e->ra)
        e->ra = ra;
    e->n++;
    e->waits += contended != 0;
    if (contended == 2)
        count_wait(e, wait_ns);
}

void ilv_lk_acquired(uint64_t obj, uint64_t ra, uint64_t ra2, int kind, int contended)
{
    acquired(obj, ra, ra2, kind, contended, 0);
}

/* acquired after a short wait that is counted, not written */
void ilv_lk_acquired_counted(uint64_t obj, uint64_t ra, uint64_t ra2, int kind, uint64_t wait_ns)
{
    acquired(obj, ra, ra2, kind, 2, wait_ns);
}

static inline struct ilv_lstat *stat_cached(struct ilv_lockstate *s, uint64_t obj, int kind)
{
    struct ilv_lstat *e = s->last;
    if (!e || e->obj != obj)
        s->last = e = stat_of(obj, kind);
    return e;
}

void ilv_lk_released(uint64_t obj, int kind)
{
    struct ilv_lockstate *s = &ilv_lk;
    struct ilv_lstat *e;
    int timed = 0;
    if (ILV_UNLIKELY(ilv_vw_armed)) { /* ... and these with it */
        if (kind == 1)
            ilv_vw_sem(obj, 0);
        else
            ilv_vw_harvest();
    }
    if (kind == 1) {
        e = stat_of(obj, kind);
        e->hold++; /* posts */
    } else {
        uint32_t n = s->nheld;
        if (n > ILV_HELD_MAX)
            n = ILV_HELD_MAX;
        uint32_t i = n;
        while (i > 0 && s->held[i - 1].obj != obj)
            i--;
        e = stat_cached(s, obj, kind);
        e->n++;
        if (i > 0) {
            struct ilv_held *h = &s->held[i - 1];
            if (!e->ra)
                e->ra = h->ra;
            e->waits += h->contended != 0;
            if (h->contended == 2)
                count_wait(e, h->wait_ns);
            if (h->tsc) {
                uint64_t d = ilv_rdtsc() - h->tsc;
                if ((int64_t)d < 0)
                    d = 0;
                e->hold += d;
                e->measured++;
                if (d > e->maxhold)
                    e->maxhold = d;
                timed = 1;
            }
            for (; i < n; i++)
                s->held[i - 1] = s->held[i];
            s->nheld = n - 1;
        } else if (s->overflow) {
            s->overflow--;
        }
    }
    if (ILV_UNLIKELY(timed || (++s->rel & 1023) == 0)) { /* time for a summary? */
        uint64_t now = ilv_rdtsc();
        if (s->next_flush && now >= s->next_flush)
            ilv_lk_flush();
        else if (!s->next_flush && ilv_clk.mult)
            s->next_flush = now + (uint64_t)(((unsigned __int128)ILV_LK_PERIOD_NS << 32) / ilv_clk.mult);
    }
}

void ilv_lk_tryfail(uint64_t obj, int kind)
{
    stat_of(obj, kind)->tryfail++;
}

/* a release (post) that hands the lock to a waiter whose wait is not written: counted */
void ilv_lk_handoff_counted(uint64_t obj, int kind)
{
    struct ilv_lockstate *s = &ilv_lk;
    struct ilv_lstat *e = kind ? stat_of(obj, kind) : stat_cached(s, obj, kind);
    e->handoffs++;
}

/* ---------------------------------------------------------------- which waits are written
 * Per thread and lock: the first ILV_WAITS_WRITTEN waits (a reader sees how waiting for this lock
 * looks, with both call sites and the holder), then only long ones. The count survives the
 * periodic summaries; a thread waiting on more than ILV_WN_N locks forgets the oldest in a bucket. */
int ilv_lk_write_wait(uint64_t obj)
{
    struct ilv_lockstate *s = &ilv_lk;
    unsigned h = (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 59) & (ILV_WN_N - 1);
    for (unsigned k = 0; k < 4; k++) {
        struct ilv_wn *w = &s->wn[(h + k) & (ILV_WN_N - 1)];
        if (w->obj == obj) {
            if (w->n >= waits_written)
                return 0;
            w->n++;
            return 1;
        }
        if (!w->obj) {
            w->obj = obj;
            w->n = 1;
            return waits_written > 0;
        }
    }
    s->wn[h].obj = obj;
    s->wn[h].n = 1;
    return waits_written > 0;
}

/* Written waits under way, per lock, shared by the process's threads: a release is written (the
 * start of the hand-off a reader draws) only while a written wait for that lock is under way. A
 * fixed open-addressed table, keys never removed; a lock that finds no room (16 probes) counts as
 * always waited for, so its releases to waiters are all written, as before. */
#define WREG_N 1024u
#define WREG_PROBES 16u
static uint64_t wreg_key[WREG_N];
static int32_t wreg_cnt[WREG_N];
/* the last release of a mutex while a written wait for it was under way: who and when. Written by
 * the releasing thread before its real unlock and read by the waiter after its real lock, so the
 * program's mutex itself orders them: the waiter reads the release that handed the mutex over. */
static int32_t wreg_rel_tid[WREG_N];
static uint64_t wreg_rel_ts[WREG_N];

static int32_t *wreg_find(uint64_t obj, int insert, int *full)
{
    unsigned h = (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 54) & (WREG_N - 1);
    *full = 0;
    for (unsigned k = 0; k < WREG_PROBES; k++) {
        unsigned i = (h + k) & (WREG_N - 1);
        uint64_t v = __atomic_load_n(&wreg_key[i], __ATOMIC_ACQUIRE);
        if (v == obj)
            return &wreg_cnt[i];
        if (!v) {
            if (!insert)
                return 0;
            if (__atomic_compare_exchange_n(&wreg_key[i], &v, obj, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
                v == obj)
                return &wreg_cnt[i];
        }
    }
    *full = 1;
    return 0;
}

void ilv_lk_wait_begin(uint64_t obj)
{
    int full;
    int32_t *c = wreg_find(obj, 1, &full);
    if (c)
        __atomic_add_fetch(c, 1, __ATOMIC_SEQ_CST);
}

void ilv_lk_wait_end(uint64_t obj)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (c && __atomic_sub_fetch(c, 1, __ATOMIC_SEQ_CST) < 0)
        __atomic_store_n(c, 0, __ATOMIC_RELAXED); /* registered before a fork, ended in the child */
}

int ilv_lk_waited_for(uint64_t obj)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    return full || (c && __atomic_load_n(c, __ATOMIC_SEQ_CST) > 0);
}

/* A mutex release with waiters, before the real unlock (the caller holds the mutex). 0: a written
 * wait for it is under way and the release was noted for that waiter at *ts (the waiter writes who
 * handed the mutex over in its EXIT); 1: the table has no room for this mutex, write the release
 * as a record; -1: nobody's wait is written, count it. */
int ilv_lk_release_noted(uint64_t obj, int tid, uint64_t *ts)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (full)
        return 1;
    if (!c || __atomic_load_n(c, __ATOMIC_SEQ_CST) <= 0)
        return -1;
    unsigned i = (unsigned)(c - wreg_cnt);
    *ts = ilv_now(); /* read only here: most releases to waiters are only counted */
    wreg_rel_tid[i] = tid;
    wreg_rel_ts[i] = *ts;
    return 0;
}

/* After a written wait acquired the mutex (the caller holds it): the release that handed it over,
 * if it came after `since` (the wait's start); 0 when unknown. */
int ilv_lk_handed_by(uint64_t obj, uint64_t since, uint64_t *ts)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (!c)
        return 0;
    unsigned i = (unsigned)(c - wreg_cnt);
    if (wreg_rel_ts[i] < since || !wreg_rel_tid[i])
        return 0;
    *ts = wreg_rel_ts[i];
    return wreg_rel_tid[i];
}

/* About to take obj (a blocking mutex lock) while holding others: write each new (held, obj)
 * pair once per thread, with both acquisitions' call sites. */
void ilv_lk_edges(uint64_t obj, uint64_t ra, uint64_t ra2)
{
    struct ilv_lockstate *s = &ilv_lk;
    uint32_t n = s->nheld;
    if (n > ILV_HELD_MAX)
        n = ILV_HELD_MAX;
    for (uint32_t i = 0; i < n; i++) {
        struct ilv_held h = s->held[i];
        if (h.obj == obj || !h.obj)
            continue;
        uint64_t key = (h.obj * 0x9e3779b97f4a7c15ull) ^ (obj * 0xc2b2ae3d27d4eb4full);
        key |= 1;
        unsigned b = (unsigned)(key >> 58) & (ILV_EDGE_N - 1), k;
        int seen = 0;
        for (k = 0; k < 8; k++) {
            uint64_t v = s->edge[(b + k) & (ILV_EDGE_N - 1)];
            if (v == key) {
                seen = 1;
                break;
            }
            if (!v)
                break;
        }
        if (seen)
            continue;
        s->edge[(b + (k < 8 ? k : 0)) & (ILV_EDGE_N - 1)] = key;
        ilv_emit(ILV_HEAD(ILV_T_LOCK_EDGE, ILV_POINT, 0), 0, ilv_now(), ra, h.obj, obj, h.ra, h.ra2, ra2);
    }
}

/* child of fork: its counters start at zero (the parent writes its own), its lock-order edges are
 * new in the new process; the locks the forking thread held stay held in the child */
void ilv_lk_after_fork(void)
{
    struct ilv_lockstate *s = &ilv_lk;
    memset(s->st, 0, sizeof s->st);
    memset(s->edge, 0, sizeof s->edge);
    memset(s->wn, 0, sizeof s->wn);
    /* the parent's other threads do not exist here: none of their waits is under way */
    for (unsigned i = 0; i < WREG_N; i++)
        wreg_cnt[i] = 0;
    s->next_flush = 0;
    s->last = 0;
}
