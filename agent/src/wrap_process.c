/* Interleave agent: the process life (program start and exit, fork, vfork, exec, posix_spawn, wait) and
 * the switch of user (setuid and friends). */
#include "wrap.h"

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
DECL_REAL(setuid);
DECL_REAL(seteuid);
DECL_REAL(setreuid);
DECL_REAL(setresuid);

void ilv_wrap_init_process(void)
{
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
    (void)REAL(setuid);
    (void)REAL(seteuid);
    (void)REAL(setreuid);
    (void)REAL(setresuid);
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
        ilv_exit_file();
    }
    return r;
}

EXPORT int __libc_start_main(ilv_main_fn main, int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    real_main = main;
    return REAL(__libc_start_main)(ilv_main, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT ILV_FORK_PATH void exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 1), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_exit_file();
    }
    REAL(exit)(status);
    __builtin_unreachable();
}

EXPORT ILV_FORK_PATH void _exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 2), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_exit_file();
    }
    REAL(_exit)(status);
    __builtin_unreachable();
}

EXPORT ILV_FORK_PATH void _Exit(int status)
{
    if (ON) {
        ilv_lk_flush();
        ilv_vw_end();
        ilv_emit(H(ILV_T_PROC_EXIT, ILV_POINT, 3), 0, NOW, RA, SX(status), 0, 0, 0, 0);
        ilv_exit_file();
    }
    REAL(_Exit)(status);
    __builtin_unreachable();
}

ILV_FORK_PATH static pid_t fork_common(int variant, uint64_t ra, pid_t (*fn)(void))
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
    ilv_sf_before_fork(); /* the child takes its chunks from this file: no file of its own to set up */
    ilv_t.in_fork = 1;
    pid_t r = fn();
    if (r == 0) {
        /* errno is neither read nor restored: this path makes raw system calls only, and libc's
         * errno code would be one more page to fault in (ILV_FORK_PATH) */
        ilv_child_after_fork(parent);
        ilv_lk_after_fork();
        ilv_create_file_blocked();
        ilv_restore(&old);
        ilv_emit(H(ILV_T_FORK_CHILD, ILV_POINT, variant), 0, NOW, ra, SX(parent), SX(ptid), pimg, ts, 0);
        return 0;
    }
    int e = errno;
    ilv_t.in_fork = 0;
    if (r > 0)
        ilv_t.fork_chunk = 0; /* the child's now (ilv_sf_before_fork) */
    ilv_restore(&old);
    ilv_emit(H(ILV_T_FORK, X, variant), r < 0 ? e : 0, NOW, ra, SX(r), 0, 0, 0, 0);
    ILV_ERRNO_BACK(e);
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
        ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);                                                                                     \
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
