/* Interleave agent: internal interface between the recording core and the wrappers. */
#ifndef ILV_CORE_H
#define ILV_CORE_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <signal.h>
#include "ilv_format.h"

#define ILV_LIKELY(x)   __builtin_expect(!!(x), 1)
#define ILV_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Code that a child runs right after fork and on its way out. A new process has none of the
 * agent's code pages mapped (fork does not copy the page tables of file mappings): each 64 KiB
 * block of code it touches costs a page fault (the kernel maps 16 pages around the one touched).
 * Grouped in one section, this path is one block, not three. */
#define ILV_FORK_PATH __attribute__((section(".text.hot.ilv_fork")))
#define ILV_HIDDEN __attribute__((visibility("hidden")))
#define ILV_BARRIER() __asm__ __volatile__("" ::: "memory")

/* ---- raw system calls: never touch errno, never enter libc ---- */
static inline long ilv_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ __volatile__("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
    return ret;
}
#define ilv_sys0(n) ilv_sys6((n), 0, 0, 0, 0, 0, 0)
#define ilv_sys1(n, a) ilv_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define ilv_sys2(n, a, b) ilv_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define ilv_sys3(n, a, b, c) ilv_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define ilv_sys4(n, a, b, c, d) ilv_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* ---- per-thread recording state (initial-exec TLS: no allocation, signal safe) ---- */
/* The file is mapped in windows of 1 GiB of file offsets (window w = bytes [w GiB, (w+1) GiB));
 * window 0 starts with the header. Slot i is at file offset ILV_HDR_SIZE + 64 i. */
#define ILV_WBITS  30u
#define ILV_WBYTES (1ull << ILV_WBITS)
#define ILV_WSLOTS (ILV_WBYTES / ILV_REC_SIZE)
#define ILV_MAXW   64                        /* max windows per thread file (64 GiB) */

enum { TS_NONE = 0, TS_OPEN = 1, TS_CLOSED = 2, TS_BROKEN = 3 };

/* Where records go: slot idx is written at ptr + 64 idx when first <= idx < cap (the current
 * stretch: a window of the thread's own file, or a chunk of the process's shared thread file).
 * The slow path changes the stretch with gen bumped first, so a writer that a signal handler
 * interrupted while it read the three sees gen changed and asks the slow path. */
/* The cold arrays come first and the fields written by every event last: ilv_t is the last of the
 * agent's thread-local variables (Makefile), so its hot end sits right below the thread pointer,
 * usually on the page of glibc's thread descriptor, which the program writes anyway. */
struct ilv_tstate {
    char path[600];           /* absolute path of the thread file */
    char *wbase[ILV_MAXW];    /* mapping window bases (window 0 may be a small arena window) */
    struct { uint64_t first, cap; uintptr_t ptr; } prev[2]; /* shared: the chunks before (interrupted writers) */
    char *small_win;          /* the small arena window, once window 0 became a 1 GiB one */
    char *thdr;               /* shared: this thread's header in its first chunk */
    uint64_t tkey;            /* shared: file offset of its first chunk */
    uint64_t cbytes;          /* shared: size of the current chunk */
    uint32_t cseq;            /* shared: chunks taken so far */
    int shared;               /* records go to chunks of the shared thread file (below) */
    uint64_t file_slots;      /* slots the file has room for */
    uint64_t lost;            /* events that could not be stored */
    uint64_t create_id;
    int state;
    int owner_pid;            /* pid the state belongs to (fork detection) */
    int fails;
    int creator_tid;
    uint32_t hflags;
    int tid;
    int in_fork;
    uint64_t fork_chunk;      /* a first chunk of the shared thread file taken for the next child this
                               * thread forks (0: none), so the child need not touch the file's header */
    uint32_t gen;             /* bumped whenever first/cap/ptr change */
    uint64_t last_ts;         /* last timestamp handed out in this thread */
    uint64_t first;           /* start of the current stretch */
    uint64_t cap;             /* end of the current stretch (slots < cap are backed and mapped) */
    uintptr_t ptr;            /* address of slot 0 as if the stretch extended down to it */
    uint64_t next;            /* next slot index to reserve (xadd) */
};

extern __thread struct ilv_tstate ilv_t __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;

