/* itrace-dump: print every event of one or more Interleave run directories, one line per event,
 * sorted by time; report damaged files. A debugging and test tool, not the product reader.
 *
 *   itrace-dump [--headers] [--summary] RUN_DIR...
 *
 * --summary: instead of the events, one line per event kind "<TYPE>.<phase> <count>" (no sorting;
 * for very large runs).
 *
 * Line format:
 *   ts=<ns> pid=<pid> tid=<tid> slot=<i> ev=<TYPE>.<phase> [flags=<n>] [err=<ENAME>] <field>=<value>... [ra=0x..]
 * Strings that belong to a record are printed on its line as key="..." (NUL bytes shown as ' ').
 * Damage goes to stderr as "itrace-dump: DAMAGE <file> offset <n>: <reason>"; exit status 3 then.
 * A summary "itrace-dump: files=.. events=.. zero_slots=.. damaged=.." goes to stderr. */
#include "ilv_format.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct tfile {
    char path[4096];
    const uint8_t *map;
    size_t size;
    struct ilv_hdr h;
    uint64_t nslots;
};

struct ev {
    uint64_t ts;
    uint32_t file;
    uint64_t slot;
};

static struct tfile *files;
static size_t nfiles, capfiles;
static struct ev *evs;
static size_t nevs, capevs;
static int damaged;
static uint64_t zero_slots;
static int summary_only;
static uint64_t kind_count[65536][4];

static void damage(const char *file, uint64_t off, const char *why)
{
    fprintf(stderr, "itrace-dump: DAMAGE %s offset %llu: %s\n", file, (unsigned long long)off, why);
    damaged = 1;
}

struct tinfo {
    int type;
    const char *name;
    const char *fields; /* a0..a4 as name:fmt separated by spaces, '-' = unused */
};

