/* Interleave agent: compact lock events. See locks.h for what is written and why. */
#include "locks.h"
#include <link.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

__thread struct ilv_lockstate ilv_lk __attribute__((tls_model("initial-exec")));

/* the main executable's code: where a caller's return address must point */
uint64_t ilv_text_lo, ilv_text_hi;
#define text_lo ilv_text_lo
#define text_hi ilv_text_hi

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
        ilv_lk.c2[ilv_lk_c2(ra)] = c; /* this thread's next lookup from this site: inline (ilv_lk_caller2) */
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
            ilv_lk.c2[ilv_lk_c2(ra)] = (ra << 16) | (k + 1);
            return w;
        }
    }
    __atomic_store_n(&site_cache[h], (ra << 16) | SITE_NONE, __ATOMIC_RELAXED);
    ilv_lk.c2[ilv_lk_c2(ra)] = (ra << 16) | SITE_NONE;
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

/* ---------------------------------------------------------------- growing tables
 * A thread starts with small tables in its TLS (ILV_LSTAT_N counters, ILV_EDGE_N edges); one that
 * uses more locks gets a mapped table four times as large, rehashed, and so on up to a limit.
 * Memory comes from mmap (a raw system call), never malloc: the wrappers run inside malloc's own
 * locks. A signal handler can interrupt a rehash or hold a pointer into the old table: the old
 * table therefore stays mapped (retired) until the thread ends, so a late update lands in memory
 * that is still there (and is lost, like any counter a handler spoils), and `growing` keeps a
 * nested handler from starting a second rehash. */
static void *map_anon(uint64_t len)
{
    long p = ilv_sys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p < 0 && p > -4096 ? 0 : (void *)p;
}

static void retire(struct ilv_lockstate *s, void *p, uint64_t len, const void *inline_tab)
{
    if (p == inline_tab)
        return;
    if (s->nretired < ILV_RETIRED_N) {
        s->retired[s->nretired].p = p;
        s->retired[s->nretired].len = len;
        s->nretired++;
    } /* else: left mapped (cannot happen: the tables stop growing long before) */
}

