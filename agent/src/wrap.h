/* Interleave agent: what every family of intercepted functions shares (wrap_*.c).
 *
 * Each wrapper: if tracing is off, call the real function and nothing else. Otherwise record
 * ENTER (or nothing for non-blocking calls), call the real function, record EXIT / CALL, and
 * give the caller the real function's result and errno unchanged. */
#ifndef ILV_WRAP_H
#define ILV_WRAP_H
#include "core.h"
#include "locks.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ucontext.h>
#include <sys/prctl.h>

#define EXPORT __attribute__((visibility("default")))
extern __thread int ilv_vfork_child __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
#define RA ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define SX(x) ((uint64_t)(int64_t)(x))
#define P(x) ((uint64_t)(uintptr_t)(x))
#define ON ILV_LIKELY(ilv_g.enabled && !ilv_vfork_child)
#define H ILV_HEAD
#define E ILV_ENTER
#define X ILV_EXIT
#define C ILV_CALL
#define NOW ilv_now()
/* errno back to e after the agent's work, written only when it changed (it rarely does: the agent
 * makes raw system calls). After a fork every page the parent wrote is copy-on-write, and a write
 * to errno's page, which the program itself may not write, would cost it a page fault. */
#define ILV_ERRNO_BACK(e) do { if (errno != (e)) errno = (e); } while (0)

/* the body of a wrapper for a call that does not block: one CALL record with its duration */
#define CALL_RECORD(type, flags, call, a0, a1, a2)                                                 \
    uint64_t ts = NOW;                                                                             \
    long r = (long)(call);                                                                         \
    int e = errno;                                                                                 \
    ilv_emit(H(type, C, flags), r < 0 ? e : 0, ts, RA, a0, a1, a2, SX(r), NOW - ts);               \
    ILV_ERRNO_BACK(e);                                                                             \
    return r

/* what this thread is inside of, for the handler-entry record (wrap_signal.c, wrap_stdio.c) */
extern __thread int ilv_in_stdio __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
extern __thread int ilv_in_heap __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
extern __thread int ilv_in_handler __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;

/* resolving the real functions: each family declares its real_NAME pointers (DECL_REAL) and
 * resolves them in its ilv_wrap_init_FAMILY, called once from ilv_init_wrappers */
ILV_HIDDEN void *ilv_wrap_resolve(const char *name, const char *version);

#define DECL_REAL(name) static __typeof__(name) *real_##name
#define REAL(name)                                                                                 \
    ({                                                                                             \
        if (ILV_UNLIKELY(!real_##name))                                                            \
            real_##name = (__typeof__(name) *)ilv_wrap_resolve(#name, 0);                          \
        real_##name;                                                                               \
    })
#define REALV(name, ver)                                                                           \
    ({                                                                                             \
        if (ILV_UNLIKELY(!real_##name))                                                            \
            real_##name = (__typeof__(name) *)ilv_wrap_resolve(#name, ver);                        \
        real_##name;                                                                               \
    })

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* glibc declares poll()'s array write-only; the agent reads the caller's input values */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

ILV_HIDDEN void ilv_wrap_init_heap(void);
ILV_HIDDEN void ilv_wrap_init_process(void);
ILV_HIDDEN void ilv_wrap_init_thread(void);
ILV_HIDDEN void ilv_wrap_init_sync(void);
ILV_HIDDEN void ilv_wrap_init_io(void);
ILV_HIDDEN void ilv_wrap_init_signal(void);
ILV_HIDDEN void ilv_wrap_init_stdio(void);

/* copy n bytes of user memory without faulting (the program's pointer may be bad; then the
 * real call fails with EFAULT and we must not crash first). Returns bytes copied. */
static inline size_t safe_copy(void *dst, const void *src, size_t n)
{
    return ilv_copy_user(dst, src, n);
}

#endif
