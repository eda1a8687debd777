/* Interleave agent: every thread's accesses to a few shared variables, with the locks it held.
 *
 * INTERLEAVE_TRACE_WATCH_VARS names the variables (the engine finds them in the source and resolves
 * them through the executable's ELF symbols):
 *     /abs/path/of/the/executable|name@0xOFFSET:LEN,name2@0xOFFSET:LEN
 * OFFSET is the symbol's value: relative to the load base for a PIE, absolute otherwise; the agent
 * adds the main program's load base (dl_iterate_phdr: 0 for a non-PIE). The path keeps a program
 * started by exec from watching bytes that are something else in it.
 *
 * Each thread (the main thread at start, the others before their start routine) arms one hardware
 * breakpoint per variable (read|write: x86 has no read-only data breakpoint), at most ILV_VW_MAX of
 * them so the argument watchpoint and a debugger keep a register. Unlike the argument watchpoint it
 * stays armed: every access is written by the kernel as a sample into the thread's ring buffer, up
 * to a budget per thread (PERF_EVENT_IOC_REFRESH n disables the event after n samples), so a loop
 * of a million cnt++ costs a bounded number of traps. The samples are turned into records when the
 * thread's held-lock set is about to change (lock, unlock, sem_wait, sem_post) and when it ends, so
 * every sample is recorded with the locks held at the time of the access. Raw system calls only. */
#include "core.h"
#include "locks.h"
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <link.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/hw_breakpoint.h>

#define ILV_VW_MAX 2
#define VW_DATA_PAGES 16            /* ring: one control page and 16 data pages (64 KiB) */
#define VW_SAMPLE_BYTES 184         /* header, ip, tid, time, cpu, regs abi, 17 registers */
#define VW_BUDGET_MAX ((VW_DATA_PAGES * 4096) / VW_SAMPLE_BYTES)
#define VW_BUDGET_DEFAULT 256
#define VW_SEMS 8
#define NREGS 17

struct vw_var {
    uint64_t addr;
    uint32_t len;
    char name[64];
};
static struct vw_var vars[ILV_VW_MAX];
static int nvars;
static uint32_t budget = VW_BUDGET_DEFAULT;

__thread int ilv_vw_armed __attribute__((tls_model("initial-exec"))); /* this thread has rings to harvest */

struct vw_thread {
    int busy;                        /* a harvest is under way (a handler's lock call must not nest) */
    int fd[ILV_VW_MAX];
    void *ring[ILV_VW_MAX];
    uint64_t taken[ILV_VW_MAX];      /* samples recorded */
    uint64_t lost[ILV_VW_MAX];       /* samples the kernel reported lost */
    uint32_t nsems;
    uint64_t sems[VW_SEMS];          /* semaphores this thread waited on and has not posted (P/V as a lock) */
};
static __thread struct vw_thread vw __attribute__((tls_model("initial-exec")));

static int parse_hex(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    int n = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    for (;; p++, n++) {
        int c = *p, d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            break;
        v = v * 16 + (uint64_t)d;
    }
    *pp = p;
    *out = v;
    return n > 0 && n <= 16;
}

static int main_base_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uint64_t *)data = (uint64_t)info->dlpi_addr;
    return 1; /* the first object is the main program */
}

/* Reads the variable list once, in the process's constructor. exe: /proc/self/exe's target. */
void ilv_vw_init(const char *exe, size_t exelen)
{
    const char *spec = getenv("INTERLEAVE_TRACE_WATCH_VARS");
    if (!spec || !spec[0])
        return;
    const char *bar = strchr(spec, '|');
    if (!bar || (size_t)(bar - spec) != exelen || memcmp(spec, exe, exelen) != 0) {
        ilv_debug("INTERLEAVE_TRACE_WATCH_VARS is for another executable; not watching", 0);
        return;
    }
    const char *b = getenv("INTERLEAVE_TRACE_WATCH_SAMPLES");
    if (b && b[0]) {
        long n = strtol(b, 0, 10);
        budget = n < 1 ? 1 : n > (long)VW_BUDGET_MAX ? VW_BUDGET_MAX : (uint32_t)n;
    }
    uint64_t base = 0;
    dl_iterate_phdr(main_base_cb, &base);
    const char *p = bar + 1;
    while (*p && nvars < ILV_VW_MAX) {
        const char *at = strchr(p, '@');
        if (!at)
            break;
        struct vw_var *v = &vars[nvars];
        size_t nl = (size_t)(at - p);
        if (nl >= sizeof v->name)
            nl = sizeof v->name - 1;
        memcpy(v->name, p, nl);
        v->name[nl] = 0;
        p = at + 1;
        uint64_t off = 0, len = 0;
        if (!parse_hex(&p, &off) || *p != ':')
            break;
        p++;
        while (*p >= '0' && *p <= '9')
            len = len * 10 + (uint64_t)(*p++ - '0');
        /* a breakpoint covers 1, 2, 4 or 8 aligned bytes: a longer variable is watched in its first 8 */
        if (len > 8)
            len = 8;
        while (len != 1 && len != 2 && len != 4 && len != 8)
            len--;
        uint64_t a = base + off;
        while (len > 1 && (a & (len - 1)))
            len /= 2;
        v->addr = a;
        v->len = (uint32_t)len;
        nvars++;
        if (*p == ',')
            p++;
        else
            break;
    }
}