static inline unsigned lhash(uint64_t obj, uint32_t mask)
{
    return (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static int grow_stats(struct ilv_lockstate *s)
{
    uint32_t cap = s->tab_mask + 1, ncap = cap * 4;
    if (ncap > ILV_LSTAT_MAX)
        ncap = ILV_LSTAT_MAX;
    struct ilv_lstat *nt = map_anon((uint64_t)ncap * sizeof *nt), *t = s->tab;
    if (!nt)
        return 0;
    s->growing = 1;
    ILV_BARRIER();
    uint32_t used = 0;
    for (uint32_t i = 0; i < cap; i++) {
        if (!t[i].obj)
            continue;
        unsigned h = lhash(t[i].obj, ncap - 1);
        while (nt[h].obj)
            h = (h + 1) & (ncap - 1);
        nt[h] = t[i];
        used++;
    }
    s->tab = nt;
    s->tab_mask = ncap - 1;
    s->tab_used = used;
    memset(s->sc, 0, sizeof s->sc);
    retire(s, t, (uint64_t)cap * sizeof *t, s->st);
    ILV_BARRIER();
    s->growing = 0;
    return 1;
}

static struct ilv_lstat *stat_of(uint64_t obj, int kind)
{
    struct ilv_lockstate *s = &ilv_lk;
    if (ILV_UNLIKELY(!s->tab)) {
        s->tab_mask = ILV_LSTAT_N - 1;
        s->tab = s->st;
    }
    struct ilv_lstat *t = s->tab;
    uint32_t mask = s->tab_mask;
    unsigned h = lhash(obj, mask);
    for (unsigned k = 0; k <= mask; k++) {
        struct ilv_lstat *e = &t[(h + k) & mask];
        if (e->obj == obj)
            return e;
        if (!e->obj) {
            if (ILV_UNLIKELY((s->tab_used + 1) * 4 > (mask + 1) * 3)) { /* 3/4 full: grow */
                if (!s->growing && mask + 1 < ILV_LSTAT_MAX && grow_stats(s))
                    return stat_of(obj, kind);
                if (!s->growing && !s->flushing && mask + 1 >= ILV_LSTAT_MAX) {
                    ilv_lk_flush(); /* the largest table is full: summarize the window now */
                    return stat_of(obj, kind);
                }
                if ((s->tab_used + 1) * 8 > (mask + 1) * 7)
                    break; /* cannot grow: reuse the home entry */
            }
            e->kind = (uint32_t)kind;
            e->obj = obj;
            s->tab_used++;
            return e;
        }
    }
    /* full: write the home entry's summary and give it to this lock */
    struct ilv_lstat *e = &t[h];
    emit_stat(e, ilv_now());
    memset(e, 0, sizeof *e);
    e->kind = (uint32_t)kind;
    e->obj = obj;
    return e;
}

/* ---------------------------------------------------------------- summaries
 * Locks that share their first call site are summarized together once more than ILV_GROUP_MIN of
 * them were used in the window: a program with thousands of locks (one per hash bucket or item)
 * takes them all at the same place, and a record per lock every ILV_LK_PERIOD_NS would be most of
 * its trace. Locks at sites with few locks (a server's global locks) keep their own records. */
static struct ilv_group *group_find(struct ilv_group *g, uint64_t ra, uint32_t kind, int insert)
{
    unsigned h = (unsigned)(((ra ^ kind) * 0x9e3779b97f4a7c15ull) >> 32) % (ILV_GROUP_N - 1);
    for (unsigned k = 0; k < ILV_GROUP_N - 1; k++) {
        struct ilv_group *x = &g[1 + (h + k) % (ILV_GROUP_N - 1)];
        if (x->nlocks && x->ra == ra && x->kind == kind)
            return x;
        if (!x->nlocks) {
            if (!insert)
                break;
            x->ra = ra;
            x->kind = kind;
            return x;
        }
    }
    return &g[0]; /* more sites than slots: one group for the rest (site 0) */
}

static void group_add(struct ilv_group *g, const struct ilv_lstat *e)
{
    g->n += e->n;
    if (!e->kind) { /* the timed holds of all the group's locks, scaled once to all acquisitions: most of
                     * its locks were taken once or twice in the window, too few to scale one by one */
        g->ticks += e->hold;
        g->measured += e->measured;
        if (e->maxhold > g->maxticks)
            g->maxticks = e->maxhold;
    } else {
        g->posts += e->hold;
    }
    g->waits += e->waits;
    g->tryfail += e->tryfail;
    g->swaits += e->swaits;
    g->swait_ns += e->swait_ns;
    if (e->swait_max > g->swait_max)
        g->swait_max = e->swait_max;
    g->handoffs += e->handoffs;
}

static void emit_group(const struct ilv_group *g, uint64_t ts)
{
    uint32_t flags = g->kind | (!g->kind && !g->measured ? 2u : 0u) | 4u;
    uint64_t waits = g->waits > 0xffffffffull ? 0xffffffffull : g->waits;
    uint64_t tryf = g->tryfail > 0xffffffffull ? 0xffffffffull : g->tryfail;
    uint64_t a2 = g->posts, a3 = 0;
    if (!g->kind) {
        uint64_t mult = ilv_tsc_mult();
        uint64_t est = g->measured ? (uint64_t)((unsigned __int128)g->ticks * g->n / g->measured) : 0;
        a2 = ticks_ns(est, mult);
        a3 = ticks_ns(g->maxticks, mult);
    }
    ilv_emit(ILV_HEAD(ILV_T_LOCK_STATS, ILV_POINT, flags), 0, ts, g->ra, g->lo, g->n, a2, a3, waits | (tryf << 32));
    if (g->swaits || g->handoffs)
        ilv_emit(ILV_HEAD(ILV_T_LOCK_WAITS, ILV_POINT, g->kind | 4u), 0, ts, g->ra, g->lo, g->swaits, g->swait_ns,
                 g->swait_max, g->handoffs);
    ilv_emit(ILV_HEAD(ILV_T_LOCK_GROUP, ILV_POINT, g->kind), 0, ts, g->ra, g->lo, g->hi, g->nlocks, 0, 0);
}

ILV_FORK_PATH void ilv_lk_flush(void)
{
    struct ilv_lockstate *s = &ilv_lk;
    struct ilv_lstat *t = s->tab;
    uint64_t ts = 0;
    if (s->flushing) /* a handler interrupted this thread's summary: the counters go in the next one */
        return;
    if (!s->tab_used) { /* nothing counted since the last summary (or the fork): nothing written */
        if (s->next_flush) /* the next release schedules the next one */
            s->next_flush = 0;
        return;
    }
    s->flushing = 1;
    ILV_BARRIER();
    if (t) {
        uint32_t cap = s->tab_mask + 1;
        struct ilv_group *g = 0;
        if (s->tab_used > ILV_GROUP_MIN) { /* enough locks that some may share a site */
            if (!s->groups)
                s->groups = map_anon(ILV_GROUP_N * sizeof *s->groups);
            g = s->groups;
            if (g) {
                memset(g, 0, ILV_GROUP_N * sizeof *g);
                for (uint32_t i = 0; i < cap; i++) {
                    struct ilv_lstat *e = &t[i];
                    if (!e->obj || !stat_used(e))
                        continue;
                    struct ilv_group *x = group_find(g, e->ra, e->kind, 1);
                    if (!x->nlocks++ || e->obj < x->lo)
                        x->lo = e->obj;
                    if (e->obj > x->hi)
                        x->hi = e->obj;
                }
            }
        }
        for (uint32_t i = 0; i < cap; i++) {
            struct ilv_lstat *e = &t[i];
            if (!e->obj)
                continue;
            if (stat_used(e)) {
                struct ilv_group *x = g ? group_find(g, e->ra, e->kind, 0) : 0;
                if (x && x->nlocks > ILV_GROUP_MIN) {
                    group_add(x, e);
                } else {
                    if (!ts)
                        ts = ilv_now();
                    emit_stat(e, ts);
                }
            }
            memset(e, 0, sizeof *e);
        }
        s->tab_used = 0;
        for (unsigned i = 0; g && i < ILV_GROUP_N; i++) {
            if (g[i].nlocks > ILV_GROUP_MIN) {
                if (!ts)
                    ts = ilv_now();
                emit_group(&g[i], ts);
            }
        }
    }
    memset(s->sc, 0, sizeof s->sc);
    ILV_BARRIER();
    s->flushing = 0;
    uint64_t mult = ilv_clk.mult;
    s->next_flush = mult ? ilv_rdtsc() + (uint64_t)(((unsigned __int128)ILV_LK_PERIOD_NS << 32) / mult) : 0;
}

/* the thread ends: its last summary, then its mapped tables go back */
void ilv_lk_thread_end(void)
{
    struct ilv_lockstate *s = &ilv_lk;
    ilv_lk_flush();
    s->growing = 1; /* from here a handler's lock finds no table being unmapped under it */
    ILV_BARRIER();
    struct ilv_lstat *tab = s->tab;
    struct ilv_edge *eset = s->eset;
    s->tab = 0;
    s->eset = 0;
    memset(s->ec, 0, sizeof s->ec);
    memset(s->sc, 0, sizeof s->sc);
    ILV_BARRIER();
    if (tab && tab != s->st)
        ilv_sys2(SYS_munmap, tab, (uint64_t)(s->tab_mask + 1) * sizeof *tab);
    if (eset && eset != s->edge)
        ilv_sys2(SYS_munmap, eset, (uint64_t)(s->eset_mask + 1) * sizeof *eset);
    if (s->groups)
        ilv_sys2(SYS_munmap, s->groups, ILV_GROUP_N * sizeof *s->groups);
    for (uint32_t i = 0; i < s->nretired; i++)
        ilv_sys2(SYS_munmap, s->retired[i].p, s->retired[i].len);
    s->nretired = 0;
    s->groups = 0;
    s->tab_used = 0;
    s->eset_used = 0;
    memset(s->st, 0, sizeof s->st);
    memset(s->edge, 0, sizeof s->edge);
    ILV_BARRIER();
    s->growing = 0;
}

static inline struct ilv_lstat *stat_cached(struct ilv_lockstate *s, uint64_t obj, int kind)
{
    struct ilv_lstat **c = &s->sc[ilv_lk_sc(obj)];
    struct ilv_lstat *e = *c;
    if (!e || e->obj != obj)
        *c = e = stat_of(obj, kind);
    return e;
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
            /* timed: every contended hold, a thread's first 64, then one in ILV_LK_SAMPLE, picked by
             * a Weyl sequence rather than every 16th: a thread that alternates two locks (a global
             * one and a bucket's) would have had only the even one's holds timed */
            uint32_t a = ++s->acq;
            h->tsc = contended || a <= 64 || (a * 0x9e3779b9u) < 0x100000000ull / ILV_LK_SAMPLE ? ilv_rdtsc() : 0;
        } else {
            s->overflow++;
        }
        return;
    }
    struct ilv_lstat *e = stat_cached(s, obj, kind);
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


void ilv_lk_released(uint64_t obj, int kind)
{
    struct ilv_lockstate *s = &ilv_lk;
    struct ilv_lstat *e;
    uint64_t now = 0; /* the TSC, when read for the hold */
    if (ILV_UNLIKELY(ilv_vw_armed)) { /* ... and these with it */
        if (kind == 1)
            ilv_vw_sem(obj, 0);
        else
            ilv_vw_harvest();
    }
    if (kind == 1) {
        e = stat_cached(s, obj, kind);
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
                now = ilv_rdtsc();
                uint64_t d = now - h->tsc;
                if ((int64_t)d < 0)
                    d = 0;
                e->hold += d;
                e->measured++;
                if (d > e->maxhold)
                    e->maxhold = d;
            }
            for (; i < n; i++)
                s->held[i - 1] = s->held[i];
            s->nheld = n - 1;
        } else if (s->overflow) {
            s->overflow--;
        }
    }
    if (ILV_UNLIKELY(now || (++s->rel & 1023) == 0)) { /* time for a summary? */
        if (!now)
            now = ilv_rdtsc();
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
    stat_cached(s, obj, kind)->handoffs++;
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
/* the last noted release of a mutex: who, when (0: not known) and its number. Written by the
 * releasing thread before its real unlock and read by the waiter after its real lock, so the
 * program's mutex itself orders them: the waiter reads the release that handed the mutex over. */
static struct {
    uint64_t ts;
    int32_t tid;
    uint32_t seq;
} wreg_rel[WREG_N];

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
            if (!ilv_g.lk_waits_seen)
                __atomic_store_n(&ilv_g.lk_waits_seen, 1, __ATOMIC_RELAXED);
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

/* the note in entry i: the release by tid at ts (0: when, and so who, is not known), numbered;
 * only the mutex's holder writes it */
static inline void note_at(unsigned i, int tid, uint64_t ts)
{
    wreg_rel[i].tid = tid;
    wreg_rel[i].ts = ts;
    __atomic_store_n(&wreg_rel[i].seq, wreg_rel[i].seq + 1, __ATOMIC_RELEASE);
}

int32_t ilv_lk_wactive;

/* A written wait for a mutex begins: counted in ilv_lk_wactive, which sends every release of every
 * mutex out of line (wrap_sync.c), where it is noted before the real unlock whenever the mutex has
 * an entry here. Then, for a normal mutex (word: its glibc lock word), the mark: the word is set to
 * 2 by a compare-and-swap while the mutex is held; then the mutex's entry and its count; *seq is
 * the number of the entry's last note then. Why the last note this thread reads once it holds the
 * mutex, if numbered past *seq, names the release that handed it over:
 *  - notes are written under the mutex, so the last one before this thread's acquisition is the
 *    handing release's, if that release was noted;
 *  - a release that was not noted read ilv_lk_wactive before this thread counted itself, so it,
 *    every release before it and their notes came before *seq was read: no note past *seq, and
 *    the wait names nobody (never an older releaser). A release noted with no time names nobody
 *    either; a condition wait notes the release glibc makes inside it.
 * The mark catches most releases already under way when this thread counts itself: a holder that
 * found no waiters releases with a compare-and-swap 1 -> 0, which fails on the mark and sends it
 * out of line, noted. Entries are never removed. Returns 1 when the EXIT may name the releaser; 0:
 * not a normal mutex, or found free at the mark (its holder released before it: maybe unnoted). */
/* the mark (above): 1 when the word was set to 2 while the mutex was held, 0 when found free */
int ilv_lk_mutex_mark(int *word)
{
    int v = __atomic_load_n(word, __ATOMIC_RELAXED);
    for (int k = 0; k < 16 && v != 0; k++) {
        /* 2 is written over 2 too: the mark must be a write in the word's order */
        if (__atomic_compare_exchange_n(word, &v, 2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return 1;
    }
    return 0;
}

int ilv_lk_mutex_wait_begin(uint64_t obj, int *word, uint32_t *seq)
{
    __atomic_add_fetch(&ilv_lk_wactive, 1, __ATOMIC_SEQ_CST);
    int full;
    int32_t *c = wreg_find(obj, 1, &full);
    *seq = 0;
    if (c) {
        __atomic_add_fetch(c, 1, __ATOMIC_SEQ_CST);
        *seq = __atomic_load_n(&wreg_rel[c - wreg_cnt].seq, __ATOMIC_ACQUIRE);
    }
    int marked = word && ilv_lk_mutex_mark(word);
    return marked && c;
}

void ilv_lk_mutex_wait_end(uint64_t obj)
{
    ilv_lk_wait_end(obj);
    if (__atomic_sub_fetch(&ilv_lk_wactive, 1, __ATOMIC_SEQ_CST) < 0)
        __atomic_store_n(&ilv_lk_wactive, 0, __ATOMIC_RELAXED); /* begun before a fork */
}

int ilv_lk_waited_for(uint64_t obj)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    return full || (c && __atomic_load_n(c, __ATOMIC_SEQ_CST) > 0);
}

/* A mutex release on the out-of-line path, before the real unlock (the caller holds the mutex):
 * noted whenever the mutex has an entry. 0: a written wait for it is under way and the release was
 * noted at *ts (the waiter writes who handed the mutex over in its EXIT); 1: the table has no room
 * for this mutex, write the release as a record; -1: nobody's wait is written, count it. The clock
 * is read only for a counted wait: most releases here go to plain waiters, and the hold it would
 * lengthen raises contention. */
int ilv_lk_release_noted(uint64_t obj, int tid, uint64_t *ts)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (full)
        return 1;
    if (!c)
        return -1;
    unsigned i = (unsigned)(c - wreg_cnt);
    if (__atomic_load_n(c, __ATOMIC_SEQ_CST) > 0) {
        *ts = ilv_now();
        note_at(i, tid, *ts);
        return 0;
    }
    note_at(i, tid, 0);
    return -1;
}

/* A release of a mutex that glibc makes inside a condition wait, noted beforehand (the caller holds
 * the mutex) whenever the mutex has an entry; ts: when the caller read the clock anyway, else 0. */
void ilv_lk_note_release(uint64_t obj, int tid, uint64_t ts)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (c)
        note_at((unsigned)(c - wreg_cnt), tid, ts);
}

