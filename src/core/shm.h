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
#define SHM_LAYOUT_VERSION	5
#define SHM_SLOT_SIZE		8192
#define SHM_MAX_ROUTES		48	/* handlers with a latency histogram */
/* Upper bounds in seconds: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 */
#define SHM_HIST_BUCKETS	10
#define SHM_MAX_REFUSALS	16	/* handshake refusal reasons */
#define SHM_HEADER_SIZE		4096
#define SHM_DRAIN_UNBOUNDED	UINT32_MAX	/* until connections end */

/* shm_header.memory_on bits, set by the master, followed by workers. */
#define SHM_MEMORY_ALLOC	0x1	/* allocation sampling */
#define SHM_MEMORY_COPY		0x2	/* copy sampling (profiling_copy) */

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
	uint64_t	rings_offset;	/* per slot: CPU ring, event ring */
	uint64_t	cpu_ring_bytes;	/* region of one CPU ring */
	uint64_t	event_ring_bytes; /* region of one event ring */
	uint32_t	profiling_on;	/* master's switch; workers follow */
	uint32_t	memory_on;	/* SHM_MEMORY_*: memory switch */
	uint64_t	bcast_offset;	/* outboxes (src/bcast/bcast.c) */
	uint64_t	bcast_bytes;
};

/* What a worker counts; the master sums them. Room is left for more: new
 * counters take reserved words, so the layout version stays. */
struct shm_counters {
	uint64_t	connections_active;	/* gauge: TCP connections */
	uint64_t	connections_total;	/* TCP connections accepted */
	uint64_t	messages_in;		/* WebSocket messages */
	uint64_t	messages_out;
	uint64_t	bytes_in;
	uint64_t	bytes_out;
	uint64_t	errors;			/* read/write/accept errors */
	uint64_t	ws_active;		/* gauge: upgraded conns */
	uint64_t	ws_accepted;		/* handshakes completed */
	uint64_t	ws_rejected;		/* handshakes refused */
	uint64_t	protocol_errors;	/* closed: protocol violation */
	uint64_t	slow_reader_closes;	/* send queue over its bound */
	uint64_t	replies_dropped;	/* deferred, connection gone */
	uint64_t	handler_no_reply;	/* handler returned silently */
	uint64_t	idle_closes;
	uint64_t	broadcast_errors;
	uint64_t	prof_samples;		/* taken by the SIGPROF hook */
	uint64_t	prof_handler_ns;	/* CPU spent in the handler */
	uint64_t	prof_running;		/* gauge: 1 while sampling */
	/* broadcast (src/bcast/bcast.c); drops count in broadcast_errors too */
	uint64_t	bcast_published;	/* sent by this worker */
	uint64_t	bcast_received;		/* from other publishers */
	uint64_t	bcast_delivered;	/* frames queued on sockets */
	uint64_t	bcast_drop_slow;	/* send queue full: skipped */
	uint64_t	bcast_close_slow;	/* send queue full: closed */
	uint64_t	bcast_drop_lapped;	/* overwritten before read */
	uint64_t	bcast_drop_too_big;	/* refused at publish */
	uint64_t	bcast_drop_redis;	/* not sent to Redis */
	uint64_t	bcast_redis_up;		/* gauge: 1 while connected */
	uint64_t	bcast_lag[10];		/* publish -> queued, buckets */
	uint64_t	bcast_lag_count;
	uint64_t	bcast_lag_sum_ns;
	/* authentication (src/auth/auth.c): refusals by reason (see auth.h) */
	uint64_t	auth_failures[18];
	uint64_t	ws_rate_limited;	/* messages over the rate */
	uint64_t	ws_conn_limited;	/* over the per-user limit */
	uint64_t	auth_redis_up;		/* gauge: session store */
	uint64_t	auth_session_unknown;	/* decided by redis_fail_mode */
	/* memory profiler hooks (src/prof/memprof.c) */
	uint64_t	mem_allocs;		/* alloc records written */
	uint64_t	mem_frees;		/* free records written */
	uint64_t	mem_copies;		/* copy records written */
	uint64_t	mem_untracked;		/* missed: the table was full */
	uint64_t	mem_dropped;		/* refused by a full ring */
	uint64_t	mem_hook_ns;		/* time on the sampled path */
	uint64_t	mem_heap_sampled;	/* gauge: tracked weight */
	uint64_t	mem_tracked;		/* gauge: sampled, not freed */
	uint64_t	input_bound_closes;	/* ws_worker_input_bytes hit */
	/* gauge: 1 POSIX, 2 perf, 3 perf counting user time only */
	uint64_t	prof_timer;
};

#define SHM_REDIS_RTT_BUCKETS	10	/* .1 .25 .5 1 2.5 5 10 25 50 100 ms */

/* Authentication's counters, appended after the histograms (inside
 * SHM_SLOT_SIZE, so no earlier offset moved). Gauges are marked. */
struct shm_auth {
	uint64_t	expired_closes;		/* closed 4001 at token exp */
	uint64_t	jwks_fetch_ok;		/* jwks_url fetches loaded */
	uint64_t	jwks_fetch_failed;	/* refused or unreachable */
	uint64_t	jwks_kid_refreshes;	/* early, for an unknown kid */
	uint64_t	jwks_loaded;		/* gauge: 1 while keys held */
	uint64_t	rate_redis_checks;	/* instance-wide rate checks */
	uint64_t	rate_redis_limited;	/* refused by the Redis count */
	uint64_t	rate_redis_fallback;	/* decided by redis_fail_mode */
	uint64_t	redis_rtt[SHM_REDIS_RTT_BUCKETS]; /* round trips */
	uint64_t	redis_rtt_count;
	uint64_t	redis_rtt_sum_ns;
};

