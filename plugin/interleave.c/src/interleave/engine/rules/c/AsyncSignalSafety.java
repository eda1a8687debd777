package interleave.engine.rules.c;

import java.util.Map;
import java.util.Set;

/**
 * Which library functions a signal handler may call. Source: the list of async-signal-safe functions in POSIX.1-2008
 * as amended by POSIX.1-2016 (section 2.4.3 "Signal Actions"), reproduced in the Linux man page signal-safety(7).
 * Everything else is unsafe in a handler; the table of known-unsafe functions is what the rule reports, so that an
 * unknown function from a library we cannot see is not called unsafe without evidence.
 */
final class AsyncSignalSafety {
    private AsyncSignalSafety() {
    }

    /** signal-safety(7): the functions POSIX requires to be async-signal-safe. */
    static final Set<String> SAFE = Set.of(
            "_Exit", "_exit", "abort", "accept", "access", "aio_error", "aio_return", "aio_suspend", "alarm", "bind",
            "cfgetispeed", "cfgetospeed", "cfsetispeed", "cfsetospeed", "chdir", "chmod", "chown", "clock_gettime",
            "close", "connect", "creat", "dup", "dup2", "execl", "execle", "execv", "execve", "faccessat", "fchdir",
            "fchmod", "fchmodat", "fchown", "fchownat", "fcntl", "fdatasync", "fexecve", "ffs", "fork", "fstat",
            "fstatat", "fsync", "ftruncate", "futimens", "getegid", "geteuid", "getgid", "getgroups", "getpeername",
            "getpgrp", "getpid", "getppid", "getsockname", "getsockopt", "getuid", "htonl", "htons", "kill", "link",
            "linkat", "listen", "longjmp", "lseek", "lstat", "memccpy", "memchr", "memcmp", "memcpy", "memmove",
            "memset", "mkdir", "mkdirat", "mkfifo", "mkfifoat", "mknod", "mknodat", "ntohl", "ntohs", "open",
            "openat", "pause", "pipe", "poll", "posix_trace_event", "pselect", "pthread_kill", "pthread_self",
            "pthread_sigmask", "raise", "read", "readlink", "readlinkat", "recv", "recvfrom", "recvmsg", "rename",
            "renameat", "rmdir", "select", "sem_post", "send", "sendmsg", "sendto", "setgid", "setpgid", "setsid",
            "setsockopt", "setuid", "shutdown", "sigaction", "sigaddset", "sigdelset", "sigemptyset", "sigfillset",
            "sigismember", "siglongjmp", "signal", "sigpause", "sigpending", "sigprocmask", "sigqueue", "sigset",
            "sigsuspend", "sleep", "sockatmark", "socket", "socketpair", "stat", "stpcpy", "stpncpy", "strcat",
            "strchr", "strcmp", "strcpy", "strcspn", "strlen", "strncat", "strncmp", "strncpy", "strnlen", "strpbrk",
            "strrchr", "strspn", "strstr", "strtok_r", "symlink", "symlinkat", "tcdrain", "tcflow", "tcflush",
            "tcgetattr", "tcgetpgrp", "tcsendbreak", "tcsetattr", "tcsetpgrp", "time", "timer_getoverrun",
            "timer_gettime", "timer_settime", "times", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
            "utimes", "wait", "waitpid", "wcpcpy", "wcpncpy", "wcscat", "wcschr", "wcscmp", "wcscpy", "wcscspn",
            "wcslen", "wcsncat", "wcsncmp", "wcsncpy", "wcsnlen", "wcspbrk", "wcsrchr", "wcsspn", "wcsstr", "wcstok",
            "wmemchr", "wmemcmp", "wmemcpy", "wmemmove", "wmemset", "write",
            // CS:APP's "safe I/O" helpers, written with write(2) only, used by the lecture's handlers
            "Sio_puts", "Sio_putl", "Sio_error", "sio_puts", "sio_putl", "sio_error");

    /** Why a known-unsafe function is unsafe: which shared state it takes or corrupts. */
    enum Hazard {
        STDIO("takes the stdio stream lock and updates its buffer"),
        HEAP("takes the malloc arena lock, which is not recursive: the handler can deadlock on a lock main holds"),
        EXIT("runs atexit handlers and flushes stdio buffers (use _exit, which is safe)"),
        STATIC_BUFFER("returns a pointer to a static buffer that the interrupted code may be using"),
        LOCK("takes a lock that the interrupted code may already hold: the handler waits for itself"),
        LOCALE("reads locale data under a lock and may allocate");

        final String why;

        Hazard(String why) {
            this.why = why;
        }
    }

