/* Interleave agent: the intercepted functions.
 *
 * Each wrapper: if tracing is off, call the real function and nothing else. Otherwise record
 * ENTER (or nothing for non-blocking calls), call the real function, record EXIT / CALL, and
 * give the caller the real function's result and errno unchanged. */
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

/* what this thread is inside of, for the handler-entry record (see "stdio and heap") */
static __thread int in_stdio __attribute__((tls_model("initial-exec")));
static __thread int in_heap __attribute__((tls_model("initial-exec")));
static __thread int in_handler __attribute__((tls_model("initial-exec")));

/* ------------------------------------------------------------ resolving the real functions */

static void *resolve(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_NEXT, name, version) : 0;
    if (!p)
        p = dlsym(RTLD_NEXT, name);
    return p;
}

#define DECL_REAL(name) static __typeof__(name) *real_##name
#define REAL(name)                                                                                 \
    ({                                                                                             \
        if (ILV_UNLIKELY(!real_##name))                                                            \
            real_##name = (__typeof__(name) *)resolve(#name, 0);                                   \
        real_##name;                                                                               \
    })
#define REALV(name, ver)                                                                           \
    ({                                                                                             \
        if (ILV_UNLIKELY(!real_##name))                                                            \
            real_##name = (__typeof__(name) *)resolve(#name, ver);                                 \
        real_##name;                                                                               \
    })

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* glibc declares poll()'s array write-only; the agent reads the caller's input values */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/* glibc entry points without a public prototype */
extern int __printf_chk(int flag, const char *fmt, ...);
extern int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
extern int __vprintf_chk(int flag, const char *fmt, va_list ap);
extern int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap);
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
typedef int (*ilv_main_fn)(int, char **, char **);
extern int __libc_start_main(ilv_main_fn main, int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end);

DECL_REAL(__libc_start_main);
DECL_REAL(exit);
DECL_REAL(_exit);
DECL_REAL(_Exit);
DECL_REAL(fork);
DECL_REAL(_Fork);
DECL_REAL(execve);
DECL_REAL(execv);
DECL_REAL(execvp);
DECL_REAL(execvpe);
DECL_REAL(posix_spawn);
DECL_REAL(posix_spawnp);
DECL_REAL(wait);
DECL_REAL(waitpid);
DECL_REAL(wait3);
DECL_REAL(wait4);
DECL_REAL(pthread_create);
DECL_REAL(pthread_exit);
DECL_REAL(pthread_join);
DECL_REAL(pthread_detach);
DECL_REAL(pthread_timedjoin_np);
DECL_REAL(pthread_tryjoin_np);
DECL_REAL(pthread_clockjoin_np);
DECL_REAL(pthread_setname_np);
DECL_REAL(prctl);
DECL_REAL(setuid);
DECL_REAL(seteuid);
DECL_REAL(setreuid);
DECL_REAL(setresuid);
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
DECL_REAL(socket);
DECL_REAL(bind);
DECL_REAL(listen);
DECL_REAL(accept);
DECL_REAL(accept4);
DECL_REAL(connect);
DECL_REAL(close);
DECL_REAL(read);
DECL_REAL(write);
DECL_REAL(recv);
DECL_REAL(send);
DECL_REAL(recvfrom);
DECL_REAL(sendto);
DECL_REAL(shutdown);
DECL_REAL(dup);
DECL_REAL(dup2);
DECL_REAL(dup3);
DECL_REAL(pipe);
DECL_REAL(pipe2);
DECL_REAL(select);
DECL_REAL(pselect);
DECL_REAL(poll);
DECL_REAL(ppoll);
DECL_REAL(epoll_wait);
DECL_REAL(epoll_pwait);
DECL_REAL(sleep);
DECL_REAL(usleep);
DECL_REAL(nanosleep);
DECL_REAL(sigaction);
DECL_REAL(signal);
DECL_REAL(siginterrupt);
DECL_REAL(kill);
DECL_REAL(raise);
DECL_REAL(pthread_kill);
DECL_REAL(vprintf);
DECL_REAL(vfprintf);
DECL_REAL(vdprintf);
DECL_REAL(__vprintf_chk);
DECL_REAL(__vfprintf_chk);
DECL_REAL(puts);
DECL_REAL(fputs);
DECL_REAL(putchar);
DECL_REAL(fputc);
DECL_REAL(putc);
DECL_REAL(fwrite);
DECL_REAL(fflush);
DECL_REAL(perror);
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

void ilv_init_wrappers(void)
{
    /* resolve everything now, outside any signal handler; malloc first (dlsym may allocate:
     * until real_calloc is set our calloc uses __libc_calloc) */
    real_malloc = (void *(*)(size_t))resolve("malloc", 0);
    real_calloc = (void *(*)(size_t, size_t))resolve("calloc", 0);
    real_realloc = (void *(*)(void *, size_t))resolve("realloc", 0);
    real_free = (void (*)(void *))resolve("free", 0);
    (void)REAL(__libc_start_main);
    (void)REAL(exit);
    (void)REAL(_exit);
    (void)REAL(_Exit);
    (void)REAL(fork);
    (void)REAL(_Fork);
    (void)REAL(execve);
    (void)REAL(execv);
    (void)REAL(execvp);
    (void)REAL(execvpe);
    (void)REAL(posix_spawn);
    (void)REAL(posix_spawnp);
    (void)REAL(wait);
    (void)REAL(waitpid);
    (void)REAL(wait3);
    (void)REAL(wait4);
    (void)REAL(pthread_create);
    (void)REAL(pthread_exit);
    (void)REAL(pthread_join);
    (void)REAL(pthread_detach);
    (void)REAL(pthread_timedjoin_np);
    (void)REAL(pthread_tryjoin_np);
    (void)REAL(pthread_clockjoin_np);
    (void)REAL(pthread_setname_np);
    (void)REAL(prctl);
    (void)REAL(setuid);
    (void)REAL(seteuid);
    (void)REAL(setreuid);
    (void)REAL(setresuid);
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
    (void)REAL(socket);
    (void)REAL(bind);
    (void)REAL(listen);
    (void)REAL(accept);
    (void)REAL(accept4);
    (void)REAL(connect);
    (void)REAL(close);
    (void)REAL(read);
    (void)REAL(write);
    (void)REAL(recv);
    (void)REAL(send);
    (void)REAL(recvfrom);
    (void)REAL(sendto);
    (void)REAL(shutdown);
    (void)REAL(dup);
    (void)REAL(dup2);
    (void)REAL(dup3);
    (void)REAL(pipe);
    (void)REAL(pipe2);
    (void)REAL(select);
    (void)REAL(pselect);
    (void)REAL(poll);
    (void)REAL(ppoll);
    (void)REAL(epoll_wait);
    (void)REAL(epoll_pwait);
    (void)REAL(sleep);
    (void)REAL(usleep);
    (void)REAL(nanosleep);
    (void)REAL(sigaction);
    (void)REAL(signal);
    (void)REAL(siginterrupt);
    (void)REAL(kill);
    (void)REAL(raise);
    (void)REAL(pthread_kill);
    (void)REAL(vprintf);
    (void)REAL(vfprintf);
    (void)REAL(vdprintf);
    (void)REAL(__vprintf_chk);
    (void)REAL(__vfprintf_chk);
    (void)REAL(puts);
    (void)REAL(fputs);
    (void)REAL(putchar);
    (void)REAL(fputc);
    (void)REAL(putc);
    (void)REAL(fwrite);
    (void)REAL(fflush);
    (void)REAL(perror);
}

/* copy n bytes of user memory without faulting (the program's pointer may be bad; then the
 * real call fails with EFAULT and we must not crash first). Returns bytes copied. */
static size_t safe_copy(void *dst, const void *src, size_t n)
{
    return ilv_copy_user(dst, src, n);
}

/* Same, but cheap for pointers seen before: pages that were readable at an earlier check are
 * remembered per thread (8 entries), and later reads from them are plain loads. Used for the
 * arguments of calls that run in loops (select, poll, nanosleep); the only way to make it
 * fault is to unmap such a page and then pass a pointer into it. */
static __thread uintptr_t ok_pages[8] __attribute__((tls_model("initial-exec")));

static size_t cached_copy(void *dst, const void *src, size_t n)
{
    uintptr_t a = (uintptr_t)src, p0 = a >> 12, p1 = (a + n - 1) >> 12;
    if (a >= 4096 && ok_pages[p0 & 7] == p0 && ok_pages[p1 & 7] == p1) {
        __builtin_memcpy(dst, src, n);
        return n;
    }
    size_t k = safe_copy(dst, src, n);
    if (k == n) {
        ok_pages[p0 & 7] = p0;
        ok_pages[p1 & 7] = p1;
    }
    return k;
}

/* packed address (docs/trace-format.md 4.3) from a sockaddr known to be readable */
static uint64_t pack_addr(const struct sockaddr *sa, socklen_t len)
{
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return 0;
    uint64_t fam = sa->sa_family;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uint32_t ip;
        memcpy(&ip, &in->sin_addr, 4);
        return fam | ((uint64_t)ntohs(in->sin_port) << 16) | ((uint64_t)ip << 32);
    }
    return fam;
}

static uint64_t pack_user_addr(const struct sockaddr *sa, socklen_t len, struct sockaddr_storage *copy,
                               size_t *copied)
{
    *copied = 0;
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return 0;
    size_t n = len < sizeof *copy ? len : sizeof *copy;
    *copied = safe_copy(copy, sa, n);
    if (*copied < sizeof(sa_family_t))
        return 0;
    return pack_addr((struct sockaddr *)copy, (socklen_t)*copied);
}

static void addr_string(uint64_t owner, uint64_t ts, const struct sockaddr_storage *copy, size_t n)
{
    if (n >= sizeof(sa_family_t) && copy->ss_family != AF_INET)
        ilv_emit_string(owner, ts, ILV_S_SOCKADDR, copy, n, 0);
}

/* ------------------------------------------------------------ process life */

static ilv_main_fn real_main;

static int ilv_main(int argc, char **argv, char **envp)
{
    volatile int top = 0;
    ilv_lk_stack_top((const void *)&top);
    int r = real_main(argc, argv, envp);
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 4), 0, NOW, 0, SX(r), 0, 0, 0, 0);
        ilv_store_lost();
    }
    return r;
}