/* fmt: d signed, u unsigned, x hex, a packed socket address, s signal number */
static const struct tinfo types[] = {
    {ILV_T_PROC_START, "PROC_START", "ppid:d argc:u nenv:u - -"},
    {ILV_T_PROC_EXIT, "PROC_EXIT", "status:d - - - -"},
    {ILV_T_FORK, "FORK", "child:d - - - -"},
    {ILV_T_FORK_CHILD, "FORK_CHILD", "parent_pid:d parent_tid:d parent_image:u fork_ts:u -"},
    {ILV_T_EXEC, "EXEC", "argc:u - - - -"},
    {ILV_T_SPAWN, "SPAWN", "child:d - - - -"},
    {ILV_T_WAIT, "WAIT", "pid:d options:d result:d status:x -"},
    {ILV_T_THREAD_CREATE, "THREAD_CREATE", "fn:x arg:x id:u b0:x b1:x"},
    {ILV_T_THREAD_START, "THREAD_START", "fn:x arg:x id:u b0:x b1:x"},
    {ILV_T_THREAD_EXIT, "THREAD_EXIT", "retval:x - - - -"},
    {ILV_T_PTHREAD_EXIT, "PTHREAD_EXIT", "retval:x - - - -"},
    {ILV_T_PTHREAD_JOIN, "PTHREAD_JOIN", "thread:x retval:x - - -"},
    {ILV_T_PTHREAD_DETACH, "PTHREAD_DETACH", "thread:x - - - -"},
    {ILV_T_THREAD_NAME, "THREAD_NAME", "thread:x - - - -"},
    {ILV_T_ARG_WATCH, "ARG_WATCH", "addr:x value:u insn:x cpu:u bytes:u"},
    {ILV_T_CPU, "CPU", "owner_slot:u cpu:u - - -"},
    {ILV_T_VAR_WATCH, "VAR_WATCH", "addr:x a1:x a2:x a3:x a4:x"},
    {ILV_T_MUTEX_LOCK, "MUTEX_LOCK", "mutex:x holder:d caller:x - -"},
    {ILV_T_MUTEX_TRYLOCK, "MUTEX_TRYLOCK", "mutex:x - - - -"},
    {ILV_T_MUTEX_UNLOCK, "MUTEX_UNLOCK", "mutex:x - - - -"},
    {ILV_T_COND_WAIT, "COND_WAIT", "cond:x mutex:x caller:x - -"},
    {ILV_T_COND_SIGNAL, "COND_SIGNAL", "cond:x - - - -"},
    {ILV_T_COND_BROADCAST, "COND_BROADCAST", "cond:x - - - -"},
    {ILV_T_SEM_WAIT, "SEM_WAIT", "sem:x - - - -"},
    {ILV_T_SEM_TRYWAIT, "SEM_TRYWAIT", "sem:x - - - -"},
    {ILV_T_SEM_POST, "SEM_POST", "sem:x - - - -"},
    {ILV_T_SOCKET, "SOCKET", "domain:d type:d proto:d fd:d -"},
    {ILV_T_BIND, "BIND", "fd:d addr:a - res:d -"},
    {ILV_T_LISTEN, "LISTEN", "fd:d backlog:d - res:d -"},
    {ILV_T_ACCEPT, "ACCEPT", "fd:d peer:a - res:d flags4:d"},
    {ILV_T_CONNECT, "CONNECT", "fd:d addr:a - res:d -"},
    {ILV_T_CLOSE, "CLOSE", "fd:d - - res:d -"},
    {ILV_T_READ, "READ", "fd:d buf:x count:u res:d -"},
    {ILV_T_WRITE, "WRITE", "fd:d buf:x count:u res:d -"},
    {ILV_T_RECV, "RECV", "fd:d buf:x count:u res:d msgflags:d"},
    {ILV_T_SEND, "SEND", "fd:d buf:x count:u res:d msgflags:d"},
    {ILV_T_SHUTDOWN, "SHUTDOWN", "fd:d how:d - res:d -"},
    {ILV_T_DUP, "DUP", "fd:d fd2:d - res:d -"},
    {ILV_T_PIPE, "PIPE", "fd0:d fd1:d - res:d -"},
    {ILV_T_SELECT, "SELECT", "nfds:d timeout_ns:d rdset:x ready:d -"},
    {ILV_T_POLL, "POLL", "nfds:u timeout_ms:d first_fd:d ready:d -"},
    {ILV_T_EPOLL_WAIT, "EPOLL_WAIT", "epfd:d maxevents:d timeout_ms:d ready:d -"},
    {ILV_T_SLEEP, "SLEEP", "ns:u - - res:d -"},
    {ILV_T_SIGACTION, "SIGACTION", "sig:s handler:x saflags:x old:x -"},
    {ILV_T_SIGNAL_HANDLER, "SIGNAL_HANDLER", "sig:s handler:x code:d sender:d status:d"},
    {ILV_T_KILL, "KILL", "pid:d sig:s - res:d -"},
    {ILV_T_RAISE, "RAISE", "- sig:s - res:d -"},
    {ILV_T_PTHREAD_KILL, "PTHREAD_KILL", "thread:x sig:s - - -"},
    {ILV_T_STDIO, "STDIO", "stream:x ptr:x - res:d -"},
    {ILV_T_MALLOC, "MALLOC", "size:u old:x - ptr:x -"},
    {ILV_T_FREE, "FREE", "ptr:x - - - -"},
    {ILV_T_LOCK_EDGE, "LOCK_EDGE", "held:x taken:x held_ra:x held_caller:x caller:x"},
    {ILV_T_LOCK_STATS, "LOCK_STATS", "obj:x count:u hold_ns:u max_hold_ns:u waits_tryfails:x"},
};

static const struct tinfo *tinfo_of(int type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].type == type)
            return &types[i];
    return 0;
}

static const char *phase_name[] = {"point", "enter", "exit", "call"};

