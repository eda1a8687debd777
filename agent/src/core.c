/* Interleave agent: recording core.
 *
 * Every thread writes its own file RUN_DIR/<pid>-<tid>[.n].trace through a MAP_SHARED mapping.
 * The hot path (ilv_emit in core.h) is: xadd the slot index, check it against the mapped
 * capacity, fill 64 bytes, store the commit word. Everything else (creating the file, growing
 * it, mapping windows, writing after the thread closed its mapping) is here, runs with all
 * signals blocked, and uses raw system calls only: no malloc, no stdio, no locks, errno untouched. */
#include "core.h"
#include "locks.h"
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <errno.h>

__thread struct ilv_tstate ilv_t __attribute__((tls_model("initial-exec")));
struct ilv_global ilv_g;
/* limit 0: every read is a real clock read. Page-aligned: the process-wide state that a child
 * writes right after fork (this, ilv_g, sf, the arena's) is defined from here on and so shares one
 * page, one copy-on-write fault (ILV_FORK_PATH) */
struct ilv_clock ilv_clk __attribute__((aligned(4096))) = {0, 0, 0, 0, 0};
static uint64_t calib_tsc, calib_ns;       /* start of the calibration baseline */

/* CLOCK_MONOTONIC or CLOCK_REALTIME through a system call, not the vDSO: for a process just
 * forked, whose first vDSO and libc clock calls would each cost a page fault (the pages of their
 * code are not mapped in the new process until touched), a few times the system call */
