/*
 * Broadcast between instances over Redis (docs/broadcast.md, "Across
 * instances"): the master's publisher, each worker's publisher and
 * subscriber (bcast_redis.h), and what a message read back must pass
 * before a subscriber sees it (bcast_wire.h). Everything here is a no-op
 * without redis_url.
 */
#ifndef HL_BCAST_REMOTE_H
#define HL_BCAST_REMOTE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;

/* hotlined -t: redis_url, redis_password_file and the secret are usable.
 * 0, or -1 with a reason in err (never a secret). */
int	 bcast_remote_check(const struct config *cf, char *err, size_t errsize);
/* Master, before the first fork: read the credentials and the secret,
 * start the master's publisher on base. instance is the instance id (it
 * stays valid: shared memory). 0, or -1 with a reason in err. */
int	 bcast_remote_master_init(const struct config *cf,
	    struct event_base *base, const char *instance, char *err,
	    size_t errsize);
/* Worker, after fork: its publisher, and its subscriber that hands what
 * passes the checks to the fan-out. */
void	 bcast_remote_worker_init(const struct config *cf,
	    struct event_base *base);
/* PUBLISH a broadcast (envelope json[0..len), copied) with this process's
 * connection. 0 when sent or there is no Redis, -1 when dropped (down,
 * too far behind, or signing failed): the caller counts it. */
int	 bcast_remote_publish(const char *topic, size_t tlen, const char *json,
	    size_t len, uint64_t pub_ns);
/* Master: stop its publisher and wipe the credentials. */
void	 bcast_remote_master_free(void);
/* Worker: stop its connections (the master's are left alone). */
void	 bcast_remote_worker_free(void);

#endif