struct ilv_global {
    volatile int enabled;
    int trace_stdio;
    int debug;
    int pid;
    int ppid;
    int forked;
    uint64_t image_start_ns;
    size_t dirlen;
    char dir[512];
    char maps_file[128];
    uint64_t create_seq;
    unsigned maps_seq;
    int watch_off;            /* INTERLEAVE_TRACE_WATCH=0 */
    int has_rseq;             /* glibc registered rseq: the CPU number is one load away */
    long rseq_off;            /* __rseq_offset: the rseq area's distance from the thread pointer */
    int lk_waits_seen;        /* a wait was ever registered in locks.c's table of waits under way */
    int sys_clock_reads;      /* slow clock reads left that go through a system call (ilv_now_slow) */
};
extern struct ilv_global ilv_g ILV_HIDDEN;

/* ---- timestamps: CLOCK_MONOTONIC ns ----
 * Reading the clock through the vDSO costs ~27 ns on the development VM, more than the rest of an
 * event. So between real clock reads the agent extends the last (tsc, ns) anchor with the TSC:
 * ns = ns0 + (tsc - tsc0) * mult >> 32, one conversion shared by every thread of the process
 * (so ordering across threads is the TSC's order). The anchor is renewed from the real clock as
 * soon as it is older than ILV_ANCHOR_NS, and mult is calibrated against the real clock over the
 * whole life of the process; until the baseline is long enough every read is a real clock read.
 * Readers never wait: a reader that sees an update in progress reads the real clock. */
struct ilv_clock {
    uint64_t seq;      /* odd while being updated */
    uint64_t tsc0;
    uint64_t ns0;
    uint64_t mult;     /* ns per tick, 32.32 fixed point; 0 = not calibrated yet */
    uint64_t limit;    /* ticks after which the anchor is stale */
};
extern struct ilv_clock ilv_clk ILV_HIDDEN;
#define ILV_ANCHOR_NS 100000ull

ILV_HIDDEN uint64_t ilv_now_slow(void);
ILV_HIDDEN uint64_t ilv_tsc_mult(void);

static inline uint64_t ilv_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t ilv_now(void)
{
    uint64_t s = __atomic_load_n(&ilv_clk.seq, __ATOMIC_ACQUIRE);
    uint64_t tsc = ilv_rdtsc();
    uint64_t tsc0 = ilv_clk.tsc0, ns0 = ilv_clk.ns0, mult = ilv_clk.mult, limit = ilv_clk.limit;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint64_t d = tsc - tsc0;
    uint64_t v;
    if (ILV_UNLIKELY((s & 1) || d >= limit || __atomic_load_n(&ilv_clk.seq, __ATOMIC_RELAXED) != s))
        v = ilv_now_slow();
    else
        v = ns0 + ((d * mult) >> 32);
    /* never go back within a thread (anchor renewals may step by a few ns) */
    uint64_t last = ilv_t.last_ts;
    if (ILV_UNLIKELY(v < last))
        return last;
    ilv_t.last_ts = v;
    return v;
}

static inline uint64_t ilv_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* the argument watchpoint of this thread (watch.c) */
struct ilv_watch {
    int armed;                /* a sample may arrive: ilv_emit polls */
    int fd;
    uint64_t addr;
    void *ring;
};
extern __thread struct ilv_watch ilv_w __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
ILV_HIDDEN void ilv_watch_poll(void);
ILV_HIDDEN void ilv_watch_arm(const void *addr, uint64_t ts);
struct perf_event_attr;
ILV_HIDDEN void ilv_bp_attr(struct perf_event_attr *at, uint64_t addr, uint32_t len);
ILV_HIDDEN void ilv_watch_warm(const void *addr);
ILV_HIDDEN void ilv_watch_end(void);
ILV_HIDDEN void ilv_watch_forget(void);
ILV_HIDDEN int ilv_on_own_stack(const void *p);

/* watched shared variables (varwatch.c) */
extern __thread int ilv_vw_armed __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
ILV_HIDDEN void ilv_vw_init(const char *exe, size_t exelen);
ILV_HIDDEN void ilv_vw_arm_thread(void);
ILV_HIDDEN void ilv_vw_harvest(void);
ILV_HIDDEN void ilv_vw_sem(uint64_t sem, int acquired);
ILV_HIDDEN void ilv_vw_end(void);
ILV_HIDDEN void ilv_vw_forget(void);
ILV_HIDDEN int ilv_vw_active(void);

ILV_HIDDEN struct ilv_rec *ilv_slow_reserve(struct ilv_tstate *t, uint64_t idx);
ILV_HIDDEN void ilv_emit_unmapped(struct ilv_tstate *t, uint64_t idx, const struct ilv_rec *r);

#define ILV_HEAD(type, phase, flags) \
    ((uint32_t)(type) | ((uint32_t)(phase) << 16) | ((uint32_t)(uint8_t)(flags) << 24))

