/* Interleave agent: stdio and heap calls (recorded on request, and always inside signal handlers). */
#include "wrap.h"

extern int __printf_chk(int flag, const char *fmt, ...);
extern int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
extern int __vprintf_chk(int flag, const char *fmt, va_list ap);
extern int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap);
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

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

/* resolved first of all (dlsym may allocate: until real_calloc is set, calloc uses __libc_calloc) */
void ilv_wrap_init_heap(void)
{
    real_malloc = (void *(*)(size_t))ilv_wrap_resolve("malloc", 0);
    real_calloc = (void *(*)(size_t, size_t))ilv_wrap_resolve("calloc", 0);
    real_realloc = (void *(*)(void *, size_t))ilv_wrap_resolve("realloc", 0);
    real_free = (void (*)(void *))ilv_wrap_resolve("free", 0);
}

void ilv_wrap_init_stdio(void)
{
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

/* ------------------------------------------------------------ stdio and heap (opt-in) */

/* Recorded when INTERLEAVE_TRACE_STDIO=1, and always while a signal handler runs (ilv_in_handler):
 * a handler's own printf/malloc is the evidence of an unsafe call even when the run did not ask
 * for stdio records. Outside handlers the calls are only counted (ilv_in_stdio, ilv_in_heap: one TLS
 * increment each way), so the handler-entry record can say what the signal interrupted. */
#define STDIO_REC (ON && (ilv_g.trace_stdio || ilv_in_handler))
#define STDIO_ENTER(variant, fp, p)                                                                \
    uint64_t ra_ = RA;                                                                             \
    ilv_emit(H(ILV_T_STDIO, E, variant), 0, NOW, ra_, P(fp), P(p), 0, 0, 0)
#define STDIO_EXIT(variant, fp, p, res)                                                            \
    int e_ = errno;                                                                                \
    ilv_emit(H(ILV_T_STDIO, X, variant), (res) < 0 ? e_ : 0, NOW, ra_, P(fp), P(p), 0, SX(res), 0); \
    ILV_ERRNO_BACK(e_)
/* a call counted as "inside stdio" while it runs (errno kept: the decrement never touches it) */
#define IN_STDIO(type, call) ({ ilv_in_stdio++; ILV_BARRIER(); type r__ = call; ILV_BARRIER(); ilv_in_stdio--; r__; })
#define IN_HEAP(type, call) ({ ilv_in_heap++; ILV_BARRIER(); type r__ = call; ILV_BARRIER(); ilv_in_heap--; r__; })

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
        ilv_in_stdio++;
        ILV_BARRIER();
        REAL(perror)(s);
        ILV_BARRIER();
        ilv_in_stdio--;
        return;
    }
    int saved = errno;
    STDIO_ENTER(11, stderr, s);
    errno = saved;
    ilv_in_stdio++;
    ILV_BARRIER();
    REAL(perror)(s);
    ILV_BARRIER();
    ilv_in_stdio--;
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
    return r;
}

EXPORT void free(void *p)
{
    void (*f)(void *) = real_free ? real_free : __libc_free;
    if (!STDIO_REC || !p) {
        ilv_in_heap++;
        ILV_BARRIER();
        f(p);
        ILV_BARRIER();
        ilv_in_heap--;
        return;
    }
    uint64_t ra = RA;
    int e = errno;
    ilv_emit(H(ILV_T_FREE, E, 0), 0, NOW, ra, P(p), 0, 0, 0, 0);
    ilv_in_heap++;
    ILV_BARRIER();
    f(p);
    ILV_BARRIER();
    ilv_in_heap--;
    ilv_emit(H(ILV_T_FREE, X, 0), 0, NOW, ra, P(p), 0, 0, 0, 0);
    ILV_ERRNO_BACK(e);
}
