/* Interleave agent: compact lock events (held-lock set, per-lock counters, lock-order edges).
 *
 * An uncontended acquisition or release writes no record: the thread keeps the locks it holds and
 * counters per lock in thread-local memory, and writes what a reader needs:
 *  - contended waits (ENTER/EXIT of the blocking call, with the holder's tid when the mutex says):
 *    per thread and lock the first ILV_WAITS_WRITTEN, and every wait longer than ILV_LONG_WAIT_NS
 *    (so a wait that never ends, a deadlock, is always written); the other, short waits are only
 *    counted (LOCK_WAITS: number, total and longest wait);
 *  - for a mutex, the release that ended a written wait: its thread and time in the waiter's
 *    EXIT, exact or none (the releaser notes its release in a shared table on the out-of-line
 *    path, which a written wait forces: see ilv_lk_mutex_wait_begin);
 *    for a semaphore, the posts while a written wait is under way; other releases and posts
 *    to waiters are counted in LOCK_WAITS;
 *  - LOCK_EDGE the first time this thread takes lock B while holding lock A from these call sites
 *    (a set that grows with the program's distinct edges, so each is written once per thread);
 *  - LOCK_STATS per lock: acquisitions, total and longest hold (sampled, see ILV_LK_SAMPLE), waits,
 *    failed trylocks, about every ILV_LK_PERIOD_NS and when the thread ends. The table of counters
 *    grows with the locks a thread uses (no record per eviction); when more than ILV_GROUP_MIN
 *    locks of one window share their first call site (memcached's 8,192 item locks, all taken in
 *    item_lock()), they are summarized together: one LOCK_STATS (flag 4) and one LOCK_GROUP with
 *    the lowest and highest address and the number of locks, so a summary is a few records, not
 *    one per lock.
 * All state is per thread (no locks, no atomics on the hot path); a signal handler that interrupts
 * an update can at worst spoil one counter or one edge's call site, never an index. Inside the
 * critical section (between the real lock and unlock) the agent only pushes the held entry; the
 * counters are updated after the real unlock, so the program's hold times stay what they were. */
#ifndef ILV_LOCKS_H
#define ILV_LOCKS_H
#include "core.h"

#define ILV_HELD_MAX   16u   /* locks held at once that are tracked (deeper nesting: not tracked) */
#define ILV_LSTAT_N    32u   /* counters kept in the thread's own TLS table; more locks: a mapped table */
#define ILV_LSTAT_MAX  (1u << 16) /* largest table (7 MiB); beyond: the home entry is written and reused */
#define ILV_EDGE_N     64u   /* lock-order edges in the TLS set; more: a mapped set that grows */
#define ILV_EDGE_MAX   (1u << 18) /* largest edge set (8 MiB); beyond: some edges are written again */
#define ILV_GROUP_MIN  8u    /* more locks than this sharing a call site in a window: one summary */
#define ILV_GROUP_N    64u   /* call sites told apart in one summary (the rest: one group with site 0) */
#define ILV_RETIRED_N  24u   /* outgrown tables kept mapped until the thread ends (see locks.c) */
#define ILV_LK_PERIOD_NS 200000000ull
/* Hold times are measured on one acquisition in ILV_LK_SAMPLE (and on every contended one, and on a
 * thread's first 64): reading
 * the TSC costs ~35 ns on the virtual machines this was measured on, twice an uncontended
 * lock/unlock pair, so timing every hold tripled the cost of a lock-heavy program. */
#define ILV_LK_SAMPLE 16u
/* Waits: the first ILV_WAITS_WRITTEN contended acquisitions of a lock in a thread are written with
 * both call sites and the holder; later ones first wait at most ILV_LONG_WAIT_NS (a timed lock), and
 * only a wait that lasts longer is written (its ENTER with the time the wait began). 1 ms: in
 * bench/lockheavy.c on 2 busy cores the counted waits averaged 7-30 µs (the holder's critical
 * section) and the written long ones 20-30 ms (a holder preempted for a time slice): the two kinds
 * lie far on either side of it, and the long kind is the one a reader wants to see. */