/* After a written wait acquired the mutex (the caller holds it): the release that handed it over,
 * its thread and *ts its time, when noted after the wait's number seq; 0 when unknown. */
int ilv_lk_handed_by(uint64_t obj, uint32_t seq, uint64_t *ts)
{
    int full;
    int32_t *c = wreg_find(obj, 0, &full);
    if (!c)
        return 0;
    unsigned i = (unsigned)(c - wreg_cnt);
    if (__atomic_load_n(&wreg_rel[i].seq, __ATOMIC_ACQUIRE) == seq || !wreg_rel[i].ts || !wreg_rel[i].tid)
        return 0;
    *ts = wreg_rel[i].ts;
    return wreg_rel[i].tid;
}

/* The written edges: an open-addressed set keyed by both locks, both call sites and both callers,
 * growing like the counters (to ILV_EDGE_MAX); full at that size, an edge not in it is written
 * again each time (as the fixed table did). */
static inline uint64_t mix2(uint64_t a, uint64_t b)
{
    return (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ (b >> 29);
}

static int grow_edges(struct ilv_lockstate *s)
{
    uint32_t cap = s->eset_mask + 1, ncap = cap * 4;
    if (ncap > ILV_EDGE_MAX)
        ncap = ILV_EDGE_MAX;
    struct ilv_edge *nt = map_anon((uint64_t)ncap * sizeof *nt), *t = s->eset;
    if (!nt)
        return 0;
    s->growing = 1;
    ILV_BARRIER();
    uint32_t used = 0;
    for (uint32_t i = 0; i < cap; i++) {
        if (!t[i].held)
            continue;
        unsigned h = lhash(mix2(t[i].held, t[i].taken), ncap - 1);
        while (nt[h].held)
            h = (h + 1) & (ncap - 1);
        nt[h] = t[i];
        used++;
    }
    s->eset = nt;
    s->eset_mask = ncap - 1;
    s->eset_used = used;
    retire(s, t, (uint64_t)cap * sizeof *t, s->edge);
    ILV_BARRIER();
    s->growing = 0;
    return 1;
}

/* 1: this thread wrote the edge already; 0: new (now remembered, when there is room). *slot: its entry
 * in the set, 0 when it is not there. */
static int edge_seen(struct ilv_lockstate *s, uint64_t held, uint64_t taken, uint64_t sites, uint64_t callers,
                     struct ilv_edge **slot)
{
    *slot = 0;
    if (ILV_UNLIKELY(!s->eset)) {
        if (s->growing) /* the thread is ending */
            return 0;
        s->eset_mask = ILV_EDGE_N - 1;
        s->eset = s->edge;
    }
    struct ilv_edge *t = s->eset;
    uint32_t mask = s->eset_mask;
    unsigned h = lhash(mix2(held, taken), mask);
    for (unsigned k = 0; k <= mask; k++) {
        struct ilv_edge *e = &t[(h + k) & mask];
        if (e->held == held && e->taken == taken && e->sites == sites && e->callers == callers) {
            *slot = e;
            return 1;
        }
        if (!e->held) {
            if (ILV_UNLIKELY((s->eset_used + 1) * 4 > (mask + 1) * 3)) {
                if (!s->growing && mask + 1 < ILV_EDGE_MAX && grow_edges(s))
                    return edge_seen(s, held, taken, sites, callers, slot);
                if ((s->eset_used + 1) * 8 > (mask + 1) * 7)
                    return 0; /* no room: written, not remembered */
            }
            e->taken = taken;
            e->sites = sites;
            e->callers = callers;
            ILV_BARRIER();
            e->held = held; /* last: the slot is claimed once complete */
            s->eset_used++;
            *slot = e;
            return 0;
        }
    }
    return 0;
}

/* About to take obj (a blocking mutex lock) while holding others: write each new edge (held lock,
 * obj, both call sites and their callers) once per thread. */
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
        uint64_t sites = mix2(h.ra, ra), callers = mix2(h.ra2, ra2);
        /* a thread taking the same pair over and over: the entry checked last at this depth (one
         * pointer, so a handler replacing it cannot leave half of another edge behind) */
        struct ilv_edge *c = s->ec[i], *slot;
        if (c && c->held == h.obj && c->taken == obj && c->sites == sites && c->callers == callers)
            continue;
        int seen = edge_seen(s, h.obj, obj, sites, callers, &slot);
        s->ec[i] = slot;
        if (seen)
            continue;
        ilv_emit(ILV_HEAD(ILV_T_LOCK_EDGE, ILV_POINT, 0), 0, ilv_now(), ra, h.obj, obj, h.ra, h.ra2, ra2);
    }
}

