/*
 * Broadcast across the workers of an instance and, with Redis, across
 * instances (docs/broadcast.md).
 *
 * Every publisher (each worker slot and the master) owns one outbox ring
 * in the shared segment (bcast_ring.h) and every worker follows all of
 * them with cursors of its own. A publisher serializes the envelope and
 * frames it once, writes the frame to its outbox and wakes the other
 * workers through their eventfds (created by the master before the first
 * fork; a wake flag per worker in shared memory saves the write when one
 * is pending already). A woken worker (and a publishing one, for its own
 * subscribers) copies each frame once from shared memory into one
 * refcounted buffer and hands it to the fan-out (bcast_fanout.h), which
 * queues it on its subscribers a slice per loop turn. The master only
 * publishes (POST /api/broadcast); it never relays.
 */
#ifndef HL_BCAST_H
#define HL_BCAST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct shm;

#define BCAST_ID_MAX	64	/* "b-<instance>-<n>" and its NUL */

/* hotlined -t and start: redis_url, redis_password_file and the broadcast
 * secret are usable. 0, or -1 with a reason in err (never a secret). */
int	 bcast_config_check(const struct config *cf, char *err, size_t errsize);
/* Bytes of the shared region (master, before shm_create). */
size_t	 bcast_region_bytes(const struct config *cf, uint32_t nslots);
/* Master, after shm_create and its event base, before the first fork:
 * format the region, create the eventfds, pick the instance id, start the
 * Redis publisher. Returns 0, or -1 with a reason in err. */
int	 bcast_master_init(struct shm *shm, const struct config *cf,
	    struct event_base *base, char *err, size_t errsize);
void	 bcast_master_free(void);
/* The descriptors a worker keeps across fork; returns how many were
 * written to keep (at most max). */
int	 bcast_keep_fds(int *keep, int max);

/* Worker, after fork: attach to every outbox at its head, watch the
 * worker's eventfd, subscribe to Redis. */
void	 bcast_worker_init(const struct config *cf, int slot,
	    struct event_base *base);
/* About once a second: read what a lost wake-up left behind. */
void	 bcast_worker_tick(void);
/* The fan-out has room again: read on where it stopped. */
void	 bcast_resume(void);
void	 bcast_worker_free(void);

/* NULL when topic[0..len) is a valid name, else why not. */
const char *bcast_topic_check(const char *topic, size_t len);

/*
 * Publish data (borrowed) to topic from this process: the worker's own
 * subscribers at once, the other workers through the outbox, other
 * instances through Redis. id (BCAST_ID_MAX bytes) gets the message id.
 * Returns the number of other workers it was handed to (>= 0), or -1 with
 * *why set (invalid topic, too big, not serializable, no outbox).
 */
int	 bcast_publish(const char *topic, size_t tlen, const json_t *data,
	    char *id, const char **why);

/* What the master itself published, refused as too big, and could not
 * send to Redis (it has no scoreboard slot). */
void	 bcast_master_counters(uint64_t *published, uint64_t *too_big,
	    uint64_t *redis_drops);
/* The instance id in message ids and on Redis. */
const char *bcast_instance(void);

#endif