    /** Library functions that are not async-signal-safe and that handlers are seen to call. */
    static final Map<String, Hazard> UNSAFE = Map.ofEntries(
            Map.entry("printf", Hazard.STDIO), Map.entry("fprintf", Hazard.STDIO), Map.entry("vprintf", Hazard.STDIO),
            Map.entry("vfprintf", Hazard.STDIO), Map.entry("dprintf", Hazard.STDIO),
            Map.entry("vdprintf", Hazard.STDIO), Map.entry("puts", Hazard.STDIO), Map.entry("fputs", Hazard.STDIO),
            Map.entry("putchar", Hazard.STDIO), Map.entry("putc", Hazard.STDIO), Map.entry("fputc", Hazard.STDIO),
            Map.entry("fwrite", Hazard.STDIO), Map.entry("fread", Hazard.STDIO), Map.entry("fflush", Hazard.STDIO),
            Map.entry("fclose", Hazard.STDIO), Map.entry("fopen", Hazard.STDIO), Map.entry("fdopen", Hazard.STDIO),
            Map.entry("fgets", Hazard.STDIO), Map.entry("gets", Hazard.STDIO), Map.entry("getchar", Hazard.STDIO),
            Map.entry("getc", Hazard.STDIO), Map.entry("fgetc", Hazard.STDIO), Map.entry("scanf", Hazard.STDIO),
            Map.entry("fscanf", Hazard.STDIO), Map.entry("perror", Hazard.STDIO), Map.entry("psignal", Hazard.STDIO),
            Map.entry("sprintf", Hazard.LOCALE), Map.entry("snprintf", Hazard.LOCALE),
            Map.entry("vsprintf", Hazard.LOCALE), Map.entry("vsnprintf", Hazard.LOCALE),
            Map.entry("syslog", Hazard.LOCK), Map.entry("vsyslog", Hazard.LOCK), Map.entry("openlog", Hazard.LOCK),
            Map.entry("closelog", Hazard.LOCK), Map.entry("err", Hazard.EXIT), Map.entry("errx", Hazard.EXIT),
            Map.entry("warn", Hazard.STDIO), Map.entry("warnx", Hazard.STDIO),
            Map.entry("malloc", Hazard.HEAP), Map.entry("calloc", Hazard.HEAP), Map.entry("realloc", Hazard.HEAP),
            Map.entry("reallocarray", Hazard.HEAP), Map.entry("free", Hazard.HEAP), Map.entry("strdup", Hazard.HEAP),
            Map.entry("strndup", Hazard.HEAP), Map.entry("asprintf", Hazard.HEAP),
            Map.entry("vasprintf", Hazard.HEAP), Map.entry("posix_memalign", Hazard.HEAP),
            Map.entry("aligned_alloc", Hazard.HEAP), Map.entry("exit", Hazard.EXIT),
            Map.entry("atexit", Hazard.EXIT), Map.entry("strerror", Hazard.STATIC_BUFFER),
            Map.entry("strsignal", Hazard.STATIC_BUFFER), Map.entry("strtok", Hazard.STATIC_BUFFER),
            Map.entry("localtime", Hazard.STATIC_BUFFER), Map.entry("gmtime", Hazard.STATIC_BUFFER),
            Map.entry("ctime", Hazard.STATIC_BUFFER), Map.entry("asctime", Hazard.STATIC_BUFFER),
            Map.entry("getenv", Hazard.STATIC_BUFFER), Map.entry("inet_ntoa", Hazard.STATIC_BUFFER),
            Map.entry("gethostbyname", Hazard.STATIC_BUFFER), Map.entry("getpwnam", Hazard.STATIC_BUFFER),
            Map.entry("rand", Hazard.STATIC_BUFFER), Map.entry("mktime", Hazard.LOCALE),
            Map.entry("strftime", Hazard.LOCALE), Map.entry("setlocale", Hazard.LOCALE),
            Map.entry("pthread_mutex_lock", Hazard.LOCK), Map.entry("pthread_mutex_unlock", Hazard.LOCK),
            Map.entry("pthread_cond_signal", Hazard.LOCK), Map.entry("pthread_cond_broadcast", Hazard.LOCK),
            Map.entry("pthread_cond_wait", Hazard.LOCK), Map.entry("sem_wait", Hazard.LOCK),
            Map.entry("pthread_create", Hazard.HEAP), Map.entry("pthread_join", Hazard.LOCK),
            Map.entry("pthread_exit", Hazard.HEAP), Map.entry("system", Hazard.LOCK), Map.entry("popen", Hazard.HEAP),
            Map.entry("dlopen", Hazard.LOCK), Map.entry("getaddrinfo", Hazard.HEAP),
            Map.entry("freeaddrinfo", Hazard.HEAP));
}
