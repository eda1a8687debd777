package interleave.engine.c;

import java.util.Map;

/**
 * The error-checking wrappers of the lecture's and the UNP book's code (CS:APP's {@code csapp.c}, UNP's
 * {@code lib/wrap*.c}): {@code Fork}, {@code Accept}, {@code Pthread_create}, {@code P}/{@code V}, ... Each one calls
 * the function it wraps and exits on error, so for every rule and fact a call to the wrapper is a call to the
 * function. One table, shared by everything that asks "which function does this call stand for".
 */
public final class Wrappers {
    private Wrappers() {
    }

    private static final Map<String, String> WRAPPED = Map.ofEntries(
            // processes and signals
            Map.entry("Fork", "fork"), Map.entry("Execve", "execve"), Map.entry("Wait", "wait"),
            Map.entry("Waitpid", "waitpid"), Map.entry("Kill", "kill"), Map.entry("Pause", "pause"),
            Map.entry("Sleep", "sleep"), Map.entry("Alarm", "alarm"), Map.entry("Setpgid", "setpgid"),
            Map.entry("Signal", "signal"), Map.entry("Sigaction", "sigaction"),
            Map.entry("Sigprocmask", "sigprocmask"), Map.entry("Sigemptyset", "sigemptyset"),
            Map.entry("Sigfillset", "sigfillset"), Map.entry("Sigaddset", "sigaddset"),
            Map.entry("Sigdelset", "sigdelset"), Map.entry("Sigsuspend", "sigsuspend"),
            // descriptors and sockets
            Map.entry("Open", "open"), Map.entry("Close", "close"), Map.entry("Read", "read"),
            Map.entry("Write", "write"), Map.entry("Dup", "dup"), Map.entry("Dup2", "dup2"),
            Map.entry("Socket", "socket"), Map.entry("Bind", "bind"), Map.entry("Listen", "listen"),
            Map.entry("Accept", "accept"), Map.entry("Connect", "connect"), Map.entry("Shutdown", "shutdown"),
            Map.entry("Select", "select"), Map.entry("Poll", "poll"), Map.entry("Send", "send"),
            Map.entry("Recv", "recv"), Map.entry("Setsockopt", "setsockopt"),
            // memory and stdio
            Map.entry("Malloc", "malloc"), Map.entry("Calloc", "calloc"), Map.entry("Realloc", "realloc"),
            Map.entry("Free", "free"), Map.entry("Fopen", "fopen"), Map.entry("Fclose", "fclose"),
            Map.entry("Fdopen", "fdopen"), Map.entry("Fgets", "fgets"), Map.entry("Fputs", "fputs"),
            Map.entry("Fwrite", "fwrite"), Map.entry("Fread", "fread"),
            // threads, locks, semaphores
            Map.entry("Pthread_create", "pthread_create"), Map.entry("Pthread_join", "pthread_join"),
            Map.entry("Pthread_detach", "pthread_detach"), Map.entry("Pthread_exit", "pthread_exit"),
            Map.entry("Pthread_cancel", "pthread_cancel"), Map.entry("Pthread_self", "pthread_self"),
            Map.entry("Pthread_once", "pthread_once"), Map.entry("Pthread_mutex_init", "pthread_mutex_init"),
            Map.entry("Pthread_mutex_lock", "pthread_mutex_lock"),
            Map.entry("Pthread_mutex_unlock", "pthread_mutex_unlock"),
            Map.entry("Pthread_cond_wait", "pthread_cond_wait"),
            Map.entry("Pthread_cond_signal", "pthread_cond_signal"),
            Map.entry("Pthread_cond_broadcast", "pthread_cond_broadcast"),
            Map.entry("Pthread_attr_init", "pthread_attr_init"),
            Map.entry("Pthread_attr_setdetachstate", "pthread_attr_setdetachstate"),
            Map.entry("Sem_init", "sem_init"), Map.entry("Sem_wait", "sem_wait"), Map.entry("Sem_post", "sem_post"),
            Map.entry("P", "sem_wait"), Map.entry("V", "sem_post"));

    /** The function a call to {@code name} stands for: the wrapped function for a known wrapper, else the name. */
    public static String unwrap(String name) {
        return name == null ? null : WRAPPED.getOrDefault(name, name);
    }

    /** True when {@code name} is one of the known wrappers (not the function itself). */
    public static boolean isWrapper(String name) {
        return name != null && WRAPPED.containsKey(name);
    }
}