EXPORT int __libc_start_main(ilv_main_fn main, int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    real_main = main;
    return REAL(__libc_start_main)(ilv_main, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT void exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 1), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_store_lost();
    }
    REAL(exit)(status);
    __builtin_unreachable();
}

EXPORT void _exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 2), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_store_lost();
    }
    REAL(_exit)(status);
    __builtin_unreachable();
}

EXPORT void _Exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 3), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_store_lost();
    }
    REAL(_Exit)(status);
    __builtin_unreachable();
}

static pid_t fork_common(int variant, uint64_t ra, pid_t (*fn)(void))
{
    if (!ON)
        return fn();
    uint64_t ts = NOW;
    ilv_emit(H(ILV_T_FORK, E, variant), 0, ts, ra, 0, 0, 0, 0, 0);
    int parent = ilv_g.pid, ptid = ilv_t.tid;
    uint64_t pimg = ilv_g.image_start_ns;
    sigset_t old;
    ilv_block_all(&old); /* no handler may write between fork and the child's reset */
    ilv_arena_before_fork();
    ilv_t.in_fork = 1;
    pid_t r = fn();
    int e = errno;
    if (r == 0) {
        ilv_child_after_fork(parent);
        ilv_lk_after_fork();
        ilv_create_file_blocked();
        ilv_restore(&old);
        ilv_emit(H(ILV_T_FORK_CHILD, ILV_POINT, variant), 0, NOW, ra, SX(parent), SX(ptid), pimg, ts, 0);
    } else {
        ilv_t.in_fork = 0;
        ilv_restore(&old);
        ilv_emit(H(ILV_T_FORK, X, variant), r < 0 ? e : 0, NOW, ra, SX(r), 0, 0, 0, 0);
    }
    errno = e;
    return r;
}

EXPORT pid_t fork(void) { return fork_common(0, RA, REAL(fork)); }
/* vfork stays a real vfork (the parent thread is suspended and memory is shared until the child
 * execs or exits). It cannot be a C function (the child would return through, and overwrite, the
 * frame the parent returns through later), so it is assembly like glibc's own: the return
 * address is kept in a register across the system call. The child shares the parent thread's
 * TLS; it sets ilv_vfork_child there, which turns recording off, and the parent clears it when
 * it resumes. The child's image after exec is traced from its PROC_START. */
__thread int ilv_vfork_child __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;

ILV_HIDDEN void ilv_vfork_enter(uint64_t ra)
{
    if (ON)
        ilv_emit(H(ILV_T_FORK, E, 1), 0, NOW, ra, 0, 0, 0, 0, 0);
}

ILV_HIDDEN long ilv_vfork_parent(long r, uint64_t ra)
{
    ilv_vfork_child = 0;
    int e = r < 0 ? (int)-r : 0;
    if (ON)
        ilv_emit(H(ILV_T_FORK, X, 1), e, NOW, ra, SX(r < 0 ? -1 : r), 0, 0, 0, 0);
    if (r < 0) {
        errno = e;
        return -1;
    }
    return r;
}

