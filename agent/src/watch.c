/* Interleave agent: what a new thread really read at *arg.
 *
 * When pthread_create's argument points into the creating thread's stack (&i, &connfd), the new
 * thread arms a one-shot hardware watchpoint on those 4 bytes before its start routine runs
 * (perf_event_open, PERF_TYPE_BREAKPOINT, read|write: x86 has no read-only data breakpoint). The
 * event counts only this thread's own user-mode accesses, so the creator's writes never trigger it.
 *
 * Why a sample in a ring buffer and no signal: a signal would have to be taken from the program
 * (SIGTRAP from perf's `sigtrap` is forced: a thread that blocked it would be killed), so the
 * first access is written by the kernel as a sample (time, instruction, CPU, user registers)
 * into a small ring buffer, and PERF_EVENT_IOC_REFRESH 1 disables the event after that one hit.
 * The sample is collected the next time the thread records anything (one TLS test in ilv_emit)
 * or when it ends. The registers are those right after the accessing instruction; decoding that
 * instruction (the common mov/movzx/movsx/movsxd forms) gives the value the thread loaded from
 * its destination register, exact even if the creator changed the memory a moment later.
 * Everything here uses raw system calls only: async-signal-safe, no allocation. */
#include "core.h"
#include <errno.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/hw_breakpoint.h>

__thread struct ilv_watch ilv_w __attribute__((tls_model("initial-exec")));

/* creator's stack bounds, cached per thread (the first pthread_create of a thread asks glibc) */
static __thread uintptr_t stk_lo __attribute__((tls_model("initial-exec")));
static __thread uintptr_t stk_hi __attribute__((tls_model("initial-exec")));

int ilv_on_own_stack(const void *p)
{
    if (!stk_hi) {
        pthread_attr_t a;
        void *sa = 0;
        size_t ss = 0;
        stk_hi = 1; /* unknown, do not ask again */
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            if (pthread_attr_getstack(&a, &sa, &ss) == 0 && ss) {
                stk_lo = (uintptr_t)sa;
                stk_hi = (uintptr_t)sa + ss;
            }
            pthread_attr_destroy(&a);
        }
    }
    uintptr_t x = (uintptr_t)p;
    return x >= stk_lo && x < stk_hi && stk_hi > 1;
}

#define RING_PAGES 2 /* the control page and one data page */
#define REG_MASK (0x1ffull | (0xffull << 16)) /* AX BX CX DX SI DI BP SP IP, R8..R15 */
#define NREGS 17

/* x86 register number (ModRM encoding) -> index in the sampled register array */
static const uint8_t reg_index[16] = {0, 2, 3, 1, 7, 6, 4, 5, 9, 10, 11, 12, 13, 14, 15, 16};

static void drop(void)
{
    if (ilv_w.ring)
        ilv_sys2(SYS_munmap, ilv_w.ring, RING_PAGES * 4096);
    if (ilv_w.fd >= 0)
        ilv_sys1(SYS_close, ilv_w.fd);
    ilv_w.ring = 0;
    ilv_w.fd = -1;
}

/* ts of the latest arming in this process, for the warm-up below */
static uint64_t last_arm_ns;

/* A counting, sampling read/write breakpoint on [a, a+len) for the calling thread, its samples carrying what the
 * decoder needs (ip, registers); shared with the variable watches (varwatch.c). */
void ilv_bp_attr(struct perf_event_attr *at, uint64_t a, uint32_t len)
{
    memset(at, 0, sizeof *at);
    at->type = PERF_TYPE_BREAKPOINT;
    at->size = sizeof *at;
    at->bp_type = HW_BREAKPOINT_R | HW_BREAKPOINT_W;
    at->bp_addr = a;
    at->bp_len = len;
    at->sample_period = 1;
    at->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_REGS_USER;
    at->sample_regs_user = REG_MASK;
    at->disabled = 1;
    at->exclude_kernel = 1;
    at->exclude_hv = 1;
    at->use_clockid = 1;
    at->clockid = CLOCK_MONOTONIC;
}