/* Memory a client controls, by what it costs (issue 14): the refusals and
 * gauges of what is held, appended after the profiler's word (inside
 * SHM_SLOT_SIZE, so no earlier offset moved). */
struct shm_limits {
	uint64_t	alloc_keep_refused;	/* alloc keep over its bound */
	/* hl_defer over ws_max_deferred */
	uint64_t	deferred_refused;
	uint64_t	deferred_cancelled;	/* pending at the close */
	uint64_t	output_bound_closes;	/* ws_worker_output_bytes hit */
	/* gauges (zeroed in the retired totals) */
	uint64_t	output_held;		/* all send queues' cost */
	uint64_t	deferred_pending;	/* deferred, not yet sent */
	uint64_t	alloc_kept;		/* alloc keep's heap cost */
};

/* The refusals of enum bwire_verdict (src/bcast/bcast_wire.h). */
#define SHM_BCAST_REFUSALS	8

/* Broadcast counters beyond the counter block (src/bcast*.c), appended
 * inside SHM_SLOT_SIZE so no earlier offset moved. */
struct shm_bcast {
	/* dropped from Redis, by enum bwire_verdict */
	uint64_t	redis_refused[SHM_BCAST_REFUSALS];
	uint64_t	slices;			/* fan-out slices run */
	uint64_t	backlog_drops;		/* from Redis, over backlog */
	uint64_t	backlog_bytes;		/* gauge: waiting to fan out */
};

/* Handler latency, per route, as Prometheus wants it: per-bucket counts
 * (the master makes them cumulative), a count and a sum. */
struct shm_hist {
	uint64_t	buckets[SHM_HIST_BUCKETS];
	uint64_t	count;
	uint64_t	sum_ns;
};

struct shm_slot {
	int32_t		pid;
	uint32_t	state;		/* enum shm_slot_state */
	uint32_t	generation;	/* spawns into this slot so far */
	int32_t		index;		/* worker index: its listening socket */
	uint64_t	epoch;		/* the reload it belongs to */
	uint64_t	started_at;	/* epoch milliseconds */
	uint64_t	heartbeat;	/* monotonic milliseconds */
	/* The handler the worker is inside, for the master's watchdog:
	 * busy_since is written last (release) and read first (acquire). */
	uint64_t	busy_since;	/* monotonic ms it began; 0: none */
	int32_t		busy_pkg_id;
	/* Written by the master before it sends SIGQUIT: seconds the drain
	 * gives connections before closing them with 1001. */
	uint32_t	drain_timeout;
	uint64_t	reserved1;
	struct shm_counters counters;	/* at offset 64 */
	/* handshake refusals, by enum ws_handshake_refusal */
	uint64_t	refusals[SHM_MAX_REFUSALS];
	struct shm_hist	hist[SHM_MAX_ROUTES];	/* by route index */
	struct shm_auth	auth;			/* src/auth*.c */
	/* profiler (src/prof/prof_worker.c): a signal's cost, measured at
	 * start */
	uint64_t	prof_delivery_ns;
	struct shm_limits limits;		/* ws/sendq.c, request.c */
	struct shm_bcast bcast;			/* src/bcast*.c */
	/* memory profiler: the copy hooks' part of counters.mem_hook_ns */
	uint64_t	prof_copy_hook_ns;
};

/* A word of struct shm_limits as a byte offset from the slot's counters
 * (the tables of /metrics and /api/workers read from there). */
#define SHM_LIMIT_OFF(f)	(offsetof(struct shm_slot, limits.f) -	\
	offsetof(struct shm_slot, counters))

struct shm {
	struct shm_header	*hdr;
	size_t			 size;
};

/* Map a zeroed segment for nslots slots, each with a CPU ring region of
 * cpu_bytes and an event ring region of event_bytes (multiples of 64; 0 for
 * none), and a broadcast region of bcast_bytes after them. Returns 0, or -1
 * with errno. */
int	 shm_create(struct shm *shm, uint32_t nslots, size_t cpu_bytes,
	    size_t event_bytes, size_t bcast_bytes);
/* The broadcast region (formatted by src/bcast/bcast.c), NULL when empty. */
void	*shm_bcast_region(const struct shm *shm);
/* The ring regions of slot i (formatted by the profiler). */
void	*shm_cpu_ring(const struct shm *shm, uint32_t i);
void	*shm_event_ring(const struct shm *shm, uint32_t i);
void	 shm_destroy(struct shm *shm);
struct shm_slot *shm_slot(const struct shm *shm, uint32_t i);
const char *shm_state_name(uint32_t state);

/* Single-writer counter update: a relaxed load and store, no lock prefix. */
static inline void
shm_add(uint64_t *counter, uint64_t n)
{
	uint64_t v = __atomic_load_n(counter, __ATOMIC_RELAXED);

	__atomic_store_n(counter, v + n, __ATOMIC_RELAXED);
}

static inline void
shm_sub(uint64_t *counter, uint64_t n)
{
	uint64_t v = __atomic_load_n(counter, __ATOMIC_RELAXED);

	__atomic_store_n(counter, v - n, __ATOMIC_RELAXED);
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
