/* Interleave trace format v1.0 -- constants and layouts.
 * The normative description is docs/trace-format.md; this header mirrors it. */
#ifndef ILV_FORMAT_H
#define ILV_FORMAT_H
#include <stdint.h>

#define ILV_MAGIC          "ILVTRACE"
#define ILV_VERSION_MAJOR  1
#define ILV_VERSION_MINOR  3
#define ILV_HDR_SIZE       4096u
#define ILV_REC_SIZE       64u

/* header flags */
#define ILV_HF_MAIN    0x1u
#define ILV_HF_CREATED 0x2u
#define ILV_HF_FORKED  0x4u

struct ilv_hdr {            /* first bytes of the 4096-byte header, rest is zero */
    char     magic[8];      /* 0 */
    uint16_t version_major; /* 8 */
    uint16_t version_minor; /* 10 */
    uint32_t header_size;   /* 12 */
    uint32_t record_size;   /* 16 */
    uint32_t header_flags;  /* 20 */
    int32_t  pid;           /* 24 */
    int32_t  tid;           /* 28 */
    int32_t  ppid;          /* 32 */
    uint32_t file_seq;      /* 36 */
    uint64_t created_mono_ns; /* 40 */
    uint64_t created_real_ns; /* 48 */
    uint64_t image_start_ns;  /* 56 */
    uint64_t pthread_self;    /* 64 */
    int32_t  creator_tid;     /* 72 */
    uint32_t reserved0;       /* 76 */
    uint64_t create_id;       /* 80 */
    uint32_t window_slots;    /* 88 */
    uint32_t reserved1;       /* 92 */
    char     maps_file[128];  /* 96 */
    uint64_t lost_events;     /* 224 */
};
#define ILV_HDR_LOST_OFF 224

/* phases */
#define ILV_POINT 0
#define ILV_ENTER 1
#define ILV_EXIT  2
#define ILV_CALL  3

struct ilv_rec {
    uint16_t type;   /* 0 \                          */
    uint8_t  phase;  /* 2  } commit word, written last */
    uint8_t  flags;  /* 3 /                          */
    int32_t  err;    /* 4 */
    uint64_t ts;     /* 8 */
    uint64_t ra;     /* 16 */
    uint64_t a[5];   /* 24..63 */
};

struct ilv_str {     /* a STRING record */
    uint16_t type;
    uint8_t  phase;
    uint8_t  key;
    uint32_t total_len;   /* bit 31: truncated */
    uint64_t ts;
    uint64_t owner;
    uint32_t offset;
    uint32_t len;
    uint8_t  data[32];
};

/* string keys */
#define ILV_S_EXE        1
#define ILV_S_ARGV       2
#define ILV_S_EXEC_PATH  3
#define ILV_S_EXEC_ARGV  4
#define ILV_S_SOCKADDR   5
#define ILV_S_SPAWN_PATH 6
#define ILV_S_WATCH_VAR  7 /* VAR_WATCH ARMED / UNAVAILABLE: the variable's name */
#define ILV_STR_MAX      4096u

