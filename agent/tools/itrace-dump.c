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
#include "itrace-dump-fields.h"
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

static void add_mapped(struct tfile *f);
static void add_shared(const char *path, const uint8_t *map, size_t size);

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

/* the record types' names and fields, generated from agent/schema/events.def */
static const struct ilv_dump_type *tinfo_of(int type)
{
    for (size_t i = 0; i < sizeof ilv_dump_types / sizeof ilv_dump_types[0]; i++)
        if (ilv_dump_types[i].type == type)
            return &ilv_dump_types[i];
    return 0;
}

/* the fields of the first variant that names r's phase or kind, else the default ones */
static const struct ilv_dump_variant *variant_of(const struct ilv_dump_type *ti, const struct ilv_rec *r)
{
    for (int i = 1; i < ti->nvariants; i++) {
        const struct ilv_dump_variant *v = &ti->v[i];
        int value = v->sel == 1 ? r->phase : r->flags & 15;
        if (v->mask & (1u << value))
            return v;
    }
    return &ti->v[0];
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
    if (f->h.version_major == ILV_SHARED_VERSION_MAJOR && (f->h.header_flags & ILV_HF_THREADS)) {
        char path[4096];
        memcpy(path, f->path, sizeof path);
        add_shared(path, f->map, f->size); /* its threads become entries of their own */
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
    add_mapped(f);
}

/* f->map holds a thread's header and its slots in order (a file, or one put together from chunks) */
static void add_mapped(struct tfile *f)
{
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

/* A shared thread file (format §2.1): chunks on 4096-byte boundaries, each naming its thread; every
 * thread becomes an entry "FILE#tid" whose map is its header followed by its slots in order. A
 * position without a valid chunk header (zero: allocated and never written) is skipped a page at a
 * time. */
struct sthread {
    uint64_t key;
    uint8_t *buf;
    size_t cap, len;
    int tid, have_hdr;
};

static void add_shared(const char *path, const uint8_t *map, size_t size)
{
    struct sthread *th = 0;
    size_t nth = 0, capth = 0;
    const struct ilv_hdr *fh = (const struct ilv_hdr *)map;
    uint64_t off = fh->header_size;
    if (off < 4096 || off % 4096)
        off = (off + 4095) & ~4095ull;
    while (off + 64 <= size) {
        struct ilv_chunk c;
        memcpy(&c, map + off, sizeof c);
        if (c.magic == ILV_CHUNK_MAGIC && c.offset == off && off + (uint64_t)c.slots * 64 > size) {
            damage(path, off, "chunk cut short by the end of the file; chunk skipped");
            break;
        }
        if (c.magic != ILV_CHUNK_MAGIC || c.offset != off || c.slots < 2 || c.hdr_slots >= c.slots ||
            (c.seq == 0) != (c.thread == off)) {
            int nonzero = 0;
            for (int i = 0; i < 64; i++)
                nonzero |= map[off + i];
            if (nonzero)
                damage(path, off, "bad chunk header");
            off += 4096;
            continue;
        }
        size_t k;
        for (k = 0; k < nth && th[k].key != c.thread; k++)
            ;
        if (k == nth) {
            if (nth == capth) {
                capth = capth ? 2 * capth : 64;
                th = realloc(th, capth * sizeof *th);
            }
            memset(&th[nth], 0, sizeof th[nth]);
            th[nth].key = c.thread;
            th[nth].tid = c.tid;
            nth++;
        }
        struct sthread *t = &th[k];
        uint64_t nrec = c.slots - c.hdr_slots;
        size_t need = ILV_HDR_SIZE + (c.first + nrec) * 64;
        if (need > t->cap) {
            size_t nc = t->cap ? t->cap : 65536;
            while (nc < need)
                nc *= 2;
            t->buf = realloc(t->buf, nc);
            memset(t->buf + t->cap, 0, nc - t->cap);
            t->cap = nc;
        }
        if (c.seq == 0) {
            memcpy(t->buf, map + off + 64, ILV_HDR_SIZE);
            t->have_hdr = 1;
        }
        memcpy(t->buf + ILV_HDR_SIZE + c.first * 64, map + off + (uint64_t)c.hdr_slots * 64, nrec * 64);
        if (need > t->len)
            t->len = need;
        off += (uint64_t)c.slots * 64;
    }
    for (size_t k = 0; k < nth; k++) {
        if (!th[k].have_hdr) {
            damage(path, th[k].key, "chunks of a thread whose first chunk is missing");
            free(th[k].buf);
            continue;
        }
        if (nfiles == capfiles) {
            capfiles = capfiles ? 2 * capfiles : 256;
            files = realloc(files, capfiles * sizeof *files);
        }
        struct tfile *f = &files[nfiles];
        memset(f, 0, sizeof *f);
        snprintf(f->path, sizeof f->path, "%s#%d", path, th[k].tid);
        f->map = th[k].buf;
        f->size = th[k].len;
        memcpy(&f->h, f->map, sizeof f->h);
        if (memcmp(f->h.magic, ILV_MAGIC, 8) || f->h.header_size != ILV_HDR_SIZE || f->h.record_size != 64) {
            damage(f->path, th[k].key + 64, "bad thread header in a shared thread file");
            continue;
        }
        add_mapped(f);
    }
    free(th);
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
    for (size_t i = 0; i < sizeof ilv_dump_string_keys / sizeof ilv_dump_string_keys[0]; i++)
        if (ilv_dump_string_keys[i].key == key)
            return ilv_dump_string_keys[i].name;
    return "str";
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
        for (size_t i = 0; i < sizeof ilv_dump_signals / sizeof ilv_dump_signals[0]; i++)
            if ((int64_t)v == ilv_dump_signals[i].number) {
                printf(" %s=%s", name, ilv_dump_signals[i].name);
                return;
            }
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
    const struct ilv_dump_type *ti = tinfo_of(r.type);
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
    if (ti) {
        const struct ilv_dump_variant *v = variant_of(ti, &r);
        for (int i = 0; i < v->nfields; i++) {
            const struct ilv_dump_field *fd = &v->f[i];
            if (r.phase == ILV_CALL && fd->slot == 4)
                continue; /* a CALL record's a4 is its duration, printed below */
            if (fd->slot == 6) { /* 16 bytes of text in a1, a2 */
                char text[17];
                memcpy(text, &r.a[1], 16);
                text[16] = 0;
                printf(" %s=\"%s\"", fd->name, text);
            } else if (fd->slot == 7) {
                printf(" %s=0x%llx,0x%llx,0x%llx,0x%llx,0x%llx", fd->name, (unsigned long long)r.a[0],
                       (unsigned long long)r.a[1], (unsigned long long)r.a[2], (unsigned long long)r.a[3],
                       (unsigned long long)r.a[4]);
            } else {
                uint64_t w = fd->slot == 5 ? r.ra : r.a[fd->slot];
                if (fd->bits < 64)
                    w = (w >> fd->lo) & ((1ull << fd->bits) - 1);
                print_field(fd->name, fd->fmt, w);
            }
        }
        if (r.phase == ILV_CALL)
            printf(" dur=%llu", (unsigned long long)r.a[4]);
    } else {
        for (int i = 0; i < 5; i++)
            printf(" a%d=0x%llx", i, (unsigned long long)r.a[i]);
    }
    if (r.ra)
        printf(" ra=0x%llx", (unsigned long long)r.ra);
    if (ti && ti->has_strings)
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
                    const struct ilv_dump_type *ti = tinfo_of(t);
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
