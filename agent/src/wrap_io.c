/* Interleave agent: sockets, descriptors, reads and writes, and waiting for them (select, poll,
 * epoll, sleep). */
#include "wrap.h"

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

void ilv_wrap_init_io(void)
{
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

/* ------------------------------------------------------------ sockets and descriptors */

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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
    return r;
}

#define IO_BODY(type, variant, call, fd, buf, n, a4)                                               \
    uint64_t ra = RA;                                                                              \
    ilv_emit(H(type, E, variant), 0, NOW, ra, SX(fd), P(buf), (uint64_t)(n), 0, a4);               \
    ssize_t r = call;                                                                              \
    int e = errno;                                                                                 \
    ilv_emit(H(type, X, variant), r < 0 ? e : 0, NOW, ra, SX(fd), P(buf), (uint64_t)(n), SX(r), a4); \
    ILV_ERRNO_BACK(e);                                                                                     \
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
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
    ILV_ERRNO_BACK(e);
    return r;
}
