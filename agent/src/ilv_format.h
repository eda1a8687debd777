/* Interleave trace format v1 -- file layout. The normative description is docs/trace-format.md; the version,
 * record types, string keys and flag values come from the event schema (agent/schema/events.def) through the
 * generated ilv_events.h. */
#ifndef ILV_FORMAT_H
#define ILV_FORMAT_H
#include <stdint.h>

#include "ilv_events.h"

#define ILV_MAGIC          "ILVTRACE"
/* 256 since 1.6 (4096 before): the header and the first 60 slots share one page, so a short thread's
 * file is one page, faulted once */
#define ILV_HDR_SIZE       256u
#define ILV_REC_SIZE       64u

/* header flags */
#define ILV_HF_MAIN    0x1u
#define ILV_HF_CREATED 0x2u
#define ILV_HF_FORKED  0x4u

struct ilv_hdr {            /* first bytes of the 256-byte header, rest is zero */
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

#define ILV_HF_THREADS 0x8u   /* the header of a shared thread file (§2.1) */

/* The shared thread file <pid>-threads[.n].trace (format §2.1): a 4096-byte file header (struct
 * ilv_hdr with version_major ILV_SHARED_VERSION_MAJOR, so that readers of per-thread files skip it),
 * then chunks, each starting on a 4096-byte boundary with this header in its first slot. A
 * thread's first chunk has the thread's 256-byte header (struct ilv_hdr) in slots 1-4. */
#define ILV_SHARED_VERSION_MAJOR 2
#define ILV_CHUNK_MAGIC 0x43564c49u /* "ILVC" */
struct ilv_chunk {
    uint32_t magic;     /* 0: ILV_CHUNK_MAGIC, written last */
    uint32_t slots;     /* 4: size of the chunk in slots (headers included) */
    uint64_t offset;    /* 8: file offset of this chunk (a check) */
    int32_t  tid;       /* 16 */
    uint32_t seq;       /* 20: 0 for a thread's first chunk, then 1, 2, ... */
    uint64_t thread;    /* 24: file offset of the thread's first chunk (names the thread) */
    uint64_t first;     /* 32: the thread's slot number of this chunk's first record */
    uint32_t hdr_slots; /* 40: slots before the first record (1, or 5 in a first chunk) */
    uint32_t reserved0; /* 44 */
    uint64_t reserved1[2]; /* 48 */
};

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

#define ILV_STR_MAX      4096u

#endif
