package interleave.engine.rules.c;

import java.util.Set;

/**
 * Library functions that may change {@code errno} when a signal handler calls them. Source: the ERRORS section of
 * each function's page in POSIX.1-2017 and the Linux man pages (sections 2 and 3): a function is listed when it
 * reports failure through errno. Left out on purpose: functions that cannot fail ({@code getpid}, {@code alarm},
 * {@code sigemptyset}, {@code strlen}, ...), functions that never return ({@code _exit}, {@code abort}), and the
 * pthread functions, which return their error number instead of setting errno. {@code free} is left out too: POSIX.1
 * 2024 requires it to keep errno, and glibc has done so since 2.33. So are functions whose only errors are invalid
 * arguments ({@code signal}, {@code sigaction}, {@code sigprocmask}, {@code raise}, {@code sigaddset}): with the
 * constant signal numbers handlers pass they do not fail.
 */
final class ErrnoSetting {
    private ErrnoSetting() {
    }

    static final Set<String> FUNCTIONS = Set.of(
            // processes and signals
            "wait", "waitpid", "wait3", "wait4", "waitid", "kill", "killpg", "sigqueue", "sigsuspend", "pause",
            "fork", "execve", "execv", "setpgid", "setsid", "nanosleep", "clock_nanosleep", "sem_post",
            // descriptors, files, sockets
            "read", "write", "readv", "writev", "pread", "pwrite", "open", "openat", "creat", "close", "dup", "dup2",
            "pipe", "fcntl", "ioctl", "lseek", "fsync", "fdatasync", "ftruncate", "unlink", "unlinkat", "rename",
            "mkdir", "rmdir", "stat", "fstat", "lstat", "access", "chmod", "chown", "chdir", "utime", "mkfifo",
            "send", "sendto", "sendmsg", "recv", "recvfrom", "recvmsg", "accept", "accept4", "connect", "socket",
            "shutdown", "setsockopt", "getsockopt", "select", "pselect", "poll", "epoll_wait", "tcsetattr",
            "tcgetattr", "tcflush", "tcdrain",
            // not async-signal-safe either, but they set errno too
            "printf", "fprintf", "vprintf", "vfprintf", "dprintf", "puts", "fputs", "putc", "fputc", "putchar",
            "fwrite", "fflush", "fclose", "fopen", "fdopen", "perror", "syslog", "vsyslog", "malloc", "calloc",
            "realloc", "strdup", "strndup", "snprintf", "vsnprintf", "sprintf", "vsprintf",
            // the lecture's safe-I/O helpers write with write(2)
            "sio_puts", "sio_putl", "Sio_puts", "Sio_putl");
}