__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork,@function\n"
        "vfork:\n"
        "    mov (%rsp), %rdi\n"          /* caller's return address */
        "    sub $8, %rsp\n"
        "    call ilv_vfork_enter\n"
        "    add $8, %rsp\n"
        "    pop %rdi\n"                  /* keep the return address in a register */
        "    mov $58, %eax\n"             /* SYS_vfork */
        "    syscall\n"
        "    push %rdi\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    mov %rdi, %rsi\n"            /* parent (or error): record, set errno */
        "    mov %rax, %rdi\n"
        "    sub $8, %rsp\n"
        "    call ilv_vfork_parent\n"
        "    add $8, %rsp\n"
        "    ret\n"
        "1:  mov ilv_vfork_child@gottpoff(%rip), %rcx\n" /* child: recording off */
        "    movl $1, %fs:(%rcx)\n"
        "    ret\n"
        ".size vfork, .-vfork\n");
EXPORT pid_t _Fork(void) { return fork_common(2, RA, REAL(_Fork)); }

static int argc_of(char *const argv[])
{
    int n = 0;
    while (argv && argv[n])
        n++;
    return n;
}

static void exec_enter(int variant, uint64_t ra, const char *path, char *const argv[])
{
    uint64_t ts = NOW;
    uint64_t idx = ilv_emit(H(ILV_T_EXEC, E, variant), 0, ts, ra, (uint64_t)argc_of(argv), 0, 0, 0, 0);
    if (path) {
        size_t n = strnlen(path, ILV_STR_MAX + 1);
        ilv_emit_string(idx, ts, ILV_S_EXEC_PATH, path, n, 0);
    }
    ilv_emit_argv(idx, ts, ILV_S_EXEC_ARGV, argv);
}

static void exec_exit(int variant, uint64_t ra, int e)
{
    ilv_emit(H(ILV_T_EXEC, X, variant), e, NOW, ra, 0, 0, 0, 0, 0);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    if (!ON)
        return REAL(execve)(path, argv, envp);
    uint64_t ra = RA;
    exec_enter(0, ra, path, argv);
    int r = REAL(execve)(path, argv, envp);
    int e = errno;
    exec_exit(0, ra, e);
    errno = e;
    return r;
}

EXPORT int execv(const char *path, char *const argv[])
{
    if (!ON)
        return REAL(execv)(path, argv);
    uint64_t ra = RA;
    exec_enter(1, ra, path, argv);
    int r = REAL(execv)(path, argv);
    int e = errno;
    exec_exit(1, ra, e);
    errno = e;
    return r;
}

EXPORT int execvp(const char *file, char *const argv[])
{
    if (!ON)
        return REAL(execvp)(file, argv);
    uint64_t ra = RA;
    exec_enter(2, ra, file, argv);
    int r = REAL(execvp)(file, argv);
    int e = errno;
    exec_exit(2, ra, e);
    errno = e;
    return r;
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    if (!ON)
        return REAL(execvpe)(file, argv, envp);
    uint64_t ra = RA;
    exec_enter(3, ra, file, argv);
    int r = REAL(execvpe)(file, argv, envp);
    int e = errno;
    exec_exit(3, ra, e);
    errno = e;
    return r;
}

/* execl family: gather the variable arguments into a vector, then as execv/execvp/execve */
#define GATHER_ARGS(arg0, last, vec, envout)                                                       \
    size_t n_ = 1;                                                                                 \
    va_list ap_;                                                                                   \
    va_start(ap_, arg0);                                                                           \
    while (va_arg(ap_, char *))                                                                    \
        n_++;                                                                                      \
    va_end(ap_);                                                                                   \
    char **vec = __builtin_alloca((n_ + 1) * sizeof(char *));                                      \
    vec[0] = (char *)(arg0);                                                                       \
    va_start(ap_, arg0);                                                                           \
    for (size_t i_ = 1; i_ <= n_; i_++)                                                            \
        vec[i_] = va_arg(ap_, char *);                                                             \
    if (last)                                                                                      \
        envout = va_arg(ap_, char **);                                                             \
    va_end(ap_)

EXPORT int execl(const char *path, const char *arg, ...)
{
    char **envp_unused = 0;
    GATHER_ARGS(arg, 0, argv, envp_unused);
    (void)envp_unused;
    if (!ON)
        return REAL(execv)(path, argv);
    uint64_t ra = RA;
    exec_enter(4, ra, path, argv);
    int r = REAL(execv)(path, argv);
    int e = errno;
    exec_exit(4, ra, e);
    errno = e;
    return r;
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
    char **envp_unused = 0;
    GATHER_ARGS(arg, 0, argv, envp_unused);
    (void)envp_unused;
    if (!ON)
        return REAL(execvp)(file, argv);
    uint64_t ra = RA;
    exec_enter(5, ra, file, argv);
    int r = REAL(execvp)(file, argv);
    int e = errno;
    exec_exit(5, ra, e);
    errno = e;
    return r;
}

EXPORT int execle(const char *path, const char *arg, ...)
{
    char **envp = 0;
    GATHER_ARGS(arg, 1, argv, envp);
    if (!ON)
        return REAL(execve)(path, argv, envp);
    uint64_t ra = RA;
    exec_enter(6, ra, path, argv);
    int r = REAL(execve)(path, argv, envp);
    int e = errno;
    exec_exit(6, ra, e);
    errno = e;
    return r;
}

static int spawn_common(int variant, uint64_t ra, int r, pid_t *pid, const char *path, uint64_t ts)
{
    pid_t child = (r == 0 && pid) ? *pid : -1;
    uint64_t idx = ilv_emit(H(ILV_T_SPAWN, C, variant), r, ts, ra, SX(child), 0, 0, 0, NOW - ts);
    if (path)
        ilv_emit_string(idx, ts, ILV_S_SPAWN_PATH, path, strnlen(path, ILV_STR_MAX + 1), 0);
    return r;
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    if (!ON)
        return REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
    uint64_t ts = NOW;
    int r = REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
    int e = errno;
    spawn_common(0, RA, r, pid, path, ts);
    errno = e;
    return r;
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    if (!ON)
        return REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
    uint64_t ts = NOW;
    int r = REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
    int e = errno;
    spawn_common(1, RA, r, pid, file, ts);
    errno = e;
    return r;
}

#define WAIT_BODY(variant, pidarg, opts, call)                                                     \
    uint64_t ra = RA;                                                                              \
    int st_ = 0;                                                                                   \
    int *stp_ = status ? status : &st_;                                                            \
    ilv_emit(H(ILV_T_WAIT, E, variant), 0, NOW, ra, SX(pidarg), SX(opts), 0, 0, 0);                \
    pid_t r = call;                                                                                \
    int e = errno;                                                                                 \
    ilv_emit(H(ILV_T_WAIT, X, variant), r < 0 ? e : 0, NOW, ra, SX(pidarg), SX(opts), SX(r),       \
             r > 0 ? SX(*stp_) : 0, 0);                                                            \
    errno = e;                                                                                     \
    return r