#define ILV_WAITS_WRITTEN 8u
#define ILV_LONG_WAIT_NS 1000000ull
#define ILV_WN_N 32u          /* locks per thread whose written waits are counted (more: evicted) */
#define ILV_SC_N 8u           /* recently used counters found without a table lookup */
#define ILV_C2_N 8u           /* call sites whose caller's position is found without a lookup */


struct ilv_lstat {
    uint64_t obj;       /* 0 = free */
    uint64_t n;         /* acquisitions */
    uint64_t hold;      /* total of the measured holds, TSC ticks (semaphores: posts) */
    uint64_t maxhold;   /* longest measured hold, TSC ticks */
    uint64_t measured;  /* holds measured */
    uint64_t ra;        /* first call site in this window */
    uint32_t waits;     /* contended acquisitions */
    uint32_t tryfail;   /* failed trylocks */
    uint32_t kind;      /* 0 mutex, 1 semaphore */
    uint32_t handoffs;  /* releases (posts) to waiters that were not written */
    uint64_t swaits;    /* contended acquisitions that were counted, not written */
    uint64_t swait_ns;  /* their total wait, ns */
    uint64_t swait_max; /* their longest wait, ns */
};

struct ilv_edge {               /* a lock-order edge already written by this thread */
    uint64_t held, taken;       /* held 0: free slot */
    uint64_t sites, callers;    /* both call sites, both callers (mixed) */
};

struct ilv_group {              /* locks of one window summarized at one call site */
    uint64_t ra, lo, hi;        /* ra 0 and nlocks 0: free */
    uint64_t nlocks, n, posts, ticks, measured, maxticks, swaits, swait_ns, swait_max;
    uint64_t waits, tryfail, handoffs;
    uint32_t kind, pad;
};

struct ilv_held {
    uint64_t obj, tsc, ra, ra2; /* tsc 0: this hold is not timed */
    uint32_t contended;         /* the acquisition waited: 1 written, 2 counted (wait_ns) */
    uint32_t pad;
    uint64_t wait_ns;           /* contended 2: how long it waited */
};

struct ilv_wn {                 /* written waits of one lock in this thread */
    uint64_t obj;
    uint64_t n;
};

struct ilv_lockstate {
    uint32_t nheld;
    uint32_t overflow;          /* pushes beyond ILV_HELD_MAX not recorded (their pops are ignored) */
    uint64_t next_flush;        /* TSC value of the next periodic summary (0 = not scheduled yet) */
    uint32_t acq;               /* acquisitions of this thread: every ILV_LK_SAMPLE-th hold is timed */
    uint32_t rel;               /* releases: the clock is looked at every 1024th */
    struct ilv_lstat *sc[ILV_SC_N]; /* counters of recently used locks, by a hash of the address
                                     * (programs mostly take one or a few locks over and over) */
    uint64_t stack_hi;          /* an address in the thread's outermost traced frame (scan bound) */
    uint64_t c2[ILV_C2_N];      /* call sites this thread looked up a caller for, by a hash of ra:
                                 * ra << 16 | (word index above the frame + 1), or | ILV_C2_NONE */
    struct ilv_held held[ILV_HELD_MAX];
    struct ilv_edge *ec[ILV_HELD_MAX]; /* per depth: the edge from the lock held there that this thread
                                        * checked last (an entry of the edge set: written once, stays) */
    struct ilv_lstat *tab;      /* the counters: st, or a mapped table once st filled up (0: not yet) */
    uint32_t tab_mask, tab_used;
    struct ilv_edge *eset;      /* the written edges: edge, or a mapped set (0: not yet) */
    uint32_t eset_mask, eset_used;
    uint32_t growing;           /* a table is being rehashed: a nested handler must not grow it too */
    uint32_t flushing;          /* a summary is being written: a nested handler's flush waits for the next */
    uint32_t nretired;
    struct { void *p; uint64_t len; } retired[ILV_RETIRED_N];
    struct ilv_group *groups;   /* ILV_GROUP_N entries, mapped with the first grown table */
    struct ilv_lstat st[ILV_LSTAT_N];
    struct ilv_edge edge[ILV_EDGE_N];
    struct ilv_wn wn[ILV_WN_N];
};