/* child of fork: its counters start at zero (the parent writes its own), its lock-order edges are
 * new in the new process; the locks the forking thread held stay held in the child */
/* clears n bytes at p only if any is set: right after fork every page the parent wrote is shared
 * copy-on-write, and a write (even of zeros) costs the child a page fault and a page copy; reading
 * it does not. A thread that never took a lock forks with these tables empty (measured: one page
 * fault less per fork of `lockheavy 1 1 0 2000`, 48 -> 47). */
ILV_FORK_PATH static void clear_if_set(void *p, size_t n)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < n / 8; i++) {
        if (w[i]) {
            memset(p, 0, n);
            return;
        }
    }
    for (size_t i = n / 8 * 8; i < n; i++) {
        if (((const char *)p)[i]) {
            memset(p, 0, n);
            return;
        }
    }
}

#define SET_IF_DIFFERENT(x, v) do { if ((x) != (v)) (x) = (v); } while (0)

ILV_FORK_PATH void ilv_lk_after_fork(void)
{
    struct ilv_lockstate *s = &ilv_lk;
    clear_if_set(s->st, sizeof s->st);
    clear_if_set(s->edge, sizeof s->edge);
    clear_if_set(s->ec, sizeof s->ec); /* may point into a retired set, which keeps the parent's edges */
    if (s->tab && s->tab != s->st) /* the mapped tables are the child's own copies: emptied */
        clear_if_set(s->tab, (uint64_t)(s->tab_mask + 1) * sizeof *s->tab);
    if (s->eset && s->eset != s->edge)
        clear_if_set(s->eset, (uint64_t)(s->eset_mask + 1) * sizeof *s->eset);
    SET_IF_DIFFERENT(s->tab_used, 0);
    SET_IF_DIFFERENT(s->eset_used, 0);
    SET_IF_DIFFERENT(s->growing, 0);
    SET_IF_DIFFERENT(s->flushing, 0);
    clear_if_set(s->wn, sizeof s->wn);
    /* the parent's other threads do not exist here: none of their waits is under way. Not even
     * read when the process never registered a wait: its pages may never have been touched, and
     * reading one would fault it in */
    if (ilv_g.lk_waits_seen)
        clear_if_set(wreg_cnt, sizeof wreg_cnt);
    SET_IF_DIFFERENT(ilv_lk_wactive, 0);
    SET_IF_DIFFERENT(s->next_flush, 0);
    clear_if_set(s->sc, sizeof s->sc);
}