EXPORT pid_t wait(int *status)
{
    if (!ON)
        return REAL(wait)(status);
    WAIT_BODY(0, -1, 0, REAL(wait)(stp_));
}

EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    if (!ON)
        return REAL(waitpid)(pid, status, options);
    WAIT_BODY(1, pid, options, REAL(waitpid)(pid, stp_, options));
}

EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
    if (!ON)
        return REAL(wait3)(status, options, ru);
    WAIT_BODY(2, -1, options, REAL(wait3)(stp_, options, ru));
}

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    if (!ON)
        return REAL(wait4)(pid, status, options, ru);
    WAIT_BODY(3, pid, options, REAL(wait4)(pid, stp_, options, ru));
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
    ilv_lk_flush();
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
    ilv_lk_flush();
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
    errno = e;
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
    errno = e;
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
    errno = e;                                                                                     \
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
    errno = e;
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
        errno = e;
    }
    return r;
}

/* A program started as root that switches to another user (nginx "user", memcached -u, lighttpd
 * server.username) must still be able to write its trace: before the switch the agent gives this
 * process's trace files to the new user and opens the run directory to every user (sticky, like
 * /tmp). Without it the thread files could no longer be grown or created and most events of the
 * server's workers were lost. */
static void before_uid_change(uid_t to)
{
    if (to != (uid_t)-1 && to != 0 && ilv_sys0(SYS_geteuid) == 0)
        ilv_handover_files((int)to);
}

EXPORT int setuid(uid_t u)
{
    if (ON)
        before_uid_change(u);
    return REAL(setuid)(u);
}

EXPORT int seteuid(uid_t u)
{
    if (ON)
        before_uid_change(u);
    return REAL(seteuid)(u);
}

EXPORT int setreuid(uid_t r, uid_t e)
{
    if (ON)
        before_uid_change(e != (uid_t)-1 ? e : r);
    return REAL(setreuid)(r, e);
}

EXPORT int setresuid(uid_t r, uid_t e, uid_t s)
{
    if (ON)
        before_uid_change(e != (uid_t)-1 ? e : r);
    return REAL(setresuid)(r, e, s);
}

EXPORT int pthread_detach(pthread_t th)
{
    if (!ON)
        return REAL(pthread_detach)(th);
    uint64_t ts = NOW;
    int r = REAL(pthread_detach)(th);
    int e = errno;
    ilv_emit(H(ILV_T_PTHREAD_DETACH, C, 0), r, ts, RA, (uint64_t)th, 0, 0, 0, NOW - ts);
    errno = e;
    return r;
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

/* ------------------------------------------------------------ sockets and descriptors */

#define CALL_RECORD(type, flags, call, a0, a1, a2)                                                 \
    uint64_t ts = NOW;                                                                             \
    long r = (long)(call);                                                                         \
    int e = errno;                                                                                 \
    ilv_emit(H(type, C, flags), r < 0 ? e : 0, ts, RA, a0, a1, a2, SX(r), NOW - ts);               \
    errno = e;                                                                                     \
    return r

EXPORT int socket(int domain, int type, int protocol)
{
    if (!ON)
        return REAL(socket)(domain, type, protocol);
    CALL_RECORD(ILV_T_SOCKET, 0, REAL(socket)(domain, type, protocol), SX(domain), SX(type), SX(protocol));
}

EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    if (!ON)
        return REAL(bind)(fd, sa, len);
    struct sockaddr_storage copy;
    size_t n;
    uint64_t pa = pack_user_addr(sa, len, &copy, &n);
    uint64_t ts = NOW;
    int r = REAL(bind)(fd, sa, len);
    int e = errno;
    uint64_t idx = ilv_emit(H(ILV_T_BIND, C, 0), r < 0 ? e : 0, ts, RA, SX(fd), pa, 0, SX(r), NOW - ts);
    addr_string(idx, ts, &copy, n);
    errno = e;
    return r;
}

EXPORT int listen(int fd, int backlog)
{
    if (!ON)
        return REAL(listen)(fd, backlog);
    CALL_RECORD(ILV_T_LISTEN, 0, REAL(listen)(fd, backlog), SX(fd), SX(backlog), 0);
}

static int accept_common(int variant, uint64_t ra, int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    ilv_emit(H(ILV_T_ACCEPT, E, variant), 0, NOW, ra, SX(fd), 0, 0, 0, SX(flags));
    int r = variant ? REAL(accept4)(fd, sa, len, flags) : REAL(accept)(fd, sa, len);
    int e = errno;
    uint64_t pa = 0;
    if (r >= 0 && sa && len)
        pa = pack_addr(sa, *len);
    ilv_emit(H(ILV_T_ACCEPT, X, variant), r < 0 ? e : 0, NOW, ra, SX(fd), pa, 0, SX(r), SX(flags));
    errno = e;
    return r;
}

EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
    if (!ON)
        return REAL(accept)(fd, sa, len);
    return accept_common(0, RA, fd, sa, len, 0);
}

EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    if (!ON)
        return REAL(accept4)(fd, sa, len, flags);
    return accept_common(1, RA, fd, sa, len, flags);
}

EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    if (!ON)
        return REAL(connect)(fd, sa, len);
    uint64_t ra = RA;
    struct sockaddr_storage copy;
    size_t n;
    uint64_t pa = pack_user_addr(sa, len, &copy, &n);
    uint64_t ts = NOW;
    uint64_t idx = ilv_emit(H(ILV_T_CONNECT, E, 0), 0, ts, ra, SX(fd), pa, 0, 0, 0);
    addr_string(idx, ts, &copy, n);
    int r = REAL(connect)(fd, sa, len);
    int e = errno;
    ilv_emit(H(ILV_T_CONNECT, X, 0), r < 0 ? e : 0, NOW, ra, SX(fd), pa, 0, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int close(int fd)
{
    if (!ON)
        return REAL(close)(fd);
    CALL_RECORD(ILV_T_CLOSE, 0, REAL(close)(fd), SX(fd), 0, 0);
}

EXPORT int shutdown(int fd, int how)
{
    if (!ON)
        return REAL(shutdown)(fd, how);
    CALL_RECORD(ILV_T_SHUTDOWN, 0, REAL(shutdown)(fd, how), SX(fd), SX(how), 0);
}

EXPORT int dup(int fd)
{
    if (!ON)
        return REAL(dup)(fd);
    CALL_RECORD(ILV_T_DUP, 0, REAL(dup)(fd), SX(fd), SX(-1), 0);
}

EXPORT int dup2(int fd, int fd2)
{
    if (!ON)
        return REAL(dup2)(fd, fd2);
    CALL_RECORD(ILV_T_DUP, 1, REAL(dup2)(fd, fd2), SX(fd), SX(fd2), 0);
}

EXPORT int dup3(int fd, int fd2, int flags)
{
    if (!ON)
        return REAL(dup3)(fd, fd2, flags);
    CALL_RECORD(ILV_T_DUP, 2, REAL(dup3)(fd, fd2, flags), SX(fd), SX(fd2), 0);
}

EXPORT int pipe(int fds[2])
{
    if (!ON)
        return REAL(pipe)(fds);
    uint64_t ts = NOW;
    int r = REAL(pipe)(fds);
    int e = errno;
    ilv_emit(H(ILV_T_PIPE, C, 0), r < 0 ? e : 0, ts, RA, r == 0 ? SX(fds[0]) : SX(-1),
             r == 0 ? SX(fds[1]) : SX(-1), 0, SX(r), NOW - ts);
    errno = e;
    return r;
}

EXPORT int pipe2(int fds[2], int flags)
{
    if (!ON)
        return REAL(pipe2)(fds, flags);
    uint64_t ts = NOW;
    int r = REAL(pipe2)(fds, flags);
    int e = errno;
    ilv_emit(H(ILV_T_PIPE, C, 1), r < 0 ? e : 0, ts, RA, r == 0 ? SX(fds[0]) : SX(-1),
             r == 0 ? SX(fds[1]) : SX(-1), 0, SX(r), NOW - ts);
    errno = e;
    return r;
}

#define IO_BODY(type, variant, call, fd, buf, n, a4)                                               \
    uint64_t ra = RA;                                                                              \
    ilv_emit(H(type, E, variant), 0, NOW, ra, SX(fd), P(buf), (uint64_t)(n), 0, a4);               \
    ssize_t r = call;                                                                              \
    int e = errno;                                                                                 \
    ilv_emit(H(type, X, variant), r < 0 ? e : 0, NOW, ra, SX(fd), P(buf), (uint64_t)(n), SX(r), a4); \
    errno = e;                                                                                     \
    return r

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    if (!ON)
        return REAL(read)(fd, buf, n);
    IO_BODY(ILV_T_READ, 0, REAL(read)(fd, buf, n), fd, buf, n, 0);
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    if (!ON)
        return REAL(write)(fd, buf, n);
    IO_BODY(ILV_T_WRITE, 0, REAL(write)(fd, buf, n), fd, buf, n, 0);
}

EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    if (!ON)
        return REAL(recv)(fd, buf, n, flags);
    IO_BODY(ILV_T_RECV, 0, REAL(recv)(fd, buf, n, flags), fd, buf, n, SX(flags));
}

EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    if (!ON)
        return REAL(send)(fd, buf, n, flags);
    IO_BODY(ILV_T_SEND, 0, REAL(send)(fd, buf, n, flags), fd, buf, n, SX(flags));
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *len)
{
    if (!ON)
        return REAL(recvfrom)(fd, buf, n, flags, sa, len);
    IO_BODY(ILV_T_RECV, 1, REAL(recvfrom)(fd, buf, n, flags, sa, len), fd, buf, n, SX(flags));
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len)
{
    if (!ON)
        return REAL(sendto)(fd, buf, n, flags, sa, len);
    IO_BODY(ILV_T_SEND, 1, REAL(sendto)(fd, buf, n, flags, sa, len), fd, buf, n, SX(flags));
}

/* ------------------------------------------------------------ waiting for events */

static uint64_t fdset_bits(const fd_set *s)
{
    uint64_t v = 0;
    if (s)
        cached_copy(&v, s, sizeof v);
    return v;
}

EXPORT int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    if (!ON)
        return REAL(select)(nfds, rd, wr, ex, tv);
    uint64_t ra = RA;
    int64_t tmo = -1;
    struct timeval tcopy;
    if (tv && cached_copy(&tcopy, tv, sizeof tcopy) == sizeof tcopy)
        tmo = (int64_t)tcopy.tv_sec * 1000000000 + (int64_t)tcopy.tv_usec * 1000;
    ilv_emit(H(ILV_T_SELECT, E, 0), 0, NOW, ra, SX(nfds), (uint64_t)tmo, fdset_bits(rd), 0, 0);
    int r = REAL(select)(nfds, rd, wr, ex, tv);
    int e = errno;
    uint64_t out = (r > 0 && rd) ? *(const uint64_t *)rd : 0;
    ilv_emit(H(ILV_T_SELECT, X, 0), r < 0 ? e : 0, NOW, ra, SX(nfds), (uint64_t)tmo, out, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts_,
                   const sigset_t *mask)
{
    if (!ON)
        return REAL(pselect)(nfds, rd, wr, ex, ts_, mask);
    uint64_t ra = RA;
    int64_t tmo = -1;
    struct timespec tcopy;
    if (ts_ && cached_copy(&tcopy, ts_, sizeof tcopy) == sizeof tcopy)
        tmo = (int64_t)tcopy.tv_sec * 1000000000 + tcopy.tv_nsec;
    ilv_emit(H(ILV_T_SELECT, E, 1), 0, NOW, ra, SX(nfds), (uint64_t)tmo, fdset_bits(rd), 0, 0);
    int r = REAL(pselect)(nfds, rd, wr, ex, ts_, mask);
    int e = errno;
    uint64_t out = (r > 0 && rd) ? *(const uint64_t *)rd : 0;
    ilv_emit(H(ILV_T_SELECT, X, 1), r < 0 ? e : 0, NOW, ra, SX(nfds), (uint64_t)tmo, out, SX(r), 0);
    errno = e;
    return r;
}

static int64_t first_pollfd(const struct pollfd *f, nfds_t n)
{
    struct pollfd c = {-1, 0, 0};
    if (n == 0 || cached_copy(&c, f, sizeof c) != sizeof c)
        return -1;
    return c.fd;
}