/* Store one record. Returns its slot index. Async-signal-safe and reentrant:
 * slot reserved with one (non-interruptible) xadd, filled, commit word stored last. */
static inline __attribute__((always_inline)) uint64_t
ilv_emit_raw(uint32_t head, int32_t err, uint64_t ts, uint64_t ra,
             uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct ilv_tstate *t = &ilv_t;
    uint64_t idx = 1;
    __asm__ __volatile__("xaddq %0, %1" : "+r"(idx), "+m"(t->next) : : "memory");
    struct ilv_rec *r;
    uint32_t gen = t->gen;
    ILV_BARRIER();
    uint64_t first = t->first, cap = t->cap;
    uintptr_t base = t->ptr;
    ILV_BARRIER();
    if (ILV_LIKELY(idx < cap && idx >= first && t->gen == gen)) {
        r = (struct ilv_rec *)(base + (idx << 6));
    } else {
        r = ilv_slow_reserve(t, idx);
        if (ILV_UNLIKELY(!r)) {
            struct ilv_rec tmp = {(uint16_t)head, (uint8_t)(head >> 16), (uint8_t)(head >> 24),
                                  err, ts, ra, {a0, a1, a2, a3, a4}};
            ilv_emit_unmapped(t, idx, &tmp);
            return idx;
        }
    }
    r->err = err;
    r->ts = ts;
    r->ra = ra;
    r->a[0] = a0;
    r->a[1] = a1;
    r->a[2] = a2;
    r->a[3] = a3;
    r->a[4] = a4;
    __atomic_store_n((uint32_t *)r, head, __ATOMIC_RELEASE);
    return idx;
}

/* ---- the CPU a thread runs on: a CPU record after an event when it differs from the last one ---- */
extern __thread uint32_t ilv_cpu_last __attribute__((tls_model("initial-exec"))) ILV_HIDDEN; /* cpu + 1, 0 none */
ILV_HIDDEN uint32_t ilv_cpu_slow(void);
ILV_HIDDEN void ilv_cpu_changed(uint64_t owner, uint64_t ts, uint32_t cpu1);

/* cpu + 1 (0 = unknown). With rseq (glibc 2.35+) the kernel keeps the number in the thread's rseq
 * area: one load, no system call. */
static inline uint32_t ilv_cpu1(void)
{
    if (ILV_LIKELY(ilv_g.has_rseq)) {
        int32_t c = *(volatile int32_t *)((char *)__builtin_thread_pointer() + ilv_g.rseq_off + 4);
        if (ILV_LIKELY(c >= 0))
            return (uint32_t)c + 1;
    }
    return ilv_cpu_slow();
}

/* Record one event (and, first, a pending argument-watch sample; after it, the CPU if it changed). */
static inline __attribute__((always_inline)) uint64_t
ilv_emit(uint32_t head, int32_t err, uint64_t ts, uint64_t ra,
         uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    if (ILV_UNLIKELY(ilv_w.armed))
        ilv_watch_poll();
    uint64_t idx = ilv_emit_raw(head, err, ts, ra, a0, a1, a2, a3, a4);
    uint32_t c = ilv_cpu1();
    if (ILV_UNLIKELY(c != ilv_cpu_last))
        ilv_cpu_changed(idx, ts, c);
    return idx;
}

ILV_HIDDEN void ilv_emit_string(uint64_t owner, uint64_t ts, int key, const void *data, size_t len, int truncated);
ILV_HIDDEN void ilv_emit_argv(uint64_t owner, uint64_t ts, int key, char *const argv[]);
ILV_HIDDEN void ilv_thread_close(void);
ILV_HIDDEN void ilv_exit_file(void);
ILV_HIDDEN void ilv_handover_files(int uid);
ILV_HIDDEN void ilv_child_after_fork(int parent_pid);
ILV_HIDDEN void ilv_create_file_blocked(void);
ILV_HIDDEN void ilv_arena_before_fork(void);
ILV_HIDDEN void ilv_sf_before_fork(void);
ILV_HIDDEN size_t ilv_copy_user(void *dst, const void *src, size_t n);
ILV_HIDDEN int ilv_read_bytes(const void *addr, uint64_t out[2]);
ILV_HIDDEN void ilv_block_all(sigset_t *old);
ILV_HIDDEN void ilv_restore(const sigset_t *old);
ILV_HIDDEN void ilv_debug(const char *msg, long val);
ILV_HIDDEN void ilv_init_wrappers(void);

#endif