/* Called by the creator before it creates a thread that will arm. When no per-thread perf event
 * existed on the machine for about a second, the kernel's first one switches on its scheduler hooks
 * and waits for an RCU grace period (10-15 ms measured here); every thread arming at that moment
 * would wait for it and read its argument late, hiding the very race it watches. So the creator
 * pays that once, before the thread exists: open and close one disabled breakpoint on its own
 * stack (the hooks stay on for a second after the last event closes). */
void ilv_watch_warm(const void *addr)
{
    uint64_t now = ilv_now();
    if (ilv_g.watch_off || now - __atomic_load_n(&last_arm_ns, __ATOMIC_RELAXED) < 500000000ull)
        return;
    __atomic_store_n(&last_arm_ns, now, __ATOMIC_RELAXED);
    struct perf_event_attr at;
    ilv_bp_attr(&at, (uintptr_t)addr & ~(uintptr_t)3, HW_BREAKPOINT_LEN_4);
    long fd = ilv_sys6(SYS_perf_event_open, (long)&at, 0, -1, -1, PERF_FLAG_FD_CLOEXEC, 0);
    if (fd >= 0)
        ilv_sys1(SYS_close, fd);
}

void ilv_watch_arm(const void *addr, uint64_t ts)
{
    ilv_w.fd = -1;
    ilv_w.ring = 0;
    uintptr_t a = (uintptr_t)addr;
    if (ilv_g.watch_off) {
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_UNAVAILABLE), 0, ts, 0, a, 0, 0, 0, 0);
        return;
    }
    if (a & 3) { /* a 4-byte breakpoint must be aligned */
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_UNAVAILABLE), EINVAL, ts, 0, a, 0, 0, 0, 0);
        return;
    }
    struct perf_event_attr at;
    ilv_bp_attr(&at, a, HW_BREAKPOINT_LEN_4);
    __atomic_store_n(&last_arm_ns, ts, __ATOMIC_RELAXED);
    long fd = ilv_sys6(SYS_perf_event_open, (long)&at, 0, -1, -1, PERF_FLAG_FD_CLOEXEC, 0);
    if (fd < 0) {
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_UNAVAILABLE), (int32_t)-fd, ts, 0, a, 0, 0, 0, 0);
        return;
    }
    long m = ilv_sys6(SYS_mmap, 0, RING_PAGES * 4096, 3 /*RW*/, 1 /*SHARED*/, fd, 0);
    if (m < 0 && m > -4096) {
        ilv_sys1(SYS_close, fd);
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_UNAVAILABLE), (int32_t)-m, ts, 0, a, 0, 0, 0, 0);
        return;
    }
    long r = ilv_sys3(SYS_ioctl, fd, PERF_EVENT_IOC_REFRESH, 1);
    if (r < 0) {
        ilv_sys2(SYS_munmap, m, RING_PAGES * 4096);
        ilv_sys1(SYS_close, fd);
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_UNAVAILABLE), (int32_t)-r, ts, 0, a, 0, 0, 0, 0);
        return;
    }
    ilv_w.fd = (int)fd;
    ilv_w.ring = (void *)m;
    ilv_w.addr = a;
    ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_ARMED), 0, ts, 0, a, 4, ilv_now() - ts, 0, 0);
    ILV_BARRIER();
    __atomic_store_n(&ilv_w.armed, 1, __ATOMIC_RELEASE);
}

/* ---- decoding the accessing instruction ---- */

enum { K_LOAD = 1, K_STORE, K_STORE_IMM };

struct insn {
    int len, kind, size, reg, high8, base, index, scale, riprel;
    int64_t disp;
    uint64_t imm;
};

static int64_t rd_s32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* one instruction at p (max bytes): the data-moving forms a thread uses to read an int through a
 * pointer. Returns 0 for anything else. */