static void add_file(const char *dir, const char *name)
{
    if (nfiles == capfiles) {
        capfiles = capfiles ? 2 * capfiles : 256;
        files = realloc(files, capfiles * sizeof *files);
    }
    struct tfile *f = &files[nfiles];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    int fd = open(f->path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "itrace-dump: cannot open %s: %s\n", f->path, strerror(errno));
        damaged = 1;
        return;
    }
    struct stat st;
    fstat(fd, &st);
    f->size = (size_t)st.st_size;
    if (f->size < sizeof(struct ilv_hdr)) {
        if (f->size == 0)
            fprintf(stderr, "itrace-dump: note %s is empty (being created)\n", f->path);
        else
            damage(f->path, f->size, "file shorter than the header");
        close(fd);
        return;
    }
    f->map = mmap(0, f->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (f->map == MAP_FAILED) {
        damage(f->path, 0, "cannot map");
        return;
    }
    memcpy(&f->h, f->map, sizeof f->h);
    static const char zero[8];
    if (!memcmp(f->h.magic, zero, 8)) {
        fprintf(stderr, "itrace-dump: note %s has no header yet (being created)\n", f->path);
        return;
    }
    if (memcmp(f->h.magic, ILV_MAGIC, 8)) {
        damage(f->path, 0, "bad magic");
        return;
    }
    if (f->h.version_major != ILV_VERSION_MAJOR) {
        damage(f->path, 8, "unsupported major version");
        return;
    }
    if (f->h.header_size < sizeof(struct ilv_hdr) || f->h.record_size < 64 || f->h.header_size > f->size) {
        damage(f->path, 12, "bad header_size/record_size");
        return;
    }
    uint64_t body = f->size - f->h.header_size;
    f->nslots = body / f->h.record_size;
    if (body % f->h.record_size)
        damage(f->path, f->h.header_size + f->nslots * f->h.record_size, "truncated record at end of file");
    if (f->h.lost_events)
        fprintf(stderr, "itrace-dump: %s: writer lost %llu events\n", f->path,
                (unsigned long long)f->h.lost_events);
    for (uint64_t i = 0; i < f->nslots; i++) {
        const uint8_t *r = f->map + f->h.header_size + i * f->h.record_size;
        uint32_t head;
        memcpy(&head, r, 4);
        if (!head) {
            zero_slots++;
            continue;
        }
        uint16_t type = (uint16_t)head;
        uint8_t phase = (uint8_t)(head >> 16);
        if (type == 0 || phase > 3) {
            damage(f->path, f->h.header_size + i * f->h.record_size, "bad record type/phase");
            continue;
        }
        if (type == ILV_T_STRING)
            continue;
        if (summary_only) {
            kind_count[type][phase]++;
            nevs++;
            continue;
        }
        if (nevs == capevs) {
            capevs = capevs ? 2 * capevs : 65536;
            evs = realloc(evs, capevs * sizeof *evs);
        }
        uint64_t ts;
        memcpy(&ts, r + 8, 8);
        evs[nevs++] = (struct ev){ts, (uint32_t)nfiles, i};
    }
    nfiles++;
}

static int cmp_ev(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static const char *key_name(int key)
{
    switch (key) {
    case ILV_S_EXE: return "exe";
    case ILV_S_ARGV: return "argv";
    case ILV_S_EXEC_PATH: return "path";
    case ILV_S_EXEC_ARGV: return "argv";
    case ILV_S_SOCKADDR: return "sockaddr";
    case ILV_S_SPAWN_PATH: return "path";
    case ILV_S_WATCH_VAR: return "var";
    default: return "str";
    }
}

/* print the strings owned by slot `owner` (they follow the owner closely; scan a window) */
static void print_strings(const struct tfile *f, uint64_t owner)
{
    for (int key = 1; key <= 8; key++) {
        char buf[ILV_STR_MAX + 1];
        uint32_t total = 0;
        int found = 0;
        size_t got = 0;
        for (uint64_t i = owner + 1; i < f->nslots && i < owner + 1 + 2 * (ILV_STR_MAX / 32) + 64; i++) {
            const uint8_t *r = f->map + f->h.header_size + i * f->h.record_size;
            struct ilv_str s;
            memcpy(&s, r, sizeof s);
            if (s.type != ILV_T_STRING || s.key != key || s.owner != owner)
                continue;
            found = 1;
            total = s.total_len & 0x7fffffffu;
            if (s.offset + s.len <= ILV_STR_MAX && s.len <= 32) {
                memcpy(buf + s.offset, s.data, s.len);
                got += s.len;
            }
        }
        if (!found)
            continue;
        if (total > ILV_STR_MAX)
            total = ILV_STR_MAX;
        printf(" %s=\"", key_name(key));
        size_t n = total;
        if (key == ILV_S_ARGV || key == ILV_S_EXEC_ARGV)
            while (n && buf[n - 1] == 0)
                n--;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (c == 0)
                putchar(' ');
            else if (c == '"' || c == '\\')
                printf("\\%c", c);
            else if (c < 32 || c > 126)
                printf("\\x%02x", c);
            else
                putchar(c);
        }
        putchar('"');
        if (got < total)
            printf(" %s_missing=%zu", key_name(key), total - got);
    }
}