EXPORT int poll(struct pollfd *f, nfds_t n, int tmo)
{
    if (!ON)
        return REAL(poll)(f, n, tmo);
    uint64_t ra = RA;
    int64_t first = first_pollfd(f, n);
    ilv_emit(H(ILV_T_POLL, E, 0), 0, NOW, ra, n, SX(tmo), (uint64_t)first, 0, 0);
    int r = REAL(poll)(f, n, tmo);
    int e = errno;
    ilv_emit(H(ILV_T_POLL, X, 0), r < 0 ? e : 0, NOW, ra, n, SX(tmo), (uint64_t)first, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int ppoll(struct pollfd *f, nfds_t n, const struct timespec *ts_, const sigset_t *mask)
{
    if (!ON)
        return REAL(ppoll)(f, n, ts_, mask);
    uint64_t ra = RA;
    int64_t first = first_pollfd(f, n);
    int64_t tmo = -1;
    struct timespec tcopy;
    if (ts_ && cached_copy(&tcopy, ts_, sizeof tcopy) == sizeof tcopy)
        tmo = (int64_t)tcopy.tv_sec * 1000 + tcopy.tv_nsec / 1000000;
    ilv_emit(H(ILV_T_POLL, E, 1), 0, NOW, ra, n, (uint64_t)tmo, (uint64_t)first, 0, 0);
    int r = REAL(ppoll)(f, n, ts_, mask);
    int e = errno;
    ilv_emit(H(ILV_T_POLL, X, 1), r < 0 ? e : 0, NOW, ra, n, (uint64_t)tmo, (uint64_t)first, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int maxev, int tmo)
{
    if (!ON)
        return REAL(epoll_wait)(epfd, ev, maxev, tmo);
    uint64_t ra = RA;
    ilv_emit(H(ILV_T_EPOLL_WAIT, E, 0), 0, NOW, ra, SX(epfd), SX(maxev), SX(tmo), 0, 0);
    int r = REAL(epoll_wait)(epfd, ev, maxev, tmo);
    int e = errno;
    ilv_emit(H(ILV_T_EPOLL_WAIT, X, 0), r < 0 ? e : 0, NOW, ra, SX(epfd), SX(maxev), SX(tmo), SX(r), 0);
    errno = e;
    return r;
}

EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int maxev, int tmo, const sigset_t *mask)
{
    if (!ON)
        return REAL(epoll_pwait)(epfd, ev, maxev, tmo, mask);
    uint64_t ra = RA;
    ilv_emit(H(ILV_T_EPOLL_WAIT, E, 1), 0, NOW, ra, SX(epfd), SX(maxev), SX(tmo), 0, 0);
    int r = REAL(epoll_pwait)(epfd, ev, maxev, tmo, mask);
    int e = errno;
    ilv_emit(H(ILV_T_EPOLL_WAIT, X, 1), r < 0 ? e : 0, NOW, ra, SX(epfd), SX(maxev), SX(tmo), SX(r), 0);
    errno = e;
    return r;
}

EXPORT unsigned int sleep(unsigned int s)
{
    if (!ON)
        return REAL(sleep)(s);
    uint64_t ra = RA;
    uint64_t ns = (uint64_t)s * 1000000000ull;
    ilv_emit(H(ILV_T_SLEEP, E, 0), 0, NOW, ra, ns, 0, 0, 0, 0);
    unsigned int r = REAL(sleep)(s);
    int e = errno;
    ilv_emit(H(ILV_T_SLEEP, X, 0), 0, NOW, ra, ns, 0, 0, r, 0);
    errno = e;
    return r;
}

EXPORT int usleep(useconds_t us)
{
    if (!ON)
        return REAL(usleep)(us);
    uint64_t ra = RA;
    uint64_t ns = (uint64_t)us * 1000ull;
    ilv_emit(H(ILV_T_SLEEP, E, 1), 0, NOW, ra, ns, 0, 0, 0, 0);
    int r = REAL(usleep)(us);
    int e = errno;
    ilv_emit(H(ILV_T_SLEEP, X, 1), r < 0 ? e : 0, NOW, ra, ns, 0, 0, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!ON)
        return REAL(nanosleep)(req, rem);
    uint64_t ra = RA;
    struct timespec c;
    uint64_t ns = 0;
    if (cached_copy(&c, req, sizeof c) == sizeof c)
        ns = (uint64_t)c.tv_sec * 1000000000ull + (uint64_t)c.tv_nsec;
    ilv_emit(H(ILV_T_SLEEP, E, 2), 0, NOW, ra, ns, 0, 0, 0, 0);
    int r = REAL(nanosleep)(req, rem);
    int e = errno;
    ilv_emit(H(ILV_T_SLEEP, X, 2), r < 0 ? e : 0, NOW, ra, ns, 0, 0, SX(r), 0);
    errno = e;
    return r;
}

/* ------------------------------------------------------------ signals */

#define NSIGS 65
struct uhandler {
    void *fn;      /* the program's handler */
    int flags;     /* the program's sa_flags */
};
static struct uhandler handlers[NSIGS];
static uint64_t sigintr_set; /* signals the program passed to siginterrupt(sig, 1) */

static void sig_trampoline(int sig, siginfo_t *si, void *uc)
{
    int e = errno;
    void *fn = __atomic_load_n(&handlers[sig].fn, __ATOMIC_ACQUIRE);
    int fl = handlers[sig].flags;
    uint64_t pc = uc ? (uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] : 0;
    int64_t code = si ? si->si_code : 0, spid = si ? si->si_pid : 0;
    int64_t sst = (si && sig == SIGCHLD) ? si->si_status : 0;
    int inside = (in_stdio ? ILV_SIG_IN_STDIO : 0) | (in_heap ? ILV_SIG_IN_HEAP : 0);
    if (ON)
        ilv_emit(H(ILV_T_SIGNAL_HANDLER, E, inside), 0, NOW, pc, SX(sig), P(fn), (uint64_t)code, (uint64_t)spid,
                 (uint64_t)sst);
    errno = e;
    in_handler++;
    ILV_BARRIER();
    if ((uintptr_t)fn > 1) {
        if (fl & SA_SIGINFO)
            ((void (*)(int, siginfo_t *, void *))fn)(sig, si, uc);
        else
            ((void (*)(int))fn)(sig);
    }
    ILV_BARRIER();
    in_handler--;
    e = errno;
    if (ON)
        ilv_emit(H(ILV_T_SIGNAL_HANDLER, X, 0), 0, NOW, pc, SX(sig), P(fn), 0, 0, 0);
    errno = e;
}

static int sigaction_common(int sig, const struct sigaction *act, struct sigaction *old, int via_signal,
                            uint64_t ra)
{
    uint64_t ts = NOW;
    struct sigaction k, copy;
    const struct sigaction *pass = act;
    struct uhandler prev = {0, 0};
    int replaced = 0, has_new = 0;
    void *newfn = 0;
    int newflags = 0;
    if (sig > 0 && sig < NSIGS)
        prev = handlers[sig];
    if (act) {
        if (safe_copy(&copy, act, sizeof copy) == sizeof copy) {
            has_new = 1;
            newfn = (copy.sa_flags & SA_SIGINFO) ? (void *)copy.sa_sigaction : (void *)copy.sa_handler;
            newflags = copy.sa_flags;
            if (sig > 0 && sig < NSIGS && sig != SIGKILL && sig != SIGSTOP && (uintptr_t)newfn > 1) {
                k = copy;
                k.sa_sigaction = sig_trampoline;
                k.sa_flags |= SA_SIGINFO;
                handlers[sig].flags = newflags;
                __atomic_store_n(&handlers[sig].fn, newfn, __ATOMIC_RELEASE);
                pass = &k;
                replaced = 1;
            }
        }
    }
    int r = REAL(sigaction)(sig, pass, old);
    int e = errno;
    if (r != 0 && replaced)
        handlers[sig] = prev;
    uint64_t oldfn = 0;
    if (r == 0 && old) {
        if (old->sa_sigaction == sig_trampoline) {
            if (prev.flags & SA_SIGINFO)
                old->sa_sigaction = (void (*)(int, siginfo_t *, void *))prev.fn;
            else {
                old->sa_handler = (void (*)(int))prev.fn;
                old->sa_flags &= ~SA_SIGINFO;
            }
        }
        oldfn = P(old->sa_handler);
    }
    ilv_emit(H(ILV_T_SIGACTION, C, (has_new ? 1 : 0) | (via_signal ? 2 : 0)), r < 0 ? e : 0, ts, ra, SX(sig),
             P(newfn), SX(newflags), oldfn, NOW - ts);
    errno = e;
    return r;
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!ON)
        return REAL(sigaction)(sig, act, old);
    return sigaction_common(sig, act, old, 0, RA);
}

/* signal() with glibc's (BSD) semantics: handler runs with the signal blocked, SA_RESTART
 * unless siginterrupt(sig, 1) was called */
EXPORT sighandler_t signal(int sig, sighandler_t h)
{
    if (!ON)
        return REAL(signal)(sig, h);
    struct sigaction sa, old;
    if (h == SIG_ERR || sig < 1 || sig >= NSIGS) {
        errno = EINVAL;
        return SIG_ERR;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, sig);
    sa.sa_flags = (sigintr_set >> sig) & 1 ? 0 : SA_RESTART;
    if (sigaction_common(sig, &sa, &old, 1, RA) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

EXPORT int siginterrupt(int sig, int flag)
{
    if (sig > 0 && sig < NSIGS) {
        if (flag)
            __atomic_or_fetch(&sigintr_set, 1ull << sig, __ATOMIC_RELAXED);
        else
            __atomic_and_fetch(&sigintr_set, ~(1ull << sig), __ATOMIC_RELAXED);
    }
    return REAL(siginterrupt)(sig, flag);
}

EXPORT int kill(pid_t pid, int sig)
{
    if (!ON)
        return REAL(kill)(pid, sig);
    CALL_RECORD(ILV_T_KILL, 0, REAL(kill)(pid, sig), SX(pid), SX(sig), 0);
}

EXPORT int raise(int sig)
{
    if (!ON)
        return REAL(raise)(sig);
    /* written before the call: the handler runs inside raise() */
    uint64_t ra = RA, ts = NOW;
    uint64_t idx = ilv_emit(H(ILV_T_RAISE, E, 0), 0, ts, ra, 0, SX(sig), 0, 0, 0);
    (void)idx;
    int r = REAL(raise)(sig);
    int e = errno;
    ilv_emit(H(ILV_T_RAISE, X, 0), r < 0 ? e : 0, NOW, ra, 0, SX(sig), 0, SX(r), 0);
    errno = e;
    return r;
}

EXPORT int pthread_kill(pthread_t th, int sig)
{
    if (!ON)
        return REAL(pthread_kill)(th, sig);
    uint64_t ts = NOW;
    int r = REAL(pthread_kill)(th, sig);
    int e = errno;
    ilv_emit(H(ILV_T_PTHREAD_KILL, C, 0), r, ts, RA, (uint64_t)th, SX(sig), 0, 0, NOW - ts);
    errno = e;
    return r;
}

/* ------------------------------------------------------------ stdio and heap (opt-in) */

/* Recorded when INTERLEAVE_TRACE_STDIO=1, and always while a signal handler runs (in_handler):
 * a handler's own printf/malloc is the evidence of an unsafe call even when the run did not ask
 * for stdio records. Outside handlers the calls are only counted (in_stdio, in_heap: one TLS
 * increment each way), so the handler-entry record can say what the signal interrupted. */
#define STDIO_REC (ON && (ilv_g.trace_stdio || in_handler))
#define STDIO_ENTER(variant, fp, p)                                                                \
    uint64_t ra_ = RA;                                                                             \
    ilv_emit(H(ILV_T_STDIO, E, variant), 0, NOW, ra_, P(fp), P(p), 0, 0, 0)
#define STDIO_EXIT(variant, fp, p, res)                                                            \
    int e_ = errno;                                                                                \
    ilv_emit(H(ILV_T_STDIO, X, variant), (res) < 0 ? e_ : 0, NOW, ra_, P(fp), P(p), 0, SX(res), 0); \
    errno = e_
/* a call counted as "inside stdio" while it runs (errno kept: the decrement never touches it) */
#define IN_STDIO(type, call) ({ in_stdio++; ILV_BARRIER(); type r__ = call; ILV_BARRIER(); in_stdio--; r__; })
#define IN_HEAP(type, call) ({ in_heap++; ILV_BARRIER(); type r__ = call; ILV_BARRIER(); in_heap--; r__; })

EXPORT int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!STDIO_REC) {
        int r = IN_STDIO(int, REAL(vprintf)(fmt, ap));
        va_end(ap);
        return r;
    }
    STDIO_ENTER(0, stdout, fmt);
    int r = IN_STDIO(int, REAL(vprintf)(fmt, ap));
    va_end(ap);
    STDIO_EXIT(0, stdout, fmt, r);
    return r;
}

EXPORT int __printf_chk(int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!STDIO_REC) {
        int r = IN_STDIO(int, REAL(__vprintf_chk)(flag, fmt, ap));
        va_end(ap);
        return r;
    }
    STDIO_ENTER(0, stdout, fmt);
    int r = IN_STDIO(int, REAL(__vprintf_chk)(flag, fmt, ap));
    va_end(ap);
    STDIO_EXIT(0, stdout, fmt, r);
    return r;
}