static int decode(const uint8_t *p, int max, struct insn *d)
{
    int i = 0, o16 = 0, rex = 0;
    memset(d, 0, sizeof *d);
    while (i < max && (p[i] == 0x66 || p[i] == 0x2e || p[i] == 0x3e || p[i] == 0x26 || p[i] == 0x36)) {
        if (p[i] == 0x66)
            o16 = 1;
        i++;
    }
    if (i < max && (p[i] & 0xf0) == 0x40)
        rex = p[i++];
    if (i >= max)
        return 0;
    int op = p[i++], two = 0;
    if (op == 0x0f) {
        if (i >= max)
            return 0;
        two = 1;
        op = p[i++];
    }
    int wsize = (rex & 8) ? 8 : o16 ? 2 : 4;
    if (!two) {
        switch (op) {
        case 0x8b: d->kind = K_LOAD; d->size = wsize; break;
        case 0x8a: d->kind = K_LOAD; d->size = 1; break;
        case 0x63: d->kind = K_LOAD; d->size = 4; break;
        case 0x89: d->kind = K_STORE; d->size = wsize; break;
        case 0x88: d->kind = K_STORE; d->size = 1; break;
        case 0xc7: d->kind = K_STORE_IMM; d->size = wsize; break;
        case 0xc6: d->kind = K_STORE_IMM; d->size = 1; break;
        default: return 0;
        }
    } else {
        switch (op) {
        case 0xb6: case 0xbe: d->kind = K_LOAD; d->size = 1; break;
        case 0xb7: case 0xbf: d->kind = K_LOAD; d->size = 2; break;
        default: return 0;
        }
    }
    if (i >= max)
        return 0;
    int m = p[i++], mod = m >> 6, rm = m & 7;
    d->reg = ((m >> 3) & 7) | ((rex & 4) ? 8 : 0);
    if (mod == 3)
        return 0;
    if (d->kind == K_STORE_IMM && (d->reg & 7) != 0)
        return 0;
    if (d->size == 1 && !rex && d->reg >= 4 && d->reg < 8 && d->kind != K_STORE_IMM) {
        d->high8 = 1; /* AH CH DH BH */
        d->reg -= 4;
    }
    d->base = d->index = -1;
    d->scale = 1;
    int disp32 = mod == 2;
    if (rm == 4) {
        if (i >= max)
            return 0;
        int sib = p[i++], idx = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);
        d->scale = 1 << (sib >> 6);
        if (idx != 4)
            d->index = idx;
        if ((sib & 7) == 5 && mod == 0)
            disp32 = 1;
        else
            d->base = (sib & 7) | ((rex & 1) ? 8 : 0);
    } else if (rm == 5 && mod == 0) {
        d->riprel = 1;
        disp32 = 1;
    } else {
        d->base = rm | ((rex & 1) ? 8 : 0);
    }
    if (mod == 1) {
        if (i >= max)
            return 0;
        d->disp = (int8_t)p[i++];
    } else if (disp32) {
        if (i + 4 > max)
            return 0;
        d->disp = rd_s32(p + i);
        i += 4;
    }
    if (d->kind == K_STORE_IMM) {
        int n = d->size == 1 ? 1 : d->size == 2 ? 2 : 4;
        if (i + n > max)
            return 0;
        d->imm = n == 1 ? p[i] : n == 2 ? (uint64_t)(p[i] | p[i + 1] << 8) : (uint64_t)rd_s32(p + i);
        i += n;
    }
    d->len = i;
    return 1;
}