/* Arms this thread's breakpoints; one VAR_WATCH record per variable says how that went. */
void ilv_vw_arm_thread(void)
{
    for (int i = 0; i < ILV_VW_MAX; i++) {
        vw.fd[i] = -1;
        vw.ring[i] = 0;
        vw.taken[i] = vw.lost[i] = 0;
    }
    vw.nsems = 0;
    ilv_vw_armed = 0;
    for (int i = 0; i < nvars; i++) {
        struct vw_var *v = &vars[i];
        uint64_t ts = ilv_now();
        long err = 0;
        if (ilv_g.watch_off) {
            err = 0;
            goto unavailable;
        }
        struct perf_event_attr at;
        ilv_bp_attr(&at, v->addr, v->len);
        long fd = ilv_sys6(SYS_perf_event_open, (long)&at, 0, -1, -1, PERF_FLAG_FD_CLOEXEC, 0);
        if (fd < 0) {
            err = -fd;
            goto unavailable;
        }
        long m = ilv_sys6(SYS_mmap, 0, (1 + VW_DATA_PAGES) * 4096, 3 /*RW*/, 1 /*SHARED*/, fd, 0);
        if (m < 0 && m > -4096) {
            ilv_sys1(SYS_close, fd);
            err = -m;
            goto unavailable;
        }
        long r = ilv_sys3(SYS_ioctl, fd, PERF_EVENT_IOC_REFRESH, budget);
        if (r < 0) {
            ilv_sys2(SYS_munmap, m, (1 + VW_DATA_PAGES) * 4096);
            ilv_sys1(SYS_close, fd);
            err = -r;
            goto unavailable;
        }
        vw.fd[i] = (int)fd;
        vw.ring[i] = (void *)m;
        uint64_t idx = ilv_emit(ILV_HEAD(ILV_T_VAR_WATCH, ILV_POINT, ILV_VW_ARMED), 0, ts, 0, v->addr, v->len,
                                (uint64_t)i, budget, ilv_now() - ts);
        ilv_emit_string(idx, ts, ILV_S_WATCH_VAR, v->name, strlen(v->name), 0);
        continue;
    unavailable:;
        uint64_t u = ilv_emit(ILV_HEAD(ILV_T_VAR_WATCH, ILV_POINT, ILV_VW_UNAVAILABLE), (int32_t)err, ts, 0, v->addr,
                              v->len, (uint64_t)i, 0, 0);
        ilv_emit_string(u, ts, ILV_S_WATCH_VAR, v->name, strlen(v->name), 0);
    }
    ILV_BARRIER();
    for (int i = 0; i < nvars; i++)
        if (vw.ring[i])
            ilv_vw_armed = 1;
}

/* the locks held now: mutexes from locks.c's held set, then the semaphores waited on */
static uint32_t held_now(uint64_t *out, uint32_t cap)
{
    uint32_t n = 0, nh = ilv_lk.nheld;
    if (nh > ILV_HELD_MAX)
        nh = ILV_HELD_MAX;
    for (uint32_t i = 0; i < nh && n < cap; i++)
        out[n++] = ilv_lk.held[i].obj;
    for (uint32_t i = 0; i < vw.nsems && n < cap; i++)
        out[n++] = vw.sems[i];
    return n;
}

extern int ilv_decode_access(uint64_t ip, const uint64_t *regs, uint64_t addr, int wlen, int *is_load,
                             uint64_t *value, int *valid, uint64_t *start) ILV_HIDDEN;

