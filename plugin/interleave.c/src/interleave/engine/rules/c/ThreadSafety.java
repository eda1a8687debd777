package interleave.engine.rules.c;

import java.util.Map;
import java.util.Set;

/**
 * Which library functions threads must not call at the same time. Two lists, chosen with the option
 * {@code thread-unsafe-call.functions}:
 * <ul>
 * <li>{@code posix}: the functions that POSIX.1-2017 (XSH section 2.9.1 "Thread-Safety") says need not be
 * thread-safe, plus {@code gethostbyname}, {@code gethostbyaddr}, {@code ecvt}, {@code fcvt} and {@code gcvt}, which
 * were on the same list until POSIX.1-2008 removed the functions themselves. Portable code must assume each of these
 * can corrupt state when two threads call it at once.</li>
 * <li>{@code glibc}: the functions the GNU C Library manual marks "MT-Unsafe" with a {@code race} or {@code const}
 * note (glibc 2.36). glibc made some POSIX-listed functions safe: {@code strerror} (since 2.32), {@code rand},
 * {@code inet_ntoa} (a per-thread buffer), {@code basename}, {@code dirname}, {@code getenv}, {@code system},
 * {@code readdir} on different directory streams. Functions marked only "sig" or "timer" (such as {@code sleep}) are
 * left out: they are unsafe only together with signal handling, not by themselves; so is {@code exit}, whose race
 * is only with a second {@code exit}.</li>
 * </ul>
 * The reason and the replacement for each function are written here in our own words.
 */
final class ThreadSafety {
    private ThreadSafety() {
    }

    /** Why a function is unsafe in threads and what to call instead. */
    record Entry(String why, String instead) {
    }

    private static final String STATIC_TM = "returns a pointer to one static struct tm that every call overwrites";
    private static final String STATIC_STR = "returns a pointer to one static buffer that every call overwrites";
    private static final String DB = "walks a database with one hidden cursor shared by all threads";
    private static final String ENV = "changes the environment, which other threads read without a lock";