static uint64_t size_mask(int size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* what one decoded instruction says about the watched bytes */
struct access {
    int kind;          /* K_LOAD / K_STORE / K_STORE_IMM */
    int valid;         /* bytes of the value known, from the watched address on (at most the watched length) */
    uint64_t value;
    uint64_t start;    /* the instruction's address */
};

static int value_of(const struct insn *d, uint64_t ea, uint64_t addr, int wlen, const uint64_t *regs, uint64_t ip,
                    struct access *out)
{
    if (ea > addr)
        return 0; /* starts inside the watched bytes: their first bytes are not in it */
    uint64_t v = d->kind == K_STORE_IMM ? d->imm
               : d->high8 ? (regs[reg_index[d->reg]] >> 8) & 0xff : regs[reg_index[d->reg]];
    v &= size_mask(d->size);
    uint64_t shift = addr - ea;
    if (shift >= (uint64_t)d->size)
        return 0;
    int valid = d->size - (int)shift;
    if (valid > wlen)
        valid = wlen;
    out->kind = d->kind;
    out->valid = valid;
    out->value = (v >> (8 * shift)) & size_mask(valid);
    out->start = ip - (uint64_t)d->len;
    return 1;
}

/* same kind and the same bytes where both know them: the tail of 48 8b 05 .. (an 8-byte load) decodes
 * as 8b 05 .. (a 4-byte load of the same address), which agrees on the low 4 bytes */
static int same(const struct access *a, const struct access *b)
{
    int n = a->valid < b->valid ? a->valid : b->valid;
    return (a->kind == K_LOAD) == (b->kind == K_LOAD) && ((a->value ^ b->value) & size_mask(n)) == 0;
}

/* The sample's registers are those after the instruction that ends at ip. Every start ip - L
 * that decodes to an instruction of exactly L bytes is a candidate (x86 cannot be decoded
 * backwards, so several may fit: 48 63 07 and its tail 63 07 both load from (%rdi)). A candidate
 * whose effective address, recomputed from the registers, overlaps the watched bytes is
 * verified; one that overwrote a register it addressed with (mov (%rax),%eax) cannot be checked
 * and counts only when nothing was verified. The answer stands if all candidates of the chosen
 * group agree on kind and value. Returns 2 verified, 1 address assumed, 0 unknown. */
static int find_access(uint64_t ip, const uint64_t *regs, uint64_t addr, int wlen, struct access *out)
{
    uint8_t code[15];
    if (ilv_copy_user(code, (const void *)(uintptr_t)(ip - 15), 15) != 15)
        return 0;
    int nv = 0, nt = 0, vbad = 0, tbad = 0;
    struct access ver = {0, 0, 0, 0}, ten = {0, 0, 0, 0}, x;
    for (int L = 1; L <= 15; L++) {
        struct insn d;
        if (!decode(code + 15 - L, L, &d) || d.len != L)
            continue;
        if (d.kind == K_LOAD && (d.reg == d.base || d.reg == d.index)) {
            if (!value_of(&d, addr, addr, wlen, regs, ip, &x))
                continue;
            if (nt++ == 0)
                ten = x;
            else if (!same(&ten, &x))
                tbad = 1;
            continue;
        }
        uint64_t ea = (uint64_t)d.disp;
        if (d.riprel)
            ea += ip;
        if (d.base >= 0)
            ea += regs[reg_index[d.base]];
        if (d.index >= 0)
            ea += regs[reg_index[d.index]] * (uint64_t)d.scale;
        if (!(ea < addr + (uint64_t)wlen && ea + (uint64_t)d.size > addr))
            continue;
        if (!value_of(&d, ea, addr, wlen, regs, ip, &x)) {
            vbad = 1;
            continue;
        }
        if (nv++ == 0)
            ver = x;
        else if (!same(&ver, &x))
            vbad = 1;
        else
            ver = x; /* the longest agreeing form: its prefix bytes belong to it */
    }
    if (nv && !vbad) {
        *out = ver;
        return 2;
    }
    if (!nv && !vbad && nt && !tbad) {
        *out = ten;
        return 1;
    }
    return 0;
}

int ilv_decode_access(uint64_t ip, const uint64_t *regs, uint64_t addr, int wlen, int *is_load, uint64_t *value,
                      int *valid, uint64_t *start)
{
    struct access x;
    int how = find_access(ip, regs, addr, wlen, &x);
    if (how) {
        *is_load = x.kind == K_LOAD;
        *value = x.value;
        *valid = x.valid;
        *start = x.start;
    }
    return how;
}

static void harvest(void)
{
    volatile struct perf_event_mmap_page *pg = ilv_w.ring;
    uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
    uint64_t off = pg->data_offset ? pg->data_offset : 4096;
    uint64_t size = pg->data_size ? pg->data_size : 4096;
    const uint8_t *data = (const uint8_t *)ilv_w.ring + off;
    uint64_t pos = 0;
    while (pos + sizeof(struct perf_event_header) <= head && pos < size) {
        const struct perf_event_header *h = (const void *)(data + pos);
        if (h->size == 0 || pos + h->size > size)
            break;
        if (h->type == PERF_RECORD_SAMPLE && h->size >= 8 + 8 * 5) {
            /* ip, pid/tid, time, cpu/res, regs abi, regs */
            const uint64_t *f = (const uint64_t *)(h + 1);
            uint64_t ip = f[0], when = f[2], cpu = (uint32_t)f[3], abi = f[4];
            uint64_t a = ilv_w.addr;
            struct access x;
            int how = abi && h->size >= 8 + 8 * (5 + NREGS) ? find_access(ip, f + 5, a, 4, &x) : 0;
            if (how) {
                int kind = (x.kind == K_LOAD ? ILV_WATCH_READ : ILV_WATCH_WRITTEN) |
                           (how == 1 ? ILV_WATCH_EA_ASSUMED : 0);
                ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, kind), 0, when, ip, a, x.value, x.start, cpu,
                         (uint64_t)x.valid);
            } else {
                ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_ACCESSED), 0, when, ip, a, 0, 0, cpu, 0);
            }
            return;
        }
        pos += h->size;
    }
}

