/* The shared-memory segment: created once by the master before forking. */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/shm.h"

_Static_assert(sizeof(struct shm_header) <= SHM_HEADER_SIZE, "header fits");
_Static_assert(sizeof(struct shm_slot) <= SHM_SLOT_SIZE, "slot fits");
_Static_assert(offsetof(struct shm_slot, counters) == 64,
    "counters start on their own cache line");
_Static_assert(sizeof(struct shm_counters) == 576, "counters block size");

static const char *const state_names[] = {
	"free", "starting", "running", "draining", "stopping",
};

int
shm_create(struct shm *shm, uint32_t nslots, size_t cpu_bytes,
    size_t event_bytes, size_t bcast_bytes)
{
	size_t rings = SHM_HEADER_SIZE + (size_t)nslots * SHM_SLOT_SIZE;
	size_t bcast = rings + (size_t)nslots * (cpu_bytes + event_bytes);
	size_t size = bcast + bcast_bytes;
	struct shm_header *hdr;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return -1;
	hdr = p;
	hdr->magic = SHM_MAGIC;
	hdr->layout_version = SHM_LAYOUT_VERSION;
	hdr->header_size = SHM_HEADER_SIZE;
	hdr->slot_size = SHM_SLOT_SIZE;
	hdr->nslots = nslots;
	hdr->total_size = size;
	hdr->master_pid = (int32_t)getpid();
	hdr->start_time = (uint64_t)time(NULL);
	hdr->slots_offset = SHM_HEADER_SIZE;
	hdr->rings_offset = rings;
	hdr->cpu_ring_bytes = cpu_bytes;
	hdr->event_ring_bytes = event_bytes;
	hdr->bcast_offset = bcast;
	hdr->bcast_bytes = bcast_bytes;
	shm->hdr = hdr;
	shm->size = size;
	return 0;
}

void
shm_destroy(struct shm *shm)
{
	if (shm->hdr != NULL)
		munmap(shm->hdr, shm->size);
	shm->hdr = NULL;
}

struct shm_slot *
shm_slot(const struct shm *shm, uint32_t i)
{
	return (struct shm_slot *)(void *)((char *)shm->hdr +
	    shm->hdr->slots_offset + (size_t)i * shm->hdr->slot_size);
}

void *
shm_cpu_ring(const struct shm *shm, uint32_t i)
{
	const struct shm_header *h = shm->hdr;

	return (char *)shm->hdr + h->rings_offset +
	    (size_t)i * (h->cpu_ring_bytes + h->event_ring_bytes);
}

void *
shm_event_ring(const struct shm *shm, uint32_t i)
{
	return (char *)shm_cpu_ring(shm, i) + shm->hdr->cpu_ring_bytes;
}

void *
shm_bcast_region(const struct shm *shm)
{
	if (shm->hdr->bcast_bytes == 0)
		return NULL;
	return (char *)shm->hdr + shm->hdr->bcast_offset;
}

const char *
shm_state_name(uint32_t state)
{
	if (state >= sizeof state_names / sizeof state_names[0])
		return "unknown";
	return state_names[state];
}