    static final Map<String, Entry> ENTRIES = Map.ofEntries(
            Map.entry("strtok", new Entry("keeps its position in the string in one static variable that all threads"
                    + " share", "strtok_r() with a save pointer of the caller's own")),
            Map.entry("localtime", new Entry(STATIC_TM, "localtime_r() into a struct tm of the caller's own")),
            Map.entry("gmtime", new Entry(STATIC_TM, "gmtime_r() into a struct tm of the caller's own")),
            Map.entry("ctime", new Entry(STATIC_STR, "ctime_r() into a char buffer of 26 bytes of the caller's own")),
            Map.entry("asctime", new Entry(STATIC_STR,
                    "asctime_r() into a char buffer of 26 bytes of the caller's own")),
            Map.entry("rand", new Entry("updates one hidden seed that all threads share without a lock",
                    "rand_r() with a seed per thread")),
            Map.entry("drand48", new Entry("updates one hidden state shared by all threads", "erand48() with a"
                    + " state per thread")),
            Map.entry("lrand48", new Entry("updates one hidden state shared by all threads", "nrand48() with a"
                    + " state per thread")),
            Map.entry("mrand48", new Entry("updates one hidden state shared by all threads", "jrand48() with a"
                    + " state per thread")),
            Map.entry("gethostbyname", new Entry("returns a pointer to one static struct hostent (and its static"
                    + " address lists)", "getaddrinfo()")),
            Map.entry("gethostbyaddr", new Entry("returns a pointer to one static struct hostent",
                    "getnameinfo()")),
            Map.entry("gethostent", new Entry(DB, "getaddrinfo()")),
            Map.entry("getservbyname", new Entry("returns a pointer to one static struct servent",
                    "getaddrinfo() or getservbyname_r()")),
            Map.entry("getservbyport", new Entry("returns a pointer to one static struct servent",
                    "getnameinfo() or getservbyport_r()")),
            Map.entry("getservent", new Entry(DB, "getaddrinfo()")),
            Map.entry("getprotobyname", new Entry("returns a pointer to one static struct protoent",
                    "getprotobyname_r()")),
            Map.entry("getprotobynumber", new Entry("returns a pointer to one static struct protoent",
                    "getprotobynumber_r()")),
            Map.entry("getprotoent", new Entry(DB, "getprotoent_r()")),
            Map.entry("getnetbyname", new Entry("returns a pointer to one static struct netent",
                    "getnetbyname_r()")),
            Map.entry("getnetbyaddr", new Entry("returns a pointer to one static struct netent",
                    "getnetbyaddr_r()")),
            Map.entry("getnetent", new Entry(DB, "getnetent_r()")),
            Map.entry("inet_ntoa", new Entry(STATIC_STR, "inet_ntop() into a buffer of INET_ADDRSTRLEN bytes")),
            Map.entry("readdir", new Entry("may keep the entry it returns in storage shared by every reader of"
                    + " the same directory stream", "one DIR stream per thread (or a lock around it)")),
            Map.entry("strerror", new Entry("may format the message into one static buffer that every call"
                    + " overwrites", "strerror_r() into a buffer of the caller's own")),
            Map.entry("strsignal", new Entry(STATIC_STR, "sigdescr_np() or a table of your own")),
            Map.entry("getpwnam", new Entry("returns a pointer to one static struct passwd",
                    "getpwnam_r() with a buffer of the caller's own")),
            Map.entry("getpwuid", new Entry("returns a pointer to one static struct passwd",
                    "getpwuid_r() with a buffer of the caller's own")),
            Map.entry("getpwent", new Entry(DB, "getpwent_r()")),
            Map.entry("getgrnam", new Entry("returns a pointer to one static struct group",
                    "getgrnam_r() with a buffer of the caller's own")),
            Map.entry("getgrgid", new Entry("returns a pointer to one static struct group",
                    "getgrgid_r() with a buffer of the caller's own")),
            Map.entry("getgrent", new Entry(DB, "getgrent_r()")),
            Map.entry("setpwent", new Entry(DB, "getpwnam_r()/getpwuid_r()")),
            Map.entry("endpwent", new Entry(DB, "getpwnam_r()/getpwuid_r()")),
            Map.entry("setgrent", new Entry(DB, "getgrnam_r()/getgrgid_r()")),
            Map.entry("endgrent", new Entry(DB, "getgrnam_r()/getgrgid_r()")),
            Map.entry("getutxent", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("getutxid", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("getutxline", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("pututxline", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("setutxent", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("endutxent", new Entry(DB, "a lock around the utmp walk")),
            Map.entry("getlogin", new Entry(STATIC_STR, "getlogin_r()")),
            Map.entry("ttyname", new Entry(STATIC_STR, "ttyname_r()")),
            Map.entry("ptsname", new Entry(STATIC_STR, "ptsname_r()")),
            Map.entry("getdate", new Entry("returns a pointer to one static struct tm and reads a global error"
                    + " code", "strptime()")),
            Map.entry("basename", new Entry("may return a pointer into a static buffer",
                    "a copy of the path per call")),
            Map.entry("dirname", new Entry("may return a pointer into a static buffer",
                    "a copy of the path per call")),
            Map.entry("getenv", new Entry("returns a pointer into the environment, which setenv() in another thread"
                    + " may free", "reading the environment once at start-up")),
            Map.entry("setenv", new Entry(ENV, "setting the environment before any thread starts")),
            Map.entry("unsetenv", new Entry(ENV, "changing the environment before any thread starts")),
            Map.entry("putenv", new Entry(ENV, "setting the environment before any thread starts")),
            Map.entry("setlocale", new Entry("changes the locale that formatting in every thread reads",
                    "uselocale() with a locale object per thread")),
            Map.entry("localeconv", new Entry(STATIC_STR, "nl_langinfo_l() or reading it once at start-up")),
            Map.entry("getopt", new Entry("keeps its scanning position in global variables (optind, optarg)",
                    "parsing options in main before threads start")),
            Map.entry("system", new Entry("changes the process's signal dispositions while the command runs",
                    "posix_spawn() and waitpid()")),
            Map.entry("crypt", new Entry(STATIC_STR, "crypt_r()")),
            Map.entry("encrypt", new Entry("keeps its key in static storage", "a thread-safe crypto library")),
            Map.entry("setkey", new Entry("keeps its key in static storage", "a thread-safe crypto library")),
            Map.entry("hcreate", new Entry("manages one hidden hash table", "hcreate_r()")),
            Map.entry("hsearch", new Entry("searches one hidden hash table", "hsearch_r()")),
            Map.entry("hdestroy", new Entry("frees one hidden hash table", "hdestroy_r()")),
            Map.entry("ecvt", new Entry(STATIC_STR, "snprintf()")),
            Map.entry("fcvt", new Entry(STATIC_STR, "snprintf()")),
            Map.entry("gcvt", new Entry("is marked unsafe by the standard", "snprintf()")),
            Map.entry("l64a", new Entry(STATIC_STR, "a conversion into a buffer of the caller's own")),
            Map.entry("lgamma", new Entry("stores the sign in the global signgam", "lgamma_r()")),
            Map.entry("lgammaf", new Entry("stores the sign in the global signgam", "lgammaf_r()")),
            Map.entry("lgammal", new Entry("stores the sign in the global signgam", "lgammal_r()")),
            Map.entry("mblen", new Entry("keeps its shift state in a hidden static variable", "mbrlen() with a"
                    + " state of the caller's own")),
            Map.entry("mbtowc", new Entry("keeps its shift state in a hidden static variable", "mbrtowc() with a"
                    + " state of the caller's own")),
            Map.entry("wctomb", new Entry("keeps its shift state in a hidden static variable", "wcrtomb() with a"
                    + " state of the caller's own")),
            Map.entry("catgets", new Entry("may return a pointer to a buffer that the next call overwrites",
                    "copying the message before another thread calls it")),
            Map.entry("nl_langinfo", new Entry(STATIC_STR, "nl_langinfo_l()")),
            Map.entry("ftw", new Entry("may keep its walk state in static storage", "nftw() in one thread at a"
                    + " time")),
            Map.entry("nftw", new Entry("may keep its walk state in static storage", "one walk at a time")),
            Map.entry("dlerror", new Entry(STATIC_STR, "reading it at once in the thread that failed")),
            Map.entry("getc_unlocked", new Entry("reads the stream without its lock",
                    "getc(), or flockfile() around the loop")),
            Map.entry("getchar_unlocked", new Entry("reads stdin without its lock",
                    "getchar(), or flockfile() around the loop")),
            Map.entry("putc_unlocked", new Entry("writes the stream without its lock",
                    "putc(), or flockfile() around the loop")),
            Map.entry("putchar_unlocked", new Entry("writes stdout without its lock",
                    "putchar(), or flockfile() around the loop")),
            Map.entry("tmpnam", new Entry(STATIC_STR + " when called with NULL", "mkstemp()")),
            Map.entry("ctermid", new Entry(STATIC_STR + " when called with NULL", "ctermid() with a buffer")));

    /** Unsafe only while another thread changes the environment. */
    static final Set<String> ENVIRONMENT_READERS = Set.of("getenv");

    /** The calls that change the environment. */
    static final Set<String> ENVIRONMENT_WRITERS = Set.of("setenv", "unsetenv", "putenv", "clearenv");

    /** Unsafe only when called with a null buffer argument (then they use a static one). */
    static final Set<String> ONLY_WITH_NULL = Set.of("tmpnam", "ctermid");

    /** POSIX.1-2017 XSH 2.9.1: need not be thread-safe (plus the network lookups it listed before 2008). */
    static final Set<String> POSIX = Set.of("asctime", "basename", "catgets", "crypt", "ctime", "dirname",
            "dlerror", "drand48", "encrypt", "endgrent", "endpwent", "endutxent", "ftw", "getc_unlocked",
            "getchar_unlocked", "getdate", "getenv", "getgrent", "getgrgid", "getgrnam", "gethostent", "getlogin",
            "getnetbyaddr", "getnetbyname", "getnetent", "getopt", "getprotobyname", "getprotobynumber",
            "getprotoent", "getpwent", "getpwnam", "getpwuid", "getservbyname", "getservbyport", "getservent",
            "getutxent", "getutxid", "getutxline", "gmtime", "hcreate", "hdestroy", "hsearch", "inet_ntoa", "l64a",
            "lgamma", "lgammaf", "lgammal", "localeconv", "localtime", "lrand48", "mblen", "mbtowc", "mrand48",
            "nftw", "nl_langinfo", "ptsname", "putc_unlocked", "putchar_unlocked", "putenv", "pututxline", "rand",
            "readdir", "setenv", "setgrent", "setkey", "setpwent", "setutxent", "strerror", "strsignal", "strtok",
            "system", "ttyname", "unsetenv", "wctomb", "tmpnam", "ctermid",
            // removed from POSIX in 2008 together with the list entry; still in every libc
            "gethostbyname", "gethostbyaddr", "ecvt", "fcvt", "gcvt");

    /** glibc manual: MT-Unsafe with a race or const note (glibc 2.36). */
    static final Set<String> GLIBC = Set.of("asctime", "ctime", "gmtime", "localtime", "getdate", "strtok",
            "drand48", "lrand48", "mrand48", "ecvt", "fcvt", "l64a", "lgamma", "lgammaf", "lgammal", "crypt",
            "encrypt", "setkey", "hcreate", "hsearch", "hdestroy", "mblen", "mbtowc", "wctomb", "gethostbyname",
            "gethostbyaddr", "gethostent", "getservbyname", "getservbyport", "getservent", "getprotobyname",
            "getprotobynumber", "getprotoent", "getnetbyname", "getnetbyaddr", "getnetent", "getpwnam", "getpwuid",
            "getpwent", "setpwent", "endpwent", "getgrnam", "getgrgid", "getgrent", "setgrent", "endgrent",
            "getutxent", "getutxid", "getutxline", "pututxline", "setutxent", "endutxent", "getlogin", "ttyname",
            "ptsname", "strsignal", "setenv", "unsetenv", "putenv", "setlocale", "localeconv", "getopt", "tmpnam",
            "ctermid");
}