EXPORT int fprintf(FILE *fp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!STDIO_REC) {
        int r = IN_STDIO(int, REAL(vfprintf)(fp, fmt, ap));
        va_end(ap);
        return r;
    }
    STDIO_ENTER(1, fp, fmt);
    int r = IN_STDIO(int, REAL(vfprintf)(fp, fmt, ap));
    va_end(ap);
    STDIO_EXIT(1, fp, fmt, r);
    return r;
}

EXPORT int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!STDIO_REC) {
        int r = IN_STDIO(int, REAL(__vfprintf_chk)(fp, flag, fmt, ap));
        va_end(ap);
        return r;
    }
    STDIO_ENTER(1, fp, fmt);
    int r = IN_STDIO(int, REAL(__vfprintf_chk)(fp, flag, fmt, ap));
    va_end(ap);
    STDIO_EXIT(1, fp, fmt, r);
    return r;
}

EXPORT int vprintf(const char *fmt, va_list ap)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(vprintf)(fmt, ap));
    STDIO_ENTER(2, stdout, fmt);
    int r = IN_STDIO(int, REAL(vprintf)(fmt, ap));
    STDIO_EXIT(2, stdout, fmt, r);
    return r;
}

EXPORT int vfprintf(FILE *fp, const char *fmt, va_list ap)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(vfprintf)(fp, fmt, ap));
    STDIO_ENTER(3, fp, fmt);
    int r = IN_STDIO(int, REAL(vfprintf)(fp, fmt, ap));
    STDIO_EXIT(3, fp, fmt, r);
    return r;
}