extern __thread struct ilv_lockstate ilv_lk __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
extern uint64_t ilv_text_lo ILV_HIDDEN, ilv_text_hi ILV_HIDDEN; /* the program's code (ilv_caller2) */
#define ILV_C2_NONE 0xffffu

ILV_HIDDEN uint64_t ilv_caller2(const void *frame, uint64_t ra);
ILV_HIDDEN void ilv_lk_acquired(uint64_t obj, uint64_t ra, uint64_t ra2, int kind, int contended);
ILV_HIDDEN void ilv_lk_edges(uint64_t obj, uint64_t ra, uint64_t ra2);
ILV_HIDDEN void ilv_lk_acquired_counted(uint64_t obj, uint64_t ra, uint64_t ra2, int kind, uint64_t wait_ns);
ILV_HIDDEN int ilv_lk_write_wait(uint64_t obj);
ILV_HIDDEN void ilv_lk_wait_begin(uint64_t obj);
ILV_HIDDEN void ilv_lk_wait_end(uint64_t obj);
ILV_HIDDEN int ilv_lk_mutex_wait_begin(uint64_t obj, int *word, uint32_t *seq);
ILV_HIDDEN int ilv_lk_mutex_mark(int *word);
ILV_HIDDEN void ilv_lk_mutex_wait_end(uint64_t obj);
ILV_HIDDEN int ilv_lk_waited_for(uint64_t obj);
ILV_HIDDEN int ilv_lk_release_noted(uint64_t obj, int tid, uint64_t *ts);
ILV_HIDDEN void ilv_lk_note_release(uint64_t obj, int tid, uint64_t ts);
/* written mutex waits under way in the process: while there are any, every mutex release takes
 * the out-of-line path (wrap_sync.c), so the release a waiter gets is noted */
extern int32_t ilv_lk_wactive ILV_HIDDEN;
ILV_HIDDEN int ilv_lk_handed_by(uint64_t obj, uint32_t seq, uint64_t *ts);
ILV_HIDDEN void ilv_lk_released(uint64_t obj, int kind);
ILV_HIDDEN void ilv_lk_handoff_counted(uint64_t obj, int kind);
ILV_HIDDEN void ilv_lk_tryfail(uint64_t obj, int kind);
ILV_HIDDEN void ilv_lk_flush(void);
ILV_HIDDEN void ilv_lk_thread_end(void);
ILV_HIDDEN void ilv_lk_after_fork(void);
ILV_HIDDEN void ilv_lk_init(void);

/* the thread's outermost traced frame: frames above it are not scanned for a caller */
static inline void ilv_lk_stack_top(const void *p)
{
    ilv_lk.stack_hi = (uint64_t)(uintptr_t)p;
    __builtin_memset(ilv_lk.c2, 0, sizeof ilv_lk.c2);
}

/* ---- the common case, inline in the wrappers ----
 * A lock-heavy program mostly takes one lock from one call site, over and over, with nothing else
 * held. These paths handle exactly that in a few loads and stores and hand everything else to the
 * functions in locks.c, which do the same bookkeeping in general. */

static inline unsigned ilv_lk_c2(uint64_t ra)
{
    return (unsigned)((ra * 0x9e3779b97f4a7c15ull) >> 61) & (ILV_C2_N - 1);
}

/* ilv_caller2 for a call site this thread looked up recently: one word read. The frame layout at a
 * call site is fixed, so the position found once holds; the word is read only below the thread's
 * outermost traced frame (its live stack) and must still point into the program's code. */