ILV_FORK_PATH static uint64_t clock_sys_ns(int id)
{
    struct timespec ts;
    ilv_sys2(SYS_clock_gettime, id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* a real clock reading ns taken between TSC reads t1 and t2: renews the shared anchor when
 * nobody else does, and the calibration with it unless keep_mult (the child of a fork keeps its
 * parent's: the division is libgcc code on a page of its own, ILV_FORK_PATH) */
ILV_FORK_PATH static uint64_t anchor_renew(uint64_t t1, uint64_t ns, uint64_t t2, int keep_mult)
{
    uint64_t tsc = t1 + (t2 - t1) / 2;
    uint64_t s = __atomic_load_n(&ilv_clk.seq, __ATOMIC_RELAXED);
    if ((s & 1) || t2 - t1 > 20000 || !calib_tsc)
        return ns; /* update in progress (maybe the code we interrupted) or a disturbed read */
    if (!__atomic_compare_exchange_n(&ilv_clk.seq, &s, s + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return ns;
    uint64_t mult = 0, limit = 0;
    if (keep_mult) {
        mult = ilv_clk.mult;
        limit = ilv_clk.limit;
    } else if (tsc > calib_tsc && ns > calib_ns + 2000000) { /* baseline of at least 2 ms */
        unsigned __int128 m = ((unsigned __int128)(ns - calib_ns) << 32) / (tsc - calib_tsc);
        mult = (uint64_t)m;
        if (mult)
            limit = (ILV_ANCHOR_NS << 32) / mult;
    }
    ilv_clk.tsc0 = tsc;
    ilv_clk.ns0 = ns;
    ilv_clk.mult = mult;
    ilv_clk.limit = limit;
    __atomic_store_n(&ilv_clk.seq, s + 2, __ATOMIC_RELEASE);
    return ns;
}

/* real clock read, paired with the TSC. The first few in a child just forked (ilv_g.sys_clock_reads)
 * are system calls (clock_sys_ns) and keep the parent's calibration: most children of a fork-heavy
 * program read the clock once or twice before they exit or exec, and the vDSO's first use, or the
 * division's, would cost them more than all of those calls. */
ILV_FORK_PATH uint64_t ilv_now_slow(void)
{
    uint64_t t1 = ilv_rdtsc();
    if (ILV_UNLIKELY(ilv_g.sys_clock_reads)) {
        ilv_g.sys_clock_reads--;
        uint64_t ns = clock_sys_ns(CLOCK_MONOTONIC);
        return anchor_renew(t1, ns, ilv_rdtsc(), 1);
    }
    uint64_t ns = ilv_clock_ns();
    return anchor_renew(t1, ns, ilv_rdtsc(), 0);
}

/* ns per TSC tick (32.32) for converting durations: the shared calibration, or in the first
 * milliseconds of a process (before there is one) a rough one from the start-up baseline */
uint64_t ilv_tsc_mult(void)
{
    uint64_t mult = ilv_clk.mult;
    if (mult || !calib_tsc)
        return mult;
    uint64_t tsc = ilv_rdtsc(), ns = ilv_clock_ns();
    if (tsc <= calib_tsc || ns < calib_ns + 20000)
        return 0;
    return (uint64_t)((((unsigned __int128)(ns - calib_ns)) << 32) / (tsc - calib_tsc));
}

static void clock_init(void)
{
    /* only with an invariant TSC (CPUID 0x80000007 EDX bit 8); otherwise every read is real */
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
    if (a < 0x80000007u)
        return;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u), "c"(0));
    if (!(d & (1u << 8)))
        return;
    uint64_t t1 = ilv_rdtsc();
    uint64_t ns = ilv_clock_ns();
    uint64_t t2 = ilv_rdtsc();
    calib_ns = ns;
    calib_tsc = t1 + (t2 - t1) / 2;
}

/* the first chunk fills the header's page: (4096 - 256) / 64 = 60 slots */
#define INIT_SLOTS  ((4096ull - ILV_HDR_SIZE) / ILV_REC_SIZE)
/* growth steps double up to MAX_CHUNK slots (2 MiB): what a live thread has preallocated and not
 * written yet stays small, and is given back when the thread ends or the process exits */
#define MAX_CHUNK   32768ull
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* ---------------------------------------------------------------- small helpers */

static size_t ilv_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* append decimal of v to buf at *pos (bounded by cap) */
static void put_dec(char *buf, size_t *pos, size_t cap, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && *pos + 1 < cap)
        buf[(*pos)++] = tmp[--n];
    buf[*pos] = 0;
}

static void put_str(char *buf, size_t *pos, size_t cap, const char *s)
{
    while (*s && *pos + 1 < cap)
        buf[(*pos)++] = *s++;
    buf[*pos] = 0;
}

void ilv_debug(const char *msg, long val)
{
    if (!ilv_g.debug)
        return;
    char b[256];
    size_t p = 0;
    put_str(b, &p, sizeof b, "interleave-agent[");
    put_dec(b, &p, sizeof b, (uint64_t)ilv_sys0(SYS_getpid));
    put_str(b, &p, sizeof b, "]: ");
    put_str(b, &p, sizeof b, msg);
    put_str(b, &p, sizeof b, " ");
    if (val < 0) {
        put_str(b, &p, sizeof b, "-");
        val = -val;
    }
    put_dec(b, &p, sizeof b, (uint64_t)val);
    put_str(b, &p, sizeof b, "\n");
    ilv_sys3(SYS_write, 2, b, p);
}

static const uint64_t all_signals = ~0ull;

ILV_FORK_PATH void ilv_block_all(sigset_t *old)
{
    ilv_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all_signals, old, 8);
}

ILV_FORK_PATH void ilv_restore(const sigset_t *old)
{
    ilv_sys4(SYS_rt_sigprocmask, SIG_SETMASK, old, 0, 8);
}

static uint64_t now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* grow the file behind fd from `from` to `to` slots; zero-filled, never shrinks */
static int file_extend(int fd, uint64_t from, uint64_t to)
{
    long off = (long)(ILV_HDR_SIZE + from * ILV_REC_SIZE);
    long len = (long)((to - from) * ILV_REC_SIZE);
    long r = ilv_sys4(SYS_fallocate, fd, 0, off, len);
    if (r == 0)
        return 0;
    if (r == -ENOSPC || r == -EDQUOT || r == -EFBIG)
        return -1;
    /* file system without fallocate: sparse extension (only ever grows: signals are blocked
     * and nobody else writes this file) */
    r = ilv_sys2(SYS_ftruncate, fd, off + len);
    return r == 0 ? 0 : -1;
}

static uint64_t next_size(uint64_t slots, uint64_t idx)
{
    while (slots <= idx) {
        uint64_t chunk = slots < MAX_CHUNK ? slots : MAX_CHUNK;
        slots += chunk;
    }
    return slots;
}

static inline char *slot_ptr(struct ilv_tstate *t, uint64_t idx)
{
    uint64_t off = ILV_HDR_SIZE + idx * ILV_REC_SIZE;
    return t->wbase[off >> ILV_WBITS] + (off & (ILV_WBYTES - 1));
}

/* change the stretch the fast path writes to (signals blocked, or the thread's own code with no
 * record under way): gen first, so an interrupted writer that read part of the old values retries */
static void set_cur(struct ilv_tstate *t, uint64_t first, uint64_t cap, uintptr_t ptr)
{
    t->gen++;
    ILV_BARRIER();
    t->cap = 0;
    ILV_BARRIER();
    t->first = first;
    t->ptr = ptr;
    ILV_BARRIER();
    t->cap = cap;
    ILV_BARRIER();
}

/* own file: the stretch is the part of slot idx's mapping window that the file backs */
static void cur_window(struct ilv_tstate *t, uint64_t idx)
{
    uint64_t w = (ILV_HDR_SIZE + idx * ILV_REC_SIZE) >> ILV_WBITS;
    uint64_t first = w ? ((w << ILV_WBITS) - ILV_HDR_SIZE) / ILV_REC_SIZE : 0;
    uint64_t end = (((w + 1) << ILV_WBITS) - ILV_HDR_SIZE) / ILV_REC_SIZE;
    uint64_t cap = t->file_slots < end ? t->file_slots : end;
    set_cur(t, first, cap, (uintptr_t)t->wbase[w] + ILV_HDR_SIZE - (w << ILV_WBITS));
}

/* ---------------------------------------------------------------- small first windows
 * A thread's file is first mapped through a small window (ARENA_WBYTES: the header and the
 * first ARENA_SLOTS slots) packed into one process-wide reservation of ARENA_N such windows
 * (PROT_NONE, no memory); only a thread that records more gets a 1 GiB window (then the small one
 * stays mapped until the thread ends). Why: taking the written pages of a shared mapping out of
 * the page tables makes the kernel flush the TLB of the other cores running the process (an IPI)
 * once per page table with written pages, and unmapping a thread's window when it ended was the
 * main cost of a thread-per-connection server. Now a finished thread's small window is not
 * unmapped: it is marked finished and stays mapped over its finished file (nothing writes it
 * again; later events of that thread go through pwrite, as before). When no free window is left,
 * every run of adjacent finished windows is given back with ONE mmap(PROT_NONE, MAP_FIXED):
 * 32 windows share a page table, so one flush covers up to 32 threads. Slot states change with
 * atomics only (lock-free; the give-back is serialized by a try-lock, and a thread that finds
 * neither a free window nor the lock maps a 1 GiB window outside, as before). Everything here
 * runs with signals blocked. */
#define ARENA_WBYTES 65536ull
#define ARENA_SLOTS ((ARENA_WBYTES - ILV_HDR_SIZE) / ILV_REC_SIZE)
#define ARENA_N 256u
enum { SL_FREE = 0, SL_USED = 1, SL_DONE = 2, SL_BUSY = 3, SL_BAD = 4 };
static char *arena_base;            /* 0 = not reserved yet, (char *)-1 = no arena */
static uint8_t arena_st[ARENA_N];
static unsigned arena_hint, arena_done;
static int arena_lock;

static int in_arena(const char *p)
{
    char *b = __atomic_load_n(&arena_base, __ATOMIC_ACQUIRE);
    return b && b != (char *)-1 && p >= b && p < b + (uint64_t)ARENA_N * ARENA_WBYTES;
}

static char *arena_reserve(void)
{
    char *b = __atomic_load_n(&arena_base, __ATOMIC_ACQUIRE);
    if (b)
        return b;
    long p = ilv_sys6(SYS_mmap, 0, (long)((uint64_t)ARENA_N * ARENA_WBYTES), PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    char *nb = (p < 0 && p > -4096) ? (char *)-1 : (char *)p;
    char *exp = 0;
    if (!__atomic_compare_exchange_n(&arena_base, &exp, nb, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (nb != (char *)-1)
            ilv_sys2(SYS_munmap, nb, (uint64_t)ARENA_N * ARENA_WBYTES); /* never touched: no flush */
        nb = exp;
    }
    return nb;
}

/* give every run of finished slots back to the reservation; 1 if anything was reclaimed */
static int arena_reclaim(void)
{
    int z = 0, got = 0;
    if (!__atomic_compare_exchange_n(&arena_lock, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return 0;
    char *b = arena_base;
    for (unsigned i = 0; i < ARENA_N;) {
        unsigned j = i;
        for (; j < ARENA_N; j++) {
            uint8_t d = SL_DONE;
            if (!__atomic_compare_exchange_n(&arena_st[j], &d, SL_BUSY, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                break;
        }
        if (j == i) {
            i++;
            continue;
        }
        long p = ilv_sys6(SYS_mmap, (long)(b + (uint64_t)i * ARENA_WBYTES), (long)((uint64_t)(j - i) * ARENA_WBYTES),
                          PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        uint8_t st = (p < 0 && p > -4096) ? SL_BAD : SL_FREE;
        __atomic_sub_fetch(&arena_done, j - i, __ATOMIC_RELAXED);
        for (unsigned k = i; k < j; k++)
            __atomic_store_n(&arena_st[k], st, __ATOMIC_RELEASE);
        got |= st == SL_FREE;
        i = j;
    }
    __atomic_store_n(&arena_lock, 0, __ATOMIC_RELEASE);
    return got;
}

/* map the start of fd into a free small window; 0 when there is none (caller maps elsewhere) */
static char *arena_map(int fd)
{
    char *b = arena_reserve();
    if (b == (char *)-1)
        return 0;
    for (int round = 0; round < 2; round++) {
        unsigned h = __atomic_fetch_add(&arena_hint, 1, __ATOMIC_RELAXED);
        for (unsigned i = 0; i < ARENA_N; i++) {
            unsigned s = (h + i) % ARENA_N;
            uint8_t f = SL_FREE;
            if (__atomic_load_n(&arena_st[s], __ATOMIC_RELAXED) != SL_FREE ||
                !__atomic_compare_exchange_n(&arena_st[s], &f, SL_USED, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                continue;
            /* slots are taken in order (the hint follows them), so finished ones form long runs */
            __atomic_store_n(&arena_hint, s + 1, __ATOMIC_RELAXED);
            char *a = b + (uint64_t)s * ARENA_WBYTES;
            /* no MAP_POPULATE: it saves the two page faults of the first pages but takes the
             * mmap lock again, and that lock is the contended one here (faults do not take it) */
            long p = ilv_sys6(SYS_mmap, (long)a, (long)ARENA_WBYTES, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_FIXED, fd, 0);
            if (p < 0 && p > -4096) { /* the slot may have lost its reservation: never use it again */
                __atomic_store_n(&arena_st[s], SL_BAD, __ATOMIC_RELEASE);
                return 0;
            }
            return a;
        }
        if (!__atomic_load_n(&arena_done, __ATOMIC_RELAXED) || !arena_reclaim())
            return 0;
    }
    return 0;
}

/* the small window at p is finished: keep it mapped, give it back later */
static void arena_release(char *p)
{
    unsigned s = (unsigned)((uint64_t)(p - arena_base) / ARENA_WBYTES);
    __atomic_add_fetch(&arena_done, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&arena_st[s], SL_DONE, __ATOMIC_RELEASE);
}

/* before fork (signals blocked): finished windows would be copied into the child's address
 * space one mapping at a time; give them back first (one flush; fork flushes anyway) */
void ilv_arena_before_fork(void)
{
    if (__atomic_load_n(&arena_done, __ATOMIC_RELAXED))
        arena_reclaim();
}

/* child side of fork: only the forking thread lives on, and it forgets its window; every window
 * the parent's threads were using is finished here */
ILV_FORK_PATH static void arena_after_fork(void)
{
    if (!arena_base || arena_base == (char *)-1)
        return;
    arena_lock = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < ARENA_N; i++) {
        if (arena_st[i] == SL_USED || arena_st[i] == SL_BUSY)
            arena_st[i] = SL_DONE;
        n += arena_st[i] == SL_DONE;
    }
    arena_done = n;
}

/* map every window covering file bytes [0, end of slot to) that is not mapped yet, and prefault
 * the bytes of slots [from, to) when that is more than a few pages (small first chunks just fault) */
static int map_windows(struct ilv_tstate *t, int fd, uint64_t from, uint64_t to)
{
    uint64_t b0 = from ? ILV_HDR_SIZE + from * ILV_REC_SIZE : 0;
    uint64_t b1 = ILV_HDR_SIZE + to * ILV_REC_SIZE;
    uint64_t last = (b1 - 1) >> ILV_WBITS;
    if (last >= ILV_MAXW)
        return -1;
    for (uint64_t w = b0 >> ILV_WBITS; w <= last; w++) {
        if (t->wbase[w])
            continue;
        if (w == 0 && b1 <= ARENA_WBYTES) {
            char *a = arena_map(fd);
            if (a) {
                t->wbase[0] = a;
                continue;
            }
        }
        long p = ilv_sys6(SYS_mmap, 0, (long)ILV_WBYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                          (long)(w << ILV_WBITS));
        if (p < 0 && p > -4096) {
            ilv_debug("mmap failed", p);
            return -1;
        }
        t->wbase[w] = (char *)p;
    }
    if (b1 - b0 < 65536)
        return 0;
    uint64_t s = b0;
    while (s < b1) {
        uint64_t w = s >> ILV_WBITS;
        uint64_t e = (w + 1) << ILV_WBITS;
        if (e > b1)
            e = b1;
        char *a = t->wbase[w] + (s & (ILV_WBYTES - 1));
        uintptr_t pa = (uintptr_t)a & ~(uintptr_t)4095;
        ilv_sys3(SYS_madvise, pa, (uintptr_t)a + (e - s) - pa, MADV_POPULATE_WRITE);
        s = e;
    }
    return 0;
}

static void make_path(struct ilv_tstate *t, int pid, int tid, unsigned seq)
{
    size_t p = 0;
    put_str(t->path, &p, sizeof t->path, ilv_g.dir);
    put_str(t->path, &p, sizeof t->path, "/");
    put_dec(t->path, &p, sizeof t->path, (uint64_t)pid);
    put_str(t->path, &p, sizeof t->path, "-");
    put_dec(t->path, &p, sizeof t->path, (uint64_t)tid);
    if (seq) {
        put_str(t->path, &p, sizeof t->path, ".");
        put_dec(t->path, &p, sizeof t->path, seq);
    }
    put_str(t->path, &p, sizeof t->path, ".trace");
}

/* ILV_MAGIC ("ILVTRACE") as the little-endian word at offset 0: an immediate, no read of
 * read-only data (ILV_FORK_PATH) */
#define MAGIC_WORD ((uint64_t)'I' | (uint64_t)'L' << 8 | (uint64_t)'V' << 16 | (uint64_t)'T' << 24 | \
                    (uint64_t)'R' << 32 | (uint64_t)'A' << 40 | (uint64_t)'C' << 48 | (uint64_t)'E' << 56)
_Static_assert(sizeof ILV_MAGIC == 9, "the magic is 8 characters");

/* a thread's header (its own file's, or in its first chunk of the shared thread file) */
ILV_FORK_PATH static void fill_header(struct ilv_hdr *h, struct ilv_tstate *t, unsigned seq)
{
    int pid = ilv_g.pid;
    /* relaxed atomic stores, each with its immediate: plain ones are merged by the compiler into
     * loads of constants from read-only data, a page a child just forked does not have mapped
     * (ILV_FORK_PATH) */
    __atomic_store_n(&h->version_major, (uint16_t)ILV_VERSION_MAJOR, __ATOMIC_RELAXED);
    __atomic_store_n(&h->version_minor, (uint16_t)ILV_VERSION_MINOR, __ATOMIC_RELAXED);
    __atomic_store_n(&h->header_size, ILV_HDR_SIZE, __ATOMIC_RELAXED);
    __atomic_store_n(&h->record_size, ILV_REC_SIZE, __ATOMIC_RELAXED);
    h->header_flags = t->hflags | (ilv_g.forked ? ILV_HF_FORKED : 0) | (t->tid == pid ? ILV_HF_MAIN : 0);
    h->pid = pid;
    h->tid = t->tid;
    h->ppid = ilv_g.ppid;
    h->file_seq = seq;
    int fresh_child = ilv_g.sys_clock_reads != 0; /* see ilv_now_slow */
    h->created_mono_ns = fresh_child ? clock_sys_ns(CLOCK_MONOTONIC) : ilv_clock_ns();
    h->created_real_ns = fresh_child ? clock_sys_ns(CLOCK_REALTIME) : now_real();
    h->image_start_ns = ilv_g.image_start_ns;
    h->pthread_self = (uint64_t)pthread_self();
    h->creator_tid = t->creator_tid;
    h->create_id = t->create_id;
    h->window_slots = (uint32_t)ILV_WSLOTS;
    __builtin_memcpy(h->maps_file, ilv_g.maps_file, sizeof h->maps_file); /* inline: no libc code */
    __atomic_store_n((uint64_t *)h->magic, MAGIC_WORD, __ATOMIC_RELEASE); /* magic last */
}

static int tfile_create(struct ilv_tstate *t)
{
    int pid = ilv_g.pid;
    if (!t->tid)
        t->tid = (int)ilv_sys0(SYS_gettid);
    t->owner_pid = pid;
    int fd = -1;
    unsigned seq;
    for (seq = 0; seq < 100000; seq++) {
        make_path(t, pid, t->tid, seq);
        fd = (int)ilv_sys3(SYS_open, t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd != -EEXIST)
            break;
    }
    if (fd < 0) {
        ilv_debug("cannot create trace file, error", fd);
        return -1;
    }
    /* header page and the first chunk in one step; the header is written through the mapping */
    long r = ilv_sys4(SYS_fallocate, fd, 0, 0, (long)(ILV_HDR_SIZE + INIT_SLOTS * ILV_REC_SIZE));
    if (r < 0 && (r == -ENOSPC || r == -EDQUOT ||
                  ilv_sys2(SYS_ftruncate, fd, ILV_HDR_SIZE + INIT_SLOTS * ILV_REC_SIZE) < 0))
        goto fail;
    t->file_slots = INIT_SLOTS;
    if (map_windows(t, fd, 0, INIT_SLOTS) < 0)
        goto fail;
    ilv_sys1(SYS_close, fd);
    fill_header((struct ilv_hdr *)t->wbase[0], t, seq);
    t->state = TS_OPEN;
    ILV_BARRIER();
    cur_window(t, 0);
    return 0;
fail:
    ilv_debug("trace file setup failed", 0);
    ilv_sys1(SYS_close, fd);
    t->file_slots = 0;
    return -1;
}

static int tfile_grow(struct ilv_tstate *t, uint64_t idx)
{
    uint64_t want = next_size(t->file_slots, idx);
    if (((ILV_HDR_SIZE + want * ILV_REC_SIZE - 1) >> ILV_WBITS) >= ILV_MAXW)
        return -1;
    int fd = (int)ilv_sys3(SYS_open, t->path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (!t->small_win && in_arena(t->wbase[0]) && ILV_HDR_SIZE + want * ILV_REC_SIZE > ARENA_WBYTES) {
        /* past the small window: window 0 becomes a 1 GiB one; the small one stays mapped (an
         * interrupted record may still be written through it) until the thread ends */
        t->small_win = t->wbase[0];
        t->wbase[0] = 0;
        long p = ilv_sys6(SYS_mmap, 0, (long)ILV_WBYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p < 0 && p > -4096) {
            t->wbase[0] = t->small_win;
            t->small_win = 0;
            ilv_sys1(SYS_close, fd);
            return -1;
        }
        t->wbase[0] = (char *)p;
    }
    int ok = file_extend(fd, t->file_slots, want) == 0 && map_windows(t, fd, t->file_slots, want) == 0;
    ilv_sys1(SYS_close, fd);
    if (!ok)
        return -1;
    t->file_slots = want;
    ILV_BARRIER();
    cur_window(t, idx);
    return 0;
}

static void unmap_all(struct ilv_tstate *t)
{
    set_cur(t, 0, 0, 0);
    if (t->small_win) {
        arena_release(t->small_win);
        t->small_win = 0;
    }
    for (int w = 0; w < ILV_MAXW; w++) {
        if (t->wbase[w] && in_arena(t->wbase[w])) {
            arena_release(t->wbase[w]);
            t->wbase[w] = 0;
        } else if (t->wbase[w]) {
            ilv_sys2(SYS_munmap, t->wbase[w], ILV_WBYTES);
            t->wbase[w] = 0;
        }
    }
}


/* ---------------------------------------------------------------- the shared thread file
 * Threads started by a traced pthread_create, and the processes forked from a traced process, do
 * not get a file of their own: they take chunks of one file, RUN_DIR/<pid>-threads[.n].trace
 * (format §2.1), created by the first process of the tree that needed it and mapped in 1 GiB
 * windows (a forked child inherits the mapping). A thread's or a child's start then costs no
 * system call for its trace: its first chunk (one page: chunk header, thread header, 59 records) is
 * a bump of an offset kept in the file's header page, which every process of the tree maps. A
 * thread that fills its chunk takes one twice as large (up to 2 MiB). The file grows (fallocate,
 * never shrinks) by whoever needs more, under a lock word in the header page (its holder's pid:
 * taken over when that process died holding it), a few MiB at a time; nothing is cut at the end.
 * If the file cannot be created or grown, threads fall back to files of their own. */
#define SF_HDR       4096ull           /* the file's header page; chunks start after it */
#define SF_CHUNK0    4096ull           /* a thread's first chunk: one page */
#define SF_MAX_CHUNK (2ull << 20)
#define SF_STEP_MAX  (4ull << 20)      /* growth step: doubles up to this */
#define SF_NEXT_OFF  256               /* header page: u64 next free byte (bump) */
#define SF_BACKED_OFF 264              /* u64 bytes the file has */
#define SF_LOCK_OFF  272               /* i32 pid holding the growth lock, 0 free */
enum { SF_NONE = 0, SF_CREATING = 1, SF_READY = 2, SF_FAILED = 3 };
static struct {
    int state;
    int map_lock;                      /* this process's windows */
    char *win[ILV_MAXW];               /* this process's mappings of the file's windows */
    char path[600];
} sf;

static inline uint64_t *sf_word(int off)
{
    return (uint64_t *)(sf.win[0] + off);
}

static void sf_lock(void)
{
    int *lk = (int *)(sf.win[0] + SF_LOCK_OFF);
    int me = ilv_g.pid;
    for (unsigned spins = 1;; spins++) {
        int z = 0;
        if (__atomic_compare_exchange_n(lk, &z, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        /* another process of the tree may have died holding it (killed while growing the file) */
        if (spins % 64 == 0 && z > 0 && ilv_sys2(SYS_kill, z, 0) == -ESRCH &&
            __atomic_compare_exchange_n(lk, &z, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        ilv_sys0(SYS_sched_yield);
    }
}

static void sf_unlock(void)
{
    __atomic_store_n((int *)(sf.win[0] + SF_LOCK_OFF), 0, __ATOMIC_RELEASE);
}

/* map the file's windows below `end` that this process has not mapped yet (fd: the file, or -1) */
static int sf_map(uint64_t end, int fd)
{
    int z = 0, ok = 0, own = -1;
    while (!__atomic_compare_exchange_n(&sf.map_lock, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        z = 0;
        ilv_sys0(SYS_sched_yield);
    }
    for (uint64_t w = 0; w <= (end - 1) >> ILV_WBITS && ok == 0; w++) {
        if (sf.win[w])
            continue;
        if (fd < 0)
            fd = own = (int)ilv_sys3(SYS_open, sf.path, O_RDWR | O_CLOEXEC, 0);
        long p = fd < 0 ? fd : ilv_sys6(SYS_mmap, 0, (long)ILV_WBYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                                         (long)(w << ILV_WBITS));
        if (p < 0 && p > -4096) {
            ilv_debug("cannot map the shared thread file, error", p);
            ok = -1;
            break;
        }
        __atomic_store_n(&sf.win[w], (char *)p, __ATOMIC_RELEASE);
    }
    if (own >= 0)
        ilv_sys1(SYS_close, own);
    __atomic_store_n(&sf.map_lock, 0, __ATOMIC_RELEASE);
    return ok;
}

/* grow the file to at least `end` bytes (signals blocked) */
static int sf_grow(uint64_t end)
{
    int ok = -1;
    sf_lock();
    uint64_t have = __atomic_load_n(sf_word(SF_BACKED_OFF), __ATOMIC_ACQUIRE);
    if (have >= end) {
        sf_unlock();
        return 0;
    }
    uint64_t want = have + (have < SF_STEP_MAX ? have : SF_STEP_MAX);
    if (want < end)
        want = end;
    want = (want + 65535) & ~65535ull;
    if (((want - 1) >> ILV_WBITS) >= ILV_MAXW)
        want = (uint64_t)ILV_MAXW << ILV_WBITS;
    if (want < end)
        goto out;
    int fd = (int)ilv_sys3(SYS_open, sf.path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        ilv_debug("cannot open the shared thread file to grow it, error", fd);
        goto out;
    }
    long r = ilv_sys4(SYS_fallocate, fd, 0, (long)have, (long)(want - have));
    if (r < 0 && (r == -ENOSPC || r == -EDQUOT || r == -EFBIG || ilv_sys2(SYS_ftruncate, fd, (long)want) < 0)) {
        ilv_sys1(SYS_close, fd);
        goto out;
    }
    ok = sf_map(want, fd);
    ilv_sys1(SYS_close, fd);
    if (ok == 0)
        __atomic_store_n(sf_word(SF_BACKED_OFF), want, __ATOMIC_RELEASE);
out:
    sf_unlock();
    return ok;
}

static int sf_create(void)
{
    int fd = -1;
    unsigned seq;
    for (seq = 0; seq < 100000; seq++) {
        size_t p = 0;
        put_str(sf.path, &p, sizeof sf.path, ilv_g.dir);
        put_str(sf.path, &p, sizeof sf.path, "/");
        put_dec(sf.path, &p, sizeof sf.path, (uint64_t)ilv_g.pid);
        put_str(sf.path, &p, sizeof sf.path, "-threads");
        if (seq) {
            put_str(sf.path, &p, sizeof sf.path, ".");
            put_dec(sf.path, &p, sizeof sf.path, seq);
        }
        put_str(sf.path, &p, sizeof sf.path, ".trace");
        fd = (int)ilv_sys3(SYS_open, sf.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd != -EEXIST)
            break;
    }
    if (fd < 0) {
        ilv_debug("cannot create the shared thread file, error", fd);
        return -1;
    }
    uint64_t size = 128 * 1024; /* the header page and 31 first chunks */
    long r = ilv_sys4(SYS_fallocate, fd, 0, 0, (long)size);
    if ((r < 0 && (r == -ENOSPC || r == -EDQUOT || ilv_sys2(SYS_ftruncate, fd, (long)size) < 0)) ||
        sf_map(size, fd) < 0) {
        ilv_sys1(SYS_close, fd);
        return -1;
    }
    ilv_sys1(SYS_close, fd);
    struct ilv_hdr *h = (struct ilv_hdr *)sf.win[0];
    *sf_word(SF_NEXT_OFF) = SF_HDR;
    *sf_word(SF_BACKED_OFF) = size;
    h->version_major = ILV_SHARED_VERSION_MAJOR;
    h->version_minor = 0;
    h->header_size = (uint32_t)SF_HDR;
    h->record_size = ILV_REC_SIZE;
    h->header_flags = ILV_HF_THREADS | (ilv_g.forked ? ILV_HF_FORKED : 0);
    h->pid = ilv_g.pid;
    h->tid = 0;
    h->ppid = ilv_g.ppid;
    h->file_seq = seq;
    h->created_mono_ns = ilv_clock_ns();
    h->created_real_ns = now_real();
    h->image_start_ns = ilv_g.image_start_ns;
    memcpy(h->maps_file, ilv_g.maps_file, sizeof h->maps_file);
    uint64_t magic;
    memcpy(&magic, ILV_MAGIC, 8);
    __atomic_store_n((uint64_t *)h->magic, magic, __ATOMIC_RELEASE);
    return 0;
}

/* 1 when the shared thread file takes chunks (created on first use). Signals blocked. */
ILV_FORK_PATH static int sf_ready(void)
{
    for (;;) {
        int st = __atomic_load_n(&sf.state, __ATOMIC_ACQUIRE);
        if (st == SF_READY)
            return 1;
        if (st == SF_FAILED)
            return 0;
        int z = SF_NONE;
        if (st == SF_NONE &&
            __atomic_compare_exchange_n(&sf.state, &z, SF_CREATING, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            int ok = sf_create() == 0;
            __atomic_store_n(&sf.state, ok ? SF_READY : SF_FAILED, __ATOMIC_RELEASE);
            return ok;
        }
        if (st == SF_CREATING)
            ilv_sys0(SYS_sched_yield);
    }
}


/* bytes [off, off + size) of the file, for a chunk; 0 when the file cannot hold it. A chunk never
 * crosses a window boundary (the gap before the boundary stays zero: readers skip it). */
ILV_FORK_PATH static uint64_t sf_alloc(uint64_t size)
{
    uint64_t *next = sf_word(SF_NEXT_OFF);
    uint64_t o = __atomic_load_n(next, __ATOMIC_RELAXED), s;
    do {
        s = o;
        if ((s >> ILV_WBITS) != ((s + size - 1) >> ILV_WBITS))
            s = ((s >> ILV_WBITS) + 1) << ILV_WBITS;
        if (((s + size - 1) >> ILV_WBITS) >= ILV_MAXW)
            return 0;
    } while (!__atomic_compare_exchange_n(next, &o, s + size, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    if (__atomic_load_n(sf_word(SF_BACKED_OFF), __ATOMIC_ACQUIRE) < s + size && sf_grow(s + size) < 0)
        return 0;
    /* another process may have grown it: this one maps what it has not mapped yet */
    if (!__atomic_load_n(&sf.win[s >> ILV_WBITS], __ATOMIC_ACQUIRE) && sf_map(s + size, -1) < 0)
        return 0;
    return s;
}

/* before fork (signals blocked): the file the child will take its chunks from, and its first chunk.
 * Taken here, the child does not write the file's header page (an atomic bump of the offset), which
 * in a new process would be one more page fault. The parent forgets the chunk once the fork
 * succeeded (fork_common); a failed fork keeps it for the next. */
void ilv_sf_before_fork(void)
{
    if (sf_ready() && !ilv_t.fork_chunk)
        ilv_t.fork_chunk = sf_alloc(SF_CHUNK0);
}

/* a new chunk for this thread that holds slot idx: its first one (with the thread's header) or the
 * next one, continuing the thread's slot numbers. Signals blocked. */
ILV_FORK_PATH static int sf_thread_chunk(struct ilv_tstate *t, uint64_t idx)
{
    uint64_t hslots = t->shared ? 1 : 1 + ILV_HDR_SIZE / ILV_REC_SIZE;
    uint64_t first = t->shared ? t->cap : 0;
    uint64_t size = t->shared ? t->cbytes * 2 : SF_CHUNK0;
    if (size > SF_MAX_CHUNK)
        size = SF_MAX_CHUNK;
    while (first + size / ILV_REC_SIZE - hslots <= idx && size < SF_MAX_CHUNK)
        size *= 2;
    if (first + size / ILV_REC_SIZE - hslots <= idx)
        return -1;
    uint64_t off;
    if (!t->shared && size == SF_CHUNK0 && t->fork_chunk) { /* taken by the parent before fork */
        off = t->fork_chunk;
        t->fork_chunk = 0;
    } else {
        off = sf_alloc(size);
    }
    if (!off)
        return -1;
    char *c = __atomic_load_n(&sf.win[off >> ILV_WBITS], __ATOMIC_ACQUIRE) + (off & (ILV_WBYTES - 1));
    struct ilv_chunk *ch = (struct ilv_chunk *)c;
    if (!t->shared) {
        t->tkey = off;
        t->thdr = c + ILV_REC_SIZE;
        fill_header((struct ilv_hdr *)t->thdr, t, 0);
    }
    ch->slots = (uint32_t)(size / ILV_REC_SIZE);
    ch->offset = off;
    ch->tid = t->tid;
    ch->seq = t->cseq++;
    ch->thread = t->tkey;
    ch->first = first;
    ch->hdr_slots = (uint32_t)hslots;
    __atomic_store_n(&ch->magic, ILV_CHUNK_MAGIC, __ATOMIC_RELEASE); /* magic last */
    if (t->shared) {
        t->prev[1] = t->prev[0];
        t->prev[0].first = t->first;
        t->prev[0].cap = t->cap;
        t->prev[0].ptr = t->ptr;
    }
    t->shared = 1;
    t->cbytes = size;
    set_cur(t, first, first + size / ILV_REC_SIZE - hslots, (uintptr_t)c + hslots * ILV_REC_SIZE - first * ILV_REC_SIZE);
    return 0;
}

/* shared: where slot idx is, if in the current chunk or one of the two before (a writer that a
 * handler interrupted across a change of chunk) */
static struct ilv_rec *sf_slot(struct ilv_tstate *t, uint64_t idx)
{
    if (idx >= t->first && idx < t->cap)
        return (struct ilv_rec *)(t->ptr + (idx << 6));
    for (int i = 0; i < 2; i++)
        if (idx >= t->prev[i].first && idx < t->prev[i].cap)
            return (struct ilv_rec *)(t->prev[i].ptr + (idx << 6));
    return 0;
}

/* start recording this thread into the shared thread file; -1: it gets a file of its own */
ILV_FORK_PATH static int sf_thread_start(struct ilv_tstate *t)
{
    if (!((t->hflags & ILV_HF_CREATED) || (ilv_g.forked && t->tid == ilv_g.pid)) || !sf_ready())
        return -1;
    if (!t->tid)
        t->tid = (int)ilv_sys0(SYS_gettid);
    t->owner_pid = ilv_g.pid;
    if (sf_thread_chunk(t, 0) < 0)
        return -1;
    t->state = TS_OPEN;
    return 0;
}

ILV_FORK_PATH static void sf_after_fork(void)
{
    /* the child goes on taking chunks of the same file through the inherited mapping; only this
     * process's own lock is reset (a thread of the parent may have held it) */
    sf.map_lock = 0;
    if (sf.state != SF_READY)
        sf.state = SF_NONE;
}

ILV_FORK_PATH static void forget_shared(struct ilv_tstate *t)
{
    t->shared = 0;
    t->thdr = 0;
    t->tkey = 0;
    t->cbytes = 0;
    t->cseq = 0;
    for (int i = 0; i < 2; i++) /* not memset: libc's code is not mapped yet in a new child */
        t->prev[i].first = t->prev[i].cap = t->prev[i].ptr = 0;
}

struct ilv_rec *ilv_slow_reserve(struct ilv_tstate *t, uint64_t idx)
{
    sigset_t old;
    struct ilv_rec *r = 0;
    ilv_block_all(&old);
    if (t->state != TS_NONE && t->owner_pid != ilv_g.pid) {
        /* state inherited through a fork: this is the parent's file, never write it */
        unmap_all(t);
        forget_shared(t);
        t->state = TS_NONE;
        t->file_slots = 0;
        t->next = idx;
    }
    if (t->state == TS_NONE && sf_thread_start(t) < 0 && tfile_create(t) < 0) {
        unmap_all(t);
        if (++t->fails >= 3)
            t->state = TS_BROKEN;
    }
    if (t->shared) {
        r = sf_slot(t, idx);
        if (!r && idx >= t->cap && t->state == TS_OPEN) {
            if (sf_thread_chunk(t, idx) == 0)
                r = sf_slot(t, idx);
            else
                t->state = TS_BROKEN; /* the header, in the first chunk, still counts what is lost */
        }
    } else if (t->state == TS_OPEN) {
        if (idx >= t->file_slots && tfile_grow(t, idx) < 0) {
            ilv_debug("cannot grow trace file", (long)idx);
            /* the mapping stays (until the thread ends): through it the header can still count the
             * events lost from here on, even when the file can no longer be opened */
            set_cur(t, 0, 0, 0);
            t->state = TS_BROKEN;
        } else if (idx >= t->cap && idx < t->file_slots) {
            cur_window(t, idx); /* into the next window (or past a cut at exit) */
        }
        if (t->state == TS_OPEN && idx < t->file_slots)
            r = (struct ilv_rec *)slot_ptr(t, idx);
    }
    ilv_restore(&old);
    return r;
}

/* events of threads that could not create a file to count them in; added to the count of the
 * next thread with a file that ends or calls exit */
static uint64_t orphan_lost;

ILV_FORK_PATH static void write_lost(struct ilv_tstate *t)
{
    if (!t->lost)
        return;
    if (t->thdr) { /* shared thread file: the header in the first chunk stays mapped */
        __atomic_store_n((uint64_t *)(t->thdr + ILV_HDR_LOST_OFF), t->lost, __ATOMIC_RELAXED);
        return;
    }
    if (t->wbase[0]) { /* still mapped: the header is at the start of window 0 */
        __atomic_store_n((uint64_t *)(t->wbase[0] + ILV_HDR_LOST_OFF), t->lost, __ATOMIC_RELAXED);
        return;
    }
    if (!t->path[0])
        return;
    int fd = (int)ilv_sys3(SYS_open, t->path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return;
    ilv_sys4(SYS_pwrite64, fd, &t->lost, 8, ILV_HDR_LOST_OFF);
    ilv_sys1(SYS_close, fd);
}

/* cut the file after `slots` slots (unwritten, preallocated ones: never a committed record) */
static void trim_file(struct ilv_tstate *t, uint64_t slots)
{
    if (!t->path[0] || slots >= t->file_slots)
        return;
    int fd = (int)ilv_sys3(SYS_open, t->path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (ilv_sys2(SYS_ftruncate, fd, (long)(ILV_HDR_SIZE + slots * ILV_REC_SIZE)) == 0)
        t->file_slots = slots;
    ilv_sys1(SYS_close, fd);
}

/* for the main thread (and any thread that calls exit): the lost count, which otherwise is only
 * stored when a pthread_create thread ends; and the slots preallocated but not written are given
 * back, so they do not count as trace. The mapping stays (atexit handlers may still record): the
 * file ends at the last reserved slot and the capacity follows it, so a later record grows the
 * file again through the slow path instead of writing past its end. */
ILV_FORK_PATH void ilv_exit_file(void)
{
    struct ilv_tstate *t = &ilv_t;
    if (t->shared) { /* a chunk of the shared thread file: nothing to cut, no system call */
        t->lost += __atomic_exchange_n(&orphan_lost, 0, __ATOMIC_RELAXED);
        write_lost(t);
        return;
    }
    sigset_t old;
    ilv_block_all(&old);
    if (t->file_slots || t->thdr)
        t->lost += __atomic_exchange_n(&orphan_lost, 0, __ATOMIC_RELAXED);
    write_lost(t);
    if (t->state == TS_OPEN && !t->shared && t->owner_pid == ilv_g.pid) {
        uint64_t used = t->next < t->file_slots ? t->next : t->file_slots;
        /* exactly the slots used: the page holding the end stays mapped and is not touched past
         * it (the capacity stops there) */
        uint64_t keep = used ? used : 1;
        /* a file still at its first chunk (one page) is left as it is, as at a thread's end */
        if (keep < t->file_slots && t->file_slots > INIT_SLOTS) {
            if (t->cap > keep)
                set_cur(t, t->first <= keep ? t->first : keep, keep, t->ptr);
            trim_file(t, keep);
            /* not cut: the old capacity is still backed; the slow path moves the stretch on */
        }
    }
    ilv_restore(&old);
}

/* a lost event: counted, and the count stored at once for the 1st, 2nd, 4th, 8th, ... loss, so a
 * process that is killed later still tells how much is missing (called with signals blocked) */
static void count_lost(struct ilv_tstate *t)
{
    if (!t->file_slots && !t->thdr) { /* no file of its own (creation failed) */
        __atomic_add_fetch(&orphan_lost, 1, __ATOMIC_RELAXED);
        return;
    }
    t->lost++;
    if (t->wbase[0] || t->thdr || (t->lost & (t->lost - 1)) == 0)
        write_lost(t);
}

/* The thread's mapping is gone (thread ended) or was never made: write with pwrite. */
void ilv_emit_unmapped(struct ilv_tstate *t, uint64_t idx, const struct ilv_rec *rec)
{
    sigset_t old;
    ilv_block_all(&old);
    if (t->state != TS_CLOSED) {
        count_lost(t);
        ilv_restore(&old);
        return;
    }
    int fd = (int)ilv_sys3(SYS_open, t->path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        count_lost(t);
        ilv_restore(&old);
        return;
    }
    if (idx >= t->file_slots) { /* exactly: the thread has ended, records come one at a time */
        uint64_t want = idx + 1;
        if (file_extend(fd, t->file_slots, want) == 0)
            t->file_slots = want;
    }
    if (idx < t->file_slots) {
        struct ilv_rec body = *rec;
        uint32_t head;
        memcpy(&head, rec, 4);
        memset(&body, 0, 4);
        long off = (long)(ILV_HDR_SIZE + idx * ILV_REC_SIZE);
        ilv_sys4(SYS_pwrite64, fd, &body, sizeof body, off);
        ilv_sys4(SYS_pwrite64, fd, &head, 4, off); /* commit word last */
    } else {
        ilv_sys1(SYS_close, fd);
        count_lost(t);
        ilv_restore(&old);
        return;
    }
    ilv_sys1(SYS_close, fd);
    ilv_restore(&old);
}

/* Called at the very end of a traced thread: give back the address space. Later events of
 * this thread (TLS destructors, late signals) still go to the same file, via pwrite. */
void ilv_thread_close(void)
{
    struct ilv_tstate *t = &ilv_t;
    if (t->shared) {
        /* its chunks stay mapped with the process's file: nothing to give back, no system call,
         * and later records of the thread (TLS destructors) still go there */
        t->lost += __atomic_exchange_n(&orphan_lost, 0, __ATOMIC_RELAXED);
        write_lost(t);
        return;
    }
    sigset_t old;
    ilv_block_all(&old);
    if (t->file_slots)
        t->lost += __atomic_exchange_n(&orphan_lost, 0, __ATOMIC_RELAXED);
    write_lost(t);
    if (t->state == TS_OPEN) {
        unmap_all(t);
        t->state = TS_CLOSED;
        /* nothing writes through the mapping any more: give back the slots never written. A file
         * still at its first chunk is one page (header and slots), which a cut would not make
         * smaller on tmpfs: it stays as it is (an open, ftruncate and close less per thread) */
        if (t->next && t->owner_pid == ilv_g.pid && t->file_slots > INIT_SLOTS)
            trim_file(t, t->next < t->file_slots ? t->next : t->file_slots);
    } else if (t->state == TS_BROKEN) {
        unmap_all(t);
    }
    ilv_restore(&old);
}

/* child side of fork, signals blocked (or inside an atfork handler). The parent's windows stay
 * mapped in the child (unmapping costs a system call and a TLB flush per fork) but are forgotten:
 * the child never writes them. */
ILV_FORK_PATH void ilv_child_after_fork(int parent_pid)
{
    struct ilv_tstate *t = &ilv_t;
    ilv_watch_forget();
    ilv_vw_forget();
    ilv_cpu_last = 0; /* the child's file starts without a CPU record */
    set_cur(t, 0, 0, 0);
    forget_shared(t);
    sf_after_fork();
    for (int w = 0; w < ILV_MAXW; w++) /* a conditional store: never turned into a memset call */
        if (t->wbase[w])
            t->wbase[w] = 0;
    t->small_win = 0;
    arena_after_fork();
    t->next = 0;
    t->file_slots = 0;
    t->lost = 0;
    orphan_lost = 0;
    t->state = TS_NONE;
    t->fails = 0;
    t->hflags = 0;
    t->creator_tid = 0;
    t->create_id = 0;
    t->in_fork = 0;
    t->path[0] = 0;
    ilv_g.ppid = parent_pid;
    ilv_g.pid = (int)ilv_sys0(SYS_getpid);
    t->tid = ilv_g.pid; /* the forking thread is the child's main thread */
    ilv_g.forked = 1;
    ilv_g.sys_clock_reads = 8;
    ilv_g.image_start_ns = ilv_now();
    ilv_g.create_seq = 0;
}

/* Before this process switches from root to user `uid`: make the run directory usable by every
 * user (mode 01777: anyone may create files, nobody may remove another's, like /tmp) and give
 * this process's thread files to the new user, so that after the switch they can still be
 * grown and reopened and new threads can create theirs. Mappings made before stay writable
 * anyway; the files of other processes (a root master) are left as they are. */
void ilv_handover_files(int uid)
{
    sigset_t old;
    ilv_block_all(&old);
    ilv_sys2(SYS_chmod, ilv_g.dir, 01777);
    int dfd = (int)ilv_sys3(SYS_open, ilv_g.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd < 0) {
        ilv_debug("cannot open the run directory to hand it over, error", dfd);
        ilv_restore(&old);
        return;
    }
    char prefix[24];
    size_t pl = 0;
    put_dec(prefix, &pl, sizeof prefix, (uint64_t)ilv_g.pid);
    put_str(prefix, &pl, sizeof prefix, "-");
    char buf[4096];
    for (;;) {
        long n = ilv_sys3(SYS_getdents64, dfd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            /* struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name */
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, 2);
            const char *name = buf + off + 19;
            size_t nl = ilv_strlen(name);
            if (nl > pl + 6 && memcmp(name, prefix, pl) == 0 && memcmp(name + nl - 6, ".trace", 6) == 0) {
                long r = ilv_sys6(SYS_fchownat, dfd, (long)name, uid, -1, 0, 0);
                if (r < 0)
                    ilv_debug("cannot hand a trace file over to the new user, error", r);
            }
            off += reclen;
        }
    }
    ilv_sys1(SYS_close, dfd);
    /* the shared thread file this process takes chunks of may be its parent's (named by that pid):
     * the new user must be able to grow it too (a parent that stays root still can) */
    if (__atomic_load_n(&sf.state, __ATOMIC_ACQUIRE) == SF_READY) {
        long r = ilv_sys6(SYS_fchownat, AT_FDCWD, (long)sf.path, uid, -1, 0, 0);
        if (r < 0)
            ilv_debug("cannot hand the shared thread file over to the new user, error", r);
    }
    ilv_restore(&old);
}

/* create this thread's file now; the caller has blocked all signals */
ILV_FORK_PATH void ilv_create_file_blocked(void)
{
    struct ilv_tstate *t = &ilv_t;
    if (t->state == TS_NONE && sf_thread_start(t) < 0 && tfile_create(t) < 0) {
        unmap_all(t);
        t->fails++;
    }
}

/* ---------------------------------------------------------------- strings */

static void emit_piece(uint64_t owner, uint64_t ts, int key, uint32_t total, uint32_t off,
                       const uint8_t *p, uint32_t n)
{
    uint64_t d[4] = {0, 0, 0, 0};
    memcpy(d, p, n);
    ilv_emit_raw(ILV_HEAD(ILV_T_STRING, ILV_POINT, key), (int32_t)total, ts, owner,
             (uint64_t)off | ((uint64_t)n << 32), d[0], d[1], d[2], d[3]);
}

void ilv_emit_string(uint64_t owner, uint64_t ts, int key, const void *data, size_t len, int truncated)
{
    if (len > ILV_STR_MAX) {
        len = ILV_STR_MAX;
        truncated = 1;
    }
    uint32_t total = (uint32_t)len | (truncated ? 0x80000000u : 0);
    const uint8_t *p = data;
    for (size_t off = 0; off < len; off += 32) {
        uint32_t n = (uint32_t)(len - off < 32 ? len - off : 32);
        emit_piece(owner, ts, key, total, (uint32_t)off, p + off, n);
    }
}

/* argument vector as "a\0b\0c\0", streamed in 32-byte pieces */
void ilv_emit_argv(uint64_t owner, uint64_t ts, int key, char *const argv[])
{
    size_t total = 0;
    int trunc = 0;
    if (!argv)
        return;
    for (int i = 0; argv[i]; i++)
        total += ilv_strlen(argv[i]) + 1;
    if (total > ILV_STR_MAX) {
        total = ILV_STR_MAX;
        trunc = 1;
    }
    uint32_t tot = (uint32_t)total | (trunc ? 0x80000000u : 0);
    uint8_t piece[32];
    uint32_t n = 0, off = 0;
    size_t done = 0;
    for (int i = 0; argv[i] && done < total; i++) {
        const char *s = argv[i];
        for (size_t j = 0;; j++) {
            if (done >= total)
                break;
            piece[n++] = (uint8_t)s[j];
            done++;
            if (n == 32) {
                emit_piece(owner, ts, key, tot, off, piece, n);
                off += n;
                n = 0;
            }
            if (!s[j])
                break;
        }
    }
    if (n)
        emit_piece(owner, ts, key, tot, off, piece, n);
}

/* Is the 4-byte word holding address a readable? 1 yes, 0 no (EFAULT), -1 cannot tell.
 * FUTEX_CMP_REQUEUE with nothing to wake or requeue only reads the word (through the kernel's
 * fault-safe get_user: no mmap lock when the page is present) and compares it: 0 or EAGAIN =
 * readable, EFAULT = not. It changes nothing. About 3x cheaper than process_vm_readv, which also
 * takes the mmap lock and so waits behind every mmap/munmap of the program's other threads. */
static int probe_word(uintptr_t a)
{
    static int requeue_target;
    long r = ilv_sys6(SYS_futex, (long)(a & ~(uintptr_t)3), 4 | 128 /* FUTEX_CMP_REQUEUE_PRIVATE */,
                      0, 0, (long)&requeue_target, 0);
    if (r >= 0 || r == -EAGAIN)
        return 1;
    return r == -EFAULT ? 0 : -1;
}

/* copy n (<= 4096) bytes of the program's memory at src without faulting on a bad pointer;
 * returns the bytes copied (fewer when the range ends on an unreadable page). The range spans at
 * most two pages: both are probed, then copied with plain loads. (The only way to fault is
 * another thread unmapping the memory between the probe and the copy, a few ns.) Falls back to
 * process_vm_readv where the probe cannot tell. */
size_t ilv_copy_user(void *dst, const void *src, size_t n)
{
    uintptr_t a = (uintptr_t)src, last = a + n - 1;
    if (a < 4096 || n == 0 || last < a)
        return 0;
    size_t ok = n;
    int r = n <= 4096 ? probe_word(a) : -1;
    if (r == 0)
        return 0;
    if (r > 0 && (last >> 12) != (a >> 12)) {
        r = probe_word(last);
        if (r == 0)
            ok = 4096 - (a & 4095);
    }
    if (r < 0) {
        struct iovec l = {dst, n}, rv = {(void *)src, n};
        long k = ilv_sys6(SYS_process_vm_readv, ilv_g.pid, (long)&l, 1, (long)&rv, 1, 0);
        return k > 0 ? (size_t)k : 0;
    }
    memcpy(dst, src, ok);
    return ok;
}

/* read up to 16 bytes at addr without faulting; returns the number of bytes read */
int ilv_read_bytes(const void *addr, uint64_t out[2])
{
    out[0] = out[1] = 0;
    return (int)ilv_copy_user(out, addr, 16);
}

/* ---------------------------------------------------------------- start-up */

static void copy_maps(void)
{
    char path[600];
    int fd = -1;
    unsigned seq;
    for (seq = 0; seq < 100000; seq++) {
        size_t p = 0;
        put_str(path, &p, sizeof path, ilv_g.dir);
        put_str(path, &p, sizeof path, "/");
        put_dec(path, &p, sizeof path, (uint64_t)ilv_g.pid);
        if (seq) {
            put_str(path, &p, sizeof path, ".");
            put_dec(path, &p, sizeof path, seq);
        }
        put_str(path, &p, sizeof path, ".maps");
        fd = (int)ilv_sys3(SYS_open, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd != -EEXIST)
            break;
    }
    if (fd < 0)
        return;
    const char *base = path + ilv_g.dirlen + 1;
    size_t bl = ilv_strlen(base);
    if (bl < sizeof ilv_g.maps_file)
        memcpy(ilv_g.maps_file, base, bl + 1);
    char buf[4096];
    size_t p = 0;
    put_str(buf, &p, sizeof buf, "# interleave-maps v1 pid=");
    put_dec(buf, &p, sizeof buf, (uint64_t)ilv_g.pid);
    put_str(buf, &p, sizeof buf, " mono_ns=");
    put_dec(buf, &p, sizeof buf, ilv_g.image_start_ns);
    put_str(buf, &p, sizeof buf, "\n");
    ilv_sys3(SYS_write, fd, buf, p);
    int in = (int)ilv_sys3(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
    if (in >= 0) {
        for (;;) {
            long n = ilv_sys3(SYS_read, in, buf, sizeof buf);
            if (n <= 0)
                break;
            long w = 0;
            while (w < n) {
                long k = ilv_sys3(SYS_write, fd, buf + w, n - w);
                if (k <= 0)
                    break;
                w += k;
            }
        }
        ilv_sys1(SYS_close, in);
    }
    ilv_sys1(SYS_close, fd);
    ilv_g.maps_seq = seq;
}

static void mkdir_p(char *d)
{
    for (char *p = d + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            ilv_sys2(SYS_mkdir, d, 0755);
            *p = '/';
        }
    }
    ilv_sys2(SYS_mkdir, d, 0755);
}

ILV_FORK_PATH static void atfork_child(void)
{
    /* forks that do not go through our fork() wrapper (daemon(), ...) */
    if (!ilv_g.enabled || ilv_t.in_fork)
        return;
    ilv_t.fork_chunk = 0; /* kept by the parent from a failed fork: still the parent's */
    int parent = ilv_g.pid;
    ilv_child_after_fork(parent);
    ilv_lk_after_fork();
    uint64_t ts = ilv_now();
    ilv_emit(ILV_HEAD(ILV_T_FORK_CHILD, ILV_POINT, 3), 0, ts, 0, (uint64_t)(int64_t)parent, 0, 0, 0, 0);
}

extern char **environ;
/* glibc 2.35+: where this thread's rseq area is (weak: the agent still loads on older libcs) */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

__attribute__((constructor)) static void ilv_init(int argc, char **argv, char **envp)
{
    ilv_init_wrappers();
    const char *dir = getenv("INTERLEAVE_TRACE_DIR");
    const char *dbg = getenv("INTERLEAVE_TRACE_DEBUG");
    ilv_g.debug = dbg && dbg[0] == '1';
    if (!dir || !dir[0])
        return;
    const char *st = getenv("INTERLEAVE_TRACE_STDIO");
    ilv_g.trace_stdio = st && st[0] == '1';
    if (&__rseq_size && __rseq_size > 0) {
        ilv_g.rseq_off = (long)__rseq_offset;
        ilv_g.has_rseq = 1;
    }
    const char *wt = getenv("INTERLEAVE_TRACE_WATCH");
    ilv_g.watch_off = wt && wt[0] == '0';
    size_t p = 0;
    char d[512];
    if (dir[0] != '/') {
        if (ilv_sys2(SYS_getcwd, d, sizeof d) < 0)
            return;
        p = ilv_strlen(d);
        if (p + 1 < sizeof d && (p == 0 || d[p - 1] != '/'))
            d[p++] = '/';
        d[p] = 0;
    }
    size_t dl = ilv_strlen(dir);
    if (p + dl + 1 > sizeof d - 80) {
        ilv_debug("INTERLEAVE_TRACE_DIR too long, tracing off", (long)dl);
        return;
    }
    memcpy(d + p, dir, dl + 1);
    p += dl;
    while (p > 1 && d[p - 1] == '/')
        d[--p] = 0;
    memcpy(ilv_g.dir, d, p + 1);
    ilv_g.dirlen = p;
    mkdir_p(d);

    clock_init();
    ilv_g.pid = (int)ilv_sys0(SYS_getpid);
    ilv_g.ppid = (int)ilv_sys0(SYS_getppid);
    ilv_g.image_start_ns = ilv_now();
    copy_maps();
    pthread_atfork(0, 0, atfork_child);
    ilv_lk_init();
    ilv_t.hflags |= ILV_HF_MAIN;
    ILV_BARRIER();
    ilv_g.enabled = 1;

    char exe[512];
    long el = ilv_sys3(SYS_readlink, "/proc/self/exe", exe, sizeof exe);
    uint64_t nenv = 0;
    if (!envp)
        envp = environ;
    for (char **e = envp; e && *e; e++)
        nenv++;
    uint64_t ts = ilv_now();
    uint64_t idx = ilv_emit(ILV_HEAD(ILV_T_PROC_START, ILV_POINT, ilv_g.maps_seq ? 1 : 0), 0, ts, 0,
                            (uint64_t)(int64_t)ilv_g.ppid, (uint64_t)argc, nenv, 0, 0);
    if (el > 0)
        ilv_emit_string(idx, ts, ILV_S_EXE, exe, (size_t)el, el == (long)sizeof exe);
    ilv_emit_argv(idx, ts, ILV_S_ARGV, argv);
    if (el > 0 && el < (long)sizeof exe) {
        ilv_vw_init(exe, (size_t)el);
        if (ilv_vw_active())
            ilv_vw_arm_thread();
    }
}
