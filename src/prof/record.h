/*
 * The profiler's record formats, as they travel through a worker's rings
 * (src/prof/ring.h) to the master. One record is one ring record.
 *
 * Every record starts with struct sample_hdr. Compatibility rules, so the
 * memory and copy profilers (and later fields) fit without a format break:
 *  - A reader skips a record whose type it does not know (the ring frame
 *    gives its length).
 *  - A type's fixed part only grows: new fields are appended and its
 *    version goes up. hdr.fixed says where the program counters start, so
 *    an older reader still finds them; a reader needs fixed >= the sizeof
 *    it knows and ignores the rest.
 *  - A change that alters the meaning of an existing field takes a new
 *    type number instead.
 * All fields are native-endian: master and workers are one binary.
 *
 * Stacks: pcs[0] is the innermost frame. In a CPU sample it is the exact
 * interrupted instruction pointer; every other entry is a return address,
 * to be looked up at pc - 1. Records are multiples of 8 bytes.
 */
#ifndef HL_RECORD_H
#define HL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define SAMPLE_VERSION       1 /* layout version of the types below */
#define SAMPLE_DEPTH_DEFAULT 32 /* profiling_stack_depth default */
#define SAMPLE_DEPTH_MAX     256 /* largest depth a writer may use */
#define SAMPLE_NO_PKG        (-1) /* pkg_id when no handler is running */

enum sample_type {
	SAMPLE_NONE = 0, /* never written: a zeroed record is invalid */
	SAMPLE_CPU = 1, /* struct sample_cpu */
	SAMPLE_ALLOC = 2, /* struct sample_alloc */
	SAMPLE_FREE = 3, /* struct sample_free */
	SAMPLE_COPY = 4, /* struct sample_copy */
	SAMPLE_OBJECTS = 5, /* struct sample_objects */
};

/* hdr.flags, any type. */
#define SAMPLE_F_TRUNCATED 0x80 /* the stack was deeper than depth */

/* hdr.flags of an alloc record: the worker's table of sampled blocks was
 * full, so this block's free will not be reported. Count its size and
 * weight as allocated volume, never in net or leak figures. */
#define SAMPLE_F_UNTRACKED 0x40

/* hdr.flags of a CPU sample: a class in the low two bits, own when none
 * applies (precedence system > native > own, set by the sampler), and
 * the clock that weighted it. */
#define SAMPLE_CPU_CLASS_MASK 0x03
#define SAMPLE_CPU_OWN        0x00 /* in the daemon or a loaded module */
#define SAMPLE_CPU_NATIVE     0x01 /* innermost frame in a shared library */
#define SAMPLE_CPU_SYSTEM     0x02 /* interrupted at/after a syscall insn */
#define SAMPLE_CPU_IDLE       0x03 /* wall clock, waiting in epoll_wait */
#define SAMPLE_CPU_WALL       0x04 /* timer on the monotonic clock */

/* Which call produced an allocation or copy record. */
enum sample_fn {
	SAMPLE_FN_MALLOC = 1,
	SAMPLE_FN_CALLOC,
	SAMPLE_FN_REALLOC,
	SAMPLE_FN_MEMALIGN, /* posix_memalign, aligned_alloc, valloc */
	SAMPLE_FN_MEMCPY,
	SAMPLE_FN_MEMMOVE,
	SAMPLE_FN_MEMCPY_CHK,
	SAMPLE_FN_MEMMOVE_CHK,
	SAMPLE_FN_READ, /* explicit count at hotline's own read site */
	SAMPLE_FN_WRITE, /* explicit count at hotline's own write site */
};

/* First 16 bytes of every record. */
struct sample_hdr {
	uint16_t type; /* enum sample_type; unknown: skip */
	uint8_t version; /* SAMPLE_VERSION when written */
	uint8_t flags; /* SAMPLE_F_* and type-specific bits */
	uint16_t fixed; /* bytes before pcs[]; >= the type's sizeof */
	uint16_t depth; /* entries in pcs[] */
	uint64_t ts_ns; /* CLOCK_MONOTONIC when taken */
};

/* One SIGPROF sample: 32 bytes + 8 per frame (296 with the ring frame at
 * depth 32). Weighted by the CLOCK_THREAD_CPUTIME_ID delta, in wall mode
 * too. */
struct sample_cpu {
	struct sample_hdr hdr; /* SAMPLE_CPU; flags SAMPLE_CPU_*, _F_* */
	uint64_t weight_ns; /* thread CPU time since the last sample */
	int32_t pkg_id; /* handler running, or SAMPLE_NO_PKG */
	uint32_t reserved; /* zero */
	uint64_t pcs[];
};

/* A sampled allocation: 48 bytes + 8 per frame. realloc of a sampled block
 * writes a free of the old block, then this. */
struct sample_alloc {
	struct sample_hdr hdr; /* SAMPLE_ALLOC */
	uint64_t size; /* bytes requested */
	uint64_t addr; /* block address, to match its free */
	uint64_t weight; /* bytes this sample stands for */
	int32_t pkg_id; /* handler running, or SAMPLE_NO_PKG */
	uint16_t fn; /* enum sample_fn */
	uint16_t reserved; /* zero */
	uint64_t pcs[];
};

/* The free of a block an alloc record sampled: 40 bytes, depth 0 in this
 * version (the master charges it to the allocating stack, matched by addr;
 * every type ends in pcs[] so a later version may add one). */
struct sample_free {
	struct sample_hdr hdr; /* SAMPLE_FREE */
	uint64_t addr;
	uint64_t size; /* as in the alloc record */
	uint64_t weight; /* as in the alloc record */
	uint64_t pcs[];
};

/* A sampled library-call copy or an explicit byte count: 40 bytes + 8 per
 * frame. */
struct sample_copy {
	struct sample_hdr hdr; /* SAMPLE_COPY */
	uint64_t bytes; /* bytes in this call */
	uint64_t weight; /* bytes this sample stands for */
	int32_t pkg_id; /* handler running, or SAMPLE_NO_PKG */
	uint16_t fn; /* enum sample_fn */
	uint16_t reserved; /* zero */
	uint64_t pcs[];
};

/* The worker's loaded-object list changed (dlopen, dlclose): records after
 * this one resolve against list `generation` in its slot. 32 bytes. */
struct sample_objects {
	struct sample_hdr hdr; /* SAMPLE_OBJECTS */
	uint64_t generation; /* of the list published in the slot */
	uint32_t count; /* objects in that list */
	uint32_t reserved; /* zero */
	uint64_t pcs[];
};

/* Bytes of a record of type `type` with `depth` frames; 0 for an unknown
 * type or a depth over SAMPLE_DEPTH_MAX. */
size_t sample_bytes(unsigned type, unsigned depth);

/* Fill the header of a record of type `type` with `depth` frames. */
void sample_hdr_init(
    struct sample_hdr *hdr, unsigned type, unsigned depth, uint64_t ts_ns);

/* Validate a record of len bytes read from a ring (8-byte aligned). Returns
 * its type (> 0; possibly one this reader does not know, to be skipped),
 * or -1 when it is malformed: shorter than its header, a fixed part shorter
 * than its known type needs, or pcs[] past len. */
int sample_check(const void *rec, size_t len);

/* The program counters of a record sample_check() accepted. */
const uint64_t *sample_pcs(const struct sample_hdr *hdr);

/* A short name for a type ("cpu", "alloc", ...), "unknown" otherwise. */
const char *sample_type_name(unsigned type);

#endif