/* record types */
#define ILV_T_STRING        1
#define ILV_T_PROC_START    2
#define ILV_T_PROC_EXIT     3
#define ILV_T_FORK          4
#define ILV_T_FORK_CHILD    5
#define ILV_T_EXEC          6
#define ILV_T_SPAWN         7
#define ILV_T_WAIT          8
#define ILV_T_THREAD_CREATE 16
#define ILV_T_THREAD_START  17
#define ILV_T_THREAD_EXIT   18
#define ILV_T_PTHREAD_EXIT  19
#define ILV_T_PTHREAD_JOIN  20
#define ILV_T_PTHREAD_DETACH 21
#define ILV_T_THREAD_NAME   22
#define ILV_T_ARG_WATCH     23
#define ILV_T_CPU           24
#define ILV_T_VAR_WATCH     25 /* v1.3: accesses to a watched shared variable */
#define ILV_T_MUTEX_LOCK    32
#define ILV_T_MUTEX_TRYLOCK 33
#define ILV_T_MUTEX_UNLOCK  34
#define ILV_T_COND_WAIT     35
#define ILV_T_COND_SIGNAL   36
#define ILV_T_COND_BROADCAST 37
#define ILV_T_SEM_WAIT      38
#define ILV_T_SEM_TRYWAIT   39
#define ILV_T_SEM_POST      40
#define ILV_T_SOCKET        48
#define ILV_T_BIND          49
#define ILV_T_LISTEN        50
#define ILV_T_ACCEPT        51
#define ILV_T_CONNECT       52
#define ILV_T_CLOSE         53
#define ILV_T_READ          54
#define ILV_T_WRITE         55
#define ILV_T_RECV          56
#define ILV_T_SEND          57
#define ILV_T_SHUTDOWN      58
#define ILV_T_DUP           59
#define ILV_T_PIPE          60
#define ILV_T_SELECT        64
#define ILV_T_POLL          65
#define ILV_T_EPOLL_WAIT    66
#define ILV_T_SLEEP         72
#define ILV_T_SIGACTION     80
#define ILV_T_SIGNAL_HANDLER 81
#define ILV_T_KILL          82
#define ILV_T_RAISE         83
#define ILV_T_PTHREAD_KILL  84
#define ILV_T_STDIO         96
#define ILV_T_MALLOC        97
#define ILV_T_FREE          98
/* v1.1: compact lock events (added at the end of the table) */
#define ILV_T_LOCK_EDGE     41
#define ILV_T_LOCK_STATS    42

/* flag bits (minor 1) */
#define ILV_CREATE_DETACHED  0x1u /* THREAD_CREATE EXIT: the attr asked for PTHREAD_CREATE_DETACHED */
#define ILV_JOIN_TIMED       1    /* PTHREAD_JOIN flags: pthread_timedjoin_np */
#define ILV_JOIN_TRY         2    /* pthread_tryjoin_np */
#define ILV_JOIN_CLOCK       3    /* pthread_clockjoin_np */
#define ILV_SIG_IN_STDIO     0x1u /* SIGNAL_HANDLER ENTER: the thread was inside a stdio call */
#define ILV_SIG_IN_HEAP      0x2u /* ... inside malloc/calloc/realloc/free */

/* ARG_WATCH flags (minor 2): bits 0-3 the kind, bit 4 the address was assumed (see the format doc) */
#define ILV_WATCH_ARMED        1 /* watchpoint set on the creator's stack bytes *arg */
#define ILV_WATCH_UNAVAILABLE  2 /* could not be set (err = errno; 0 = turned off): value read at start */
#define ILV_WATCH_READ         3 /* the thread's first access, a load: a1 = the bytes it read */
#define ILV_WATCH_WRITTEN      4 /* the first access was a store by the thread: a1 = the bytes written */
#define ILV_WATCH_ACCESSED     5 /* first access seen, instruction not decoded: value unknown */
#define ILV_WATCH_NOT_ACCESSED 6 /* the thread ended without touching the bytes */
#define ILV_WATCH_EA_ASSUMED   0x10

/* VAR_WATCH flags (minor 3): bits 0-3 the kind, bit 4 the address was assumed */
#define ILV_VW_ARMED        1 /* a0 address, a1 length, a2 variable index, a3 sample budget, a4 cost ns */
#define ILV_VW_UNAVAILABLE  2 /* err = errno (0: watchpoints turned off); a0 a1 a2 as ARMED */
#define ILV_VW_READ         3 /* ts/ra of the access; a0 address, a1 value, a2 instruction, a3 packed, a4 lock */
#define ILV_VW_WRITTEN      4 /* as READ, a store: a1 the value written */
#define ILV_VW_ACCESSED     5 /* an access whose instruction was not decoded (read-modify-write, atomic) */
#define ILV_VW_DONE         6 /* thread end: a0 address, a1 samples recorded, a2 index, a3 lost, a4 1 = budget spent */
#define ILV_VW_HELD         7 /* after an access with more than one lock held: a0..a4 the next locks (0 = none) */
#define ILV_VW_EA_ASSUMED   0x10

#endif