static inline __attribute__((always_inline)) uint64_t ilv_lk_caller2(const void *frame, uint64_t ra)
{
    struct ilv_lockstate *s = &ilv_lk;
    uint64_t c = s->c2[ilv_lk_c2(ra)]; /* one load: a handler updating it cannot mix two sites */
    if (ILV_LIKELY((c >> 16) == ra)) {
        uint64_t k = c & 0xffff;
        if (k == ILV_C2_NONE)
            return 0;
        uint64_t at = (uint64_t)(uintptr_t)frame + 8 + 8 * k; /* word k - 1 above the saved rbp and ra */
        uint64_t hi = s->stack_hi; /* on this thread's stack (not a signal stack far from it) */
        if (ILV_LIKELY(k && at + 8 <= hi && hi - at < (64u << 20))) {
            uint64_t w = *(const uint64_t *)(uintptr_t)at;
            if (ILV_LIKELY(w >= ilv_text_lo + 8 && w < ilv_text_hi))
                return w;
        }
    }
    return ilv_caller2(frame, ra);
}

static inline unsigned ilv_lk_sc(uint64_t obj)
{
    return (unsigned)((obj * 0x9e3779b97f4a7c15ull) >> 61) & (ILV_SC_N - 1);
}

/* a mutex acquired without waiting: only the held entry is written (inside the critical section:
 * as little as possible); counted when released */
static inline __attribute__((always_inline)) void ilv_lk_push(uint64_t obj, uint64_t ra, uint64_t ra2)
{
    struct ilv_lockstate *s = &ilv_lk;
    uint32_t i = s->nheld;
    if (ILV_UNLIKELY(i >= ILV_HELD_MAX || ilv_vw_armed)) {
        ilv_lk_acquired(obj, ra, ra2, 0, 0);
        return;
    }
    s->nheld = i + 1; /* claim the entry first: a nested handler pushes above it */
    ILV_BARRIER();
    struct ilv_held *h = &s->held[i];
    h->obj = obj;
    h->ra = ra;
    h->ra2 = ra2;
    h->contended = 0;
    /* timed: a thread's first 64 holds, then one in ILV_LK_SAMPLE, picked by a Weyl sequence rather
     * than every 16th (a thread alternating two locks would have had only one lock's holds timed) */
    uint32_t a = ++s->acq;
    h->tsc = a <= 64 || a * 0x9e3779b9u < 0x100000000ull / ILV_LK_SAMPLE ? ilv_rdtsc() : 0;
}

/* a mutex released (after the real unlock): the common case is the innermost held lock, not timed,
 * not waited for, whose counters were used recently; anything else goes to ilv_lk_released */
static inline __attribute__((always_inline)) void ilv_lk_pop(uint64_t obj)
{
    struct ilv_lockstate *s = &ilv_lk;
    uint32_t n = s->nheld - 1;
    struct ilv_lstat *e = s->sc[ilv_lk_sc(obj)];
    if (ILV_LIKELY(n < ILV_HELD_MAX && e && e->obj == obj && !ilv_vw_armed)) {
        struct ilv_held *h = &s->held[n];
        uint32_t r = s->rel + 1; /* every 1024th release looks at the clock (ilv_lk_released) */
        if (ILV_LIKELY(h->obj == obj && !h->tsc && !h->contended && e->ra && (r & 1023) != 0)) {
            s->rel = r;
            e->n++;
            s->nheld = n;
            return;
        }
    }
    ilv_lk_released(obj, 0);
}

/* a semaphore taken without waiting: counted at once (a semaphore has no held entry) */
static inline __attribute__((always_inline)) void ilv_lk_sem_taken(uint64_t obj, uint64_t ra)
{
    struct ilv_lstat *e = ilv_lk.sc[ilv_lk_sc(obj)];
    if (ILV_LIKELY(e && e->obj == obj && e->ra && !ilv_vw_armed)) {
        e->n++;
        return;
    }
    ilv_lk_acquired(obj, ra, 0, 1, 0);
}

/* a semaphore posted (after the real post, which succeeded; with no watched variables, whose
 * accesses must be collected before) */
static inline __attribute__((always_inline)) void ilv_lk_sem_posted(uint64_t obj)
{
    struct ilv_lockstate *s = &ilv_lk;
    struct ilv_lstat *e = s->sc[ilv_lk_sc(obj)];
    uint32_t r = s->rel + 1;
    if (ILV_LIKELY(e && e->obj == obj && (r & 1023) != 0)) {
        s->rel = r;
        e->hold++; /* posts */
        return;
    }
    ilv_lk_released(obj, 1);
}

#endif