static void print_field(const char *name, char fmt, uint64_t v)
{
    switch (fmt) {
    case 'd':
        printf(" %s=%lld", name, (long long)(int64_t)v);
        break;
    case 'u':
        printf(" %s=%llu", name, (unsigned long long)v);
        break;
    case 's':
        printf(" %s=%lld", name, (long long)(int64_t)v);
        break;
    case 'a':
        if (!v) {
            printf(" %s=none", name);
        } else if ((v & 0xffff) == 2) {
            uint8_t b[4];
            uint32_t ip = (uint32_t)(v >> 32);
            memcpy(b, &ip, 4);
            printf(" %s=%u.%u.%u.%u:%u", name, b[0], b[1], b[2], b[3], (unsigned)((v >> 16) & 0xffff));
        } else {
            printf(" %s=family%u", name, (unsigned)(v & 0xffff));
        }
        break;
    default:
        printf(" %s=0x%llx", name, (unsigned long long)v);
    }
}

static void print_ev(const struct ev *e)
{
    const struct tfile *f = &files[e->file];
    const uint8_t *p = f->map + f->h.header_size + e->slot * f->h.record_size;
    struct ilv_rec r;
    memcpy(&r, p, sizeof r);
    const struct tinfo *ti = tinfo_of(r.type);
    printf("ts=%llu pid=%d tid=%d slot=%llu ev=", (unsigned long long)r.ts, f->h.pid, f->h.tid,
           (unsigned long long)e->slot);
    if (ti)
        printf("%s", ti->name);
    else
        printf("TYPE%u", r.type);
    printf(".%s", phase_name[r.phase & 3]);
    if (r.flags)
        printf(" flags=%u", r.flags);
    if (r.err) {
        const char *en = strerrorname_np(r.err);
        if (en)
            printf(" err=%s", en);
        else
            printf(" err=%d", r.err);
    }
    if (r.type == ILV_T_VAR_WATCH) {
        int k = r.flags & 15;
        if (k == ILV_VW_ARMED || k == ILV_VW_UNAVAILABLE)
            printf(" addr=0x%llx len=%llu var=%llu budget=%llu arm_ns=%llu", (unsigned long long)r.a[0],
                   (unsigned long long)r.a[1], (unsigned long long)r.a[2], (unsigned long long)r.a[3],
                   (unsigned long long)r.a[4]);
        else if (k == ILV_VW_DONE)
            printf(" addr=0x%llx samples=%llu var=%llu lost=%llu spent=%llu", (unsigned long long)r.a[0],
                   (unsigned long long)r.a[1], (unsigned long long)r.a[2], (unsigned long long)r.a[3],
                   (unsigned long long)r.a[4]);
        else if (k == ILV_VW_HELD)
            printf(" locks=0x%llx,0x%llx,0x%llx,0x%llx,0x%llx", (unsigned long long)r.a[0],
                   (unsigned long long)r.a[1], (unsigned long long)r.a[2], (unsigned long long)r.a[3],
                   (unsigned long long)r.a[4]);
        else
            printf(" ip=0x%llx addr=0x%llx value=%lld insn=0x%llx cpu=%llu bytes=%llu var=%llu held=%llu lock=0x%llx",
                   (unsigned long long)r.ra, (unsigned long long)r.a[0], (long long)r.a[1],
                   (unsigned long long)r.a[2], (unsigned long long)(r.a[3] & 0xffffffffu),
                   (unsigned long long)((r.a[3] >> 32) & 0xff), (unsigned long long)((r.a[3] >> 40) & 0xff),
                   (unsigned long long)((r.a[3] >> 48) & 0xff), (unsigned long long)r.a[4]);
    } else if (r.type == ILV_T_ARG_WATCH && (r.flags & 15) != ILV_WATCH_READ && (r.flags & 15) != ILV_WATCH_WRITTEN) {
        /* armed: a1 = watched bytes, a2 = ns the arming took; the others only name the address */
        printf(" addr=0x%llx", (unsigned long long)r.a[0]);
        if ((r.flags & 15) == ILV_WATCH_ARMED)
            printf(" bytes=%llu arm_ns=%llu", (unsigned long long)r.a[1], (unsigned long long)r.a[2]);
        if ((r.flags & 15) == ILV_WATCH_ACCESSED)
            printf(" cpu=%llu", (unsigned long long)r.a[3]);
    } else if (ti) {
        char spec[256];
        snprintf(spec, sizeof spec, "%s", ti->fields);
        char *save = 0, *tok = strtok_r(spec, " ", &save);
        for (int i = 0; i < 5 && tok; i++, tok = strtok_r(0, " ", &save)) {
            if (i == 4 && r.phase == ILV_CALL) {
                printf(" dur=%llu", (unsigned long long)r.a[4]);
                continue;
            }
            if (tok[0] == '-')
                continue;
            char *colon = strchr(tok, ':');
            char fmt = colon ? colon[1] : 'x';
            if (colon)
                *colon = 0;
            const char *name = tok;
            if (r.type == ILV_T_THREAD_CREATE && r.phase == ILV_EXIT && i == 0)
                name = "thread";
            if (r.type == ILV_T_THREAD_CREATE && r.phase == ILV_EXIT && i >= 3)
                continue;
            print_field(name, fmt, r.a[i]);
        }
    } else {
        for (int i = 0; i < 5; i++)
            printf(" a%d=0x%llx", i, (unsigned long long)r.a[i]);
    }
    if (r.type == ILV_T_THREAD_NAME) {
        char name[17];
        memcpy(name, &r.a[1], 16);
        name[16] = 0;
        printf(" name=\"%s\"", name);
    }
    if (r.ra)
        printf(" ra=0x%llx", (unsigned long long)r.ra);
    if (r.type == ILV_T_PROC_START || r.type == ILV_T_EXEC || r.type == ILV_T_SPAWN || r.type == ILV_T_BIND ||
        r.type == ILV_T_CONNECT)
        print_strings(f, e->slot);
    putchar('\n');
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "itrace-dump: cannot open directory %s: %s\n", dir, strerror(errno));
        damaged = 1;
        return;
    }
    char **names = 0;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 7 || strcmp(de->d_name + l - 6, ".trace"))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        add_file(dir, names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    int headers = 0, ndirs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--headers"))
            headers = 1;
        else if (!strcmp(argv[i], "--summary"))
            summary_only = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: itrace-dump [--headers] [--summary] RUN_DIR...\n");
            return 2;
        } else {
            scan_dir(argv[i]);
            ndirs++;
        }
    }
    if (!ndirs) {
        fprintf(stderr, "usage: itrace-dump [--headers] [--summary] RUN_DIR...\n");
        return 2;
    }
    if (headers) {
        for (size_t i = 0; i < nfiles; i++) {
            const struct ilv_hdr *h = &files[i].h;
            printf("# file=%s pid=%d tid=%d ppid=%d flags=%u seq=%u image=%llu created=%llu real=%llu "
                   "pthread=0x%llx creator=%d create_id=%llu maps=%s slots=%llu lost=%llu\n",
                   files[i].path, h->pid, h->tid, h->ppid, h->header_flags, h->file_seq,
                   (unsigned long long)h->image_start_ns, (unsigned long long)h->created_mono_ns,
                   (unsigned long long)h->created_real_ns, (unsigned long long)h->pthread_self,
                   h->creator_tid, (unsigned long long)h->create_id, h->maps_file,
                   (unsigned long long)files[i].nslots, (unsigned long long)h->lost_events);
        }
    }
    if (summary_only) {
        for (int t = 0; t < 65536; t++)
            for (int p = 0; p < 4; p++)
                if (kind_count[t][p]) {
                    const struct tinfo *ti = tinfo_of(t);
                    if (ti)
                        printf("%s.%s %llu\n", ti->name, phase_name[p], (unsigned long long)kind_count[t][p]);
                    else
                        printf("TYPE%d.%s %llu\n", t, phase_name[p], (unsigned long long)kind_count[t][p]);
                }
    } else {
        qsort(evs, nevs, sizeof *evs, cmp_ev);
        for (size_t i = 0; i < nevs; i++)
            print_ev(&evs[i]);
    }
    fflush(stdout);
    fprintf(stderr, "itrace-dump: files=%zu events=%zu zero_slots=%llu damaged=%d\n", nfiles, nevs,
            (unsigned long long)zero_slots, damaged);
    return damaged ? 3 : 0;
}