EXPORT int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!STDIO_REC) {
        int r = IN_STDIO(int, REAL(vdprintf)(fd, fmt, ap));
        va_end(ap);
        return r;
    }
    STDIO_ENTER(10, (uintptr_t)fd, fmt);
    int r = IN_STDIO(int, REAL(vdprintf)(fd, fmt, ap));
    va_end(ap);
    STDIO_EXIT(10, (uintptr_t)fd, fmt, r);
    return r;
}

EXPORT int puts(const char *s)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(puts)(s));
    STDIO_ENTER(4, stdout, s);
    int r = IN_STDIO(int, REAL(puts)(s));
    STDIO_EXIT(4, stdout, s, r);
    return r;
}

EXPORT int fputs(const char *s, FILE *fp)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(fputs)(s, fp));
    STDIO_ENTER(5, fp, s);
    int r = IN_STDIO(int, REAL(fputs)(s, fp));
    STDIO_EXIT(5, fp, s, r);
    return r;
}

EXPORT int putchar(int c)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(putchar)(c));
    STDIO_ENTER(6, stdout, (uintptr_t)c);
    int r = IN_STDIO(int, REAL(putchar)(c));
    STDIO_EXIT(6, stdout, (uintptr_t)c, r);
    return r;
}

EXPORT int fputc(int c, FILE *fp)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(fputc)(c, fp));
    STDIO_ENTER(7, fp, (uintptr_t)c);
    int r = IN_STDIO(int, REAL(fputc)(c, fp));
    STDIO_EXIT(7, fp, (uintptr_t)c, r);
    return r;
}

EXPORT int putc(int c, FILE *fp)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(putc)(c, fp));
    STDIO_ENTER(7, fp, (uintptr_t)c);
    int r = IN_STDIO(int, REAL(putc)(c, fp));
    STDIO_EXIT(7, fp, (uintptr_t)c, r);
    return r;
}

EXPORT size_t fwrite(const void *p, size_t sz, size_t n, FILE *fp)
{
    if (!STDIO_REC)
        return IN_STDIO(size_t, REAL(fwrite)(p, sz, n, fp));
    STDIO_ENTER(8, fp, p);
    size_t r = IN_STDIO(size_t, REAL(fwrite)(p, sz, n, fp));
    int64_t rr = (int64_t)r;
    STDIO_EXIT(8, fp, p, rr);
    return r;
}

EXPORT int fflush(FILE *fp)
{
    if (!STDIO_REC)
        return IN_STDIO(int, REAL(fflush)(fp));
    STDIO_ENTER(9, fp, 0);
    int r = IN_STDIO(int, REAL(fflush)(fp));
    STDIO_EXIT(9, fp, 0, r);
    return r;
}

EXPORT void perror(const char *s)
{
    if (!STDIO_REC) {
        in_stdio++;
        ILV_BARRIER();
        REAL(perror)(s);
        ILV_BARRIER();
        in_stdio--;
        return;
    }
    int saved = errno;
    STDIO_ENTER(11, stderr, s);
    errno = saved;
    in_stdio++;
    ILV_BARRIER();
    REAL(perror)(s);
    ILV_BARRIER();
    in_stdio--;
    int r = 0;
    STDIO_EXIT(11, stderr, s, r);
}

EXPORT void *malloc(size_t n)
{
    void *(*f)(size_t) = real_malloc ? real_malloc : __libc_malloc;
    if (!STDIO_REC)
        return IN_HEAP(void *, f(n));
    uint64_t ra = RA;
    ilv_emit(H(ILV_T_MALLOC, E, 0), 0, NOW, ra, n, 0, 0, 0, 0);
    void *r = IN_HEAP(void *, f(n));
    int e = errno;
    ilv_emit(H(ILV_T_MALLOC, X, 0), r ? 0 : e, NOW, ra, n, 0, 0, P(r), 0);
    errno = e;
    return r;
}

EXPORT void *calloc(size_t a, size_t b)
{
    void *(*f)(size_t, size_t) = real_calloc ? real_calloc : __libc_calloc;
    if (!STDIO_REC)
        return IN_HEAP(void *, f(a, b));
    uint64_t ra = RA;
    ilv_emit(H(ILV_T_MALLOC, E, 1), 0, NOW, ra, a * b, 0, 0, 0, 0);
    void *r = IN_HEAP(void *, f(a, b));
    int e = errno;
    ilv_emit(H(ILV_T_MALLOC, X, 1), r ? 0 : e, NOW, ra, a * b, 0, 0, P(r), 0);
    errno = e;
    return r;
}

EXPORT void *realloc(void *p, size_t n)
{
    void *(*f)(void *, size_t) = real_realloc ? real_realloc : __libc_realloc;
    if (!STDIO_REC)
        return IN_HEAP(void *, f(p, n));
    uint64_t ra = RA;
    ilv_emit(H(ILV_T_MALLOC, E, 2), 0, NOW, ra, n, P(p), 0, 0, 0);
    void *r = IN_HEAP(void *, f(p, n));
    int e = errno;
    ilv_emit(H(ILV_T_MALLOC, X, 2), (r || !n) ? 0 : e, NOW, ra, n, P(p), 0, P(r), 0);
    errno = e;
    return r;
}

EXPORT void free(void *p)
{
    void (*f)(void *) = real_free ? real_free : __libc_free;
    if (!STDIO_REC || !p) {
        in_heap++;
        ILV_BARRIER();
        f(p);
        ILV_BARRIER();
        in_heap--;
        return;
    }
    uint64_t ra = RA;
    int e = errno;
    ilv_emit(H(ILV_T_FREE, E, 0), 0, NOW, ra, P(p), 0, 0, 0, 0);
    in_heap++;
    ILV_BARRIER();
    f(p);
    ILV_BARRIER();
    in_heap--;
    ilv_emit(H(ILV_T_FREE, X, 0), 0, NOW, ra, P(p), 0, 0, 0, 0);
    errno = e;
}