static void harvest_one(int i)
{
    volatile struct perf_event_mmap_page *pg = vw.ring[i];
    uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = pg->data_tail;
    if (head == tail)
        return;
    uint64_t off = pg->data_offset ? pg->data_offset : 4096;
    uint64_t size = pg->data_size ? pg->data_size : VW_DATA_PAGES * 4096;
    const uint8_t *data = (const uint8_t *)vw.ring[i] + off;
    uint64_t held[16];
    uint32_t nheld = held_now(held, 16);
    struct vw_var *v = &vars[i];
    while (tail + sizeof(struct perf_event_header) <= head) {
        uint8_t buf[512];
        const struct perf_event_header *h0 = (const void *)(data + (tail % size));
        uint16_t hs = h0->size;
        if (hs < sizeof(struct perf_event_header) || hs > sizeof buf || tail + hs > head)
            break;
        for (uint16_t k = 0; k < hs; k++) /* a record may wrap around the end of the ring */
            buf[k] = data[(tail + k) % size];
        const struct perf_event_header *h = (const void *)buf;
        tail += hs;
        if (h->type == PERF_RECORD_LOST && hs >= 24) {
            vw.lost[i] += ((const uint64_t *)(h + 1))[1];
            continue;
        }
        if (h->type != PERF_RECORD_SAMPLE || hs < 8 + 8 * 5)
            continue;
        const uint64_t *f = (const uint64_t *)(h + 1);
        uint64_t ip = f[0], when = f[2], cpu = (uint32_t)f[3], abi = f[4];
        int is_load = 0, valid = 0;
        uint64_t value = 0, start = 0;
        int how = abi && hs >= 8 + 8 * (5 + NREGS)
                      ? ilv_decode_access(ip, f + 5, v->addr, (int)v->len, &is_load, &value, &valid, &start) : 0;
        int kind = !how ? ILV_VW_ACCESSED
                 : (is_load ? ILV_VW_READ : ILV_VW_WRITTEN) | (how == 1 ? ILV_VW_EA_ASSUMED : 0);
        uint64_t a3 = cpu | (uint64_t)(uint8_t)valid << 32 | (uint64_t)i << 40 | (uint64_t)nheld << 48;
        vw.taken[i]++;
        ilv_emit(ILV_HEAD(ILV_T_VAR_WATCH, ILV_POINT, kind), 0, when, ip, v->addr, value, start, a3,
                 nheld ? held[0] : 0);
        for (uint32_t k = 1; k < nheld; k += 5) /* more locks held: the rest, five a record */
            ilv_emit(ILV_HEAD(ILV_T_VAR_WATCH, ILV_POINT, ILV_VW_HELD), 0, when, 0, held[k],
                     k + 1 < nheld ? held[k + 1] : 0, k + 2 < nheld ? held[k + 2] : 0,
                     k + 3 < nheld ? held[k + 3] : 0, k + 4 < nheld ? held[k + 4] : 0);
    }
    __atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
}

/* Records the samples taken so far, with the locks held now (before the held set changes). */
void ilv_vw_harvest(void)
{
    if (__atomic_exchange_n(&vw.busy, 1, __ATOMIC_ACQ_REL))
        return;
    for (int i = 0; i < nvars; i++)
        if (vw.ring[i])
            harvest_one(i);
    __atomic_store_n(&vw.busy, 0, __ATOMIC_RELEASE);
}

/* sem_wait succeeded / sem_post: the semaphore counts as held in between (P/V around a critical
 * section). A semaphore posted by another thread stays in the set: at worst a write looks protected. */
void ilv_vw_sem(uint64_t sem, int acquired)
{
    if (!ilv_vw_armed)
        return;
    ilv_vw_harvest();
    if (acquired) {
        if (vw.nsems < VW_SEMS)
            vw.sems[vw.nsems++] = sem;
        return;
    }
    for (uint32_t i = vw.nsems; i > 0; i--)
        if (vw.sems[i - 1] == sem) {
            for (uint32_t k = i - 1; k + 1 < vw.nsems; k++)
                vw.sems[k] = vw.sems[k + 1];
            vw.nsems--;
            return;
        }
}

static void release(int i)
{
    if (vw.ring[i])
        ilv_sys2(SYS_munmap, vw.ring[i], (1 + VW_DATA_PAGES) * 4096);
    if (vw.fd[i] >= 0)
        ilv_sys1(SYS_close, vw.fd[i]);
    vw.ring[i] = 0;
    vw.fd[i] = -1;
}

/* The thread ends (or the process exits): the last samples, then per variable what was recorded. */
ILV_FORK_PATH void ilv_vw_end(void)
{
    if (!ilv_vw_armed)
        return;
    ilv_vw_harvest();
    ilv_vw_armed = 0;
    uint64_t ts = ilv_now();
    for (int i = 0; i < nvars; i++) {
        if (!vw.ring[i])
            continue;
        /* the event is disabled once the budget is spent: later accesses were not seen */
        ilv_emit(ILV_HEAD(ILV_T_VAR_WATCH, ILV_POINT, ILV_VW_DONE), 0, ts, 0, vars[i].addr, vw.taken[i],
                 (uint64_t)i, vw.lost[i], vw.taken[i] + vw.lost[i] >= budget ? 1 : 0);
        release(i);
    }
}

/* child of fork: the events belong to the parent's thread, and the child's memory is its own copy */
ILV_FORK_PATH void ilv_vw_forget(void)
{
    if (!ilv_vw_armed)
        return;
    ilv_vw_armed = 0;
    for (int i = 0; i < nvars; i++)
        release(i);
}

int ilv_vw_active(void)
{
    return nvars > 0;
}
