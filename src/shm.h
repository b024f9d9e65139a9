/*
 * The shared-memory segment: a header and 2 x max_workers worker slots (the
 * scoreboard). Mapped MAP_SHARED before the first fork, so master and
 * workers see the same pages at the same address. Each counter has exactly
 * one writer, the worker that owns the slot; the master only reads them.
 * The layout is a contract (tests/unit/check_shm.c): change a field and
 * bump SHM_LAYOUT_VERSION.
 */
#ifndef HL_SHM_H
#define HL_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHM_MAGIC		0x31454e494c544f48ULL	/* "HOTLINE1" */
#define SHM_LAYOUT_VERSION	1
#define SHM_SLOT_SIZE		4096
#define SHM_HEADER_SIZE		4096

enum shm_slot_state {
	SLOT_FREE,		/* never used, or reaped */
	SLOT_STARTING,		/* forked, not yet serving */
	SLOT_RUNNING,		/* accepting connections */
	SLOT_DRAINING,		/* graceful stop: no new connections */
	SLOT_STOPPING,		/* fast stop requested */
};

struct shm_header {
	uint64_t	magic;
	uint32_t	layout_version;
	uint32_t	header_size;
	uint32_t	slot_size;
	uint32_t	nslots;
	uint64_t	total_size;
	int32_t		master_pid;
	uint32_t	reserved0;
	uint64_t	start_time;	/* epoch seconds */
	uint64_t	epoch;		/* reload count */
	uint64_t	slots_offset;
};

/* What a worker counts; the master sums them. Room is left for more. */
struct shm_counters {
	uint64_t	connections_active;	/* gauge */
	uint64_t	connections_total;
	uint64_t	messages_in;
	uint64_t	messages_out;
	uint64_t	bytes_in;
	uint64_t	bytes_out;
	uint64_t	errors;
	uint64_t	reserved[57];
};

struct shm_slot {
	int32_t		pid;
	uint32_t	state;		/* enum shm_slot_state */
	uint32_t	generation;	/* spawns into this slot so far */
	int32_t		index;		/* worker index: its listening socket */
	uint64_t	epoch;		/* the reload it belongs to */
	uint64_t	started_at;	/* epoch milliseconds */
	uint64_t	heartbeat;	/* monotonic milliseconds */
	uint64_t	reserved0[3];
	struct shm_counters counters;	/* at offset 64 */
};

struct shm {
	struct shm_header	*hdr;
	size_t			 size;
};

/* Map a zeroed segment for nslots slots. Returns 0, or -1 with errno. */
int	 shm_create(struct shm *shm, uint32_t nslots);
void	 shm_destroy(struct shm *shm);
struct shm_slot *shm_slot(const struct shm *shm, uint32_t i);
const char *shm_state_name(uint32_t state);

/* Single-writer counter update: a relaxed load and store, no lock prefix. */
static inline void
shm_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}

static inline void
shm_sub(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) - n,
	    __ATOMIC_RELAXED);
}

static inline uint64_t
shm_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

static inline void
shm_write(uint64_t *field, uint64_t v)
{
	__atomic_store_n(field, v, __ATOMIC_RELAXED);
}

#endif