void ilv_watch_poll(void)
{
    volatile struct perf_event_mmap_page *pg = ilv_w.ring;
    if (!pg || __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE) == 0)
        return;
    /* claim it: a signal handler's event in between sees armed = 0 */
    if (!__atomic_exchange_n(&ilv_w.armed, 0, __ATOMIC_ACQ_REL))
        return;
    harvest();
    drop();
}

void ilv_watch_end(void)
{
    if (!__atomic_exchange_n(&ilv_w.armed, 0, __ATOMIC_ACQ_REL))
        return;
    volatile struct perf_event_mmap_page *pg = ilv_w.ring;
    if (__atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE) != 0)
        harvest();
    else
        ilv_emit(ILV_HEAD(ILV_T_ARG_WATCH, ILV_POINT, ILV_WATCH_NOT_ACCESSED), 0, ilv_now(), 0, ilv_w.addr, 0, 0, 0, 0);
    drop();
}

/* child of fork: the event belongs to the parent's thread; release our copies silently */
ILV_FORK_PATH void ilv_watch_forget(void)
{
    if (!__atomic_exchange_n(&ilv_w.armed, 0, __ATOMIC_ACQ_REL))
        return;
    drop();
}

/* ---- CPU records ---- */

__thread uint32_t ilv_cpu_last __attribute__((tls_model("initial-exec")));

uint32_t ilv_cpu_slow(void)
{
    unsigned cpu = 0;
    /* vDSO getcpu through glibc; no errno change on x86-64 (cannot fail) */
    return getcpu(&cpu, 0) == 0 ? cpu + 1 : 0;
}

/* flags: 0 the number came from rseq, 1 from getcpu */
ILV_FORK_PATH void ilv_cpu_changed(uint64_t owner, uint64_t ts, uint32_t cpu1)
{
    ilv_cpu_last = cpu1;
    if (cpu1)
        ilv_emit_raw(ILV_HEAD(ILV_T_CPU, ILV_POINT, ilv_g.has_rseq ? 0 : 1), 0, ts, 0, owner, cpu1 - 1, 0, 0, 0);
}
