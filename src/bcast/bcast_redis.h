/*
 * Broadcast over Redis pub/sub, through hiredis async on a libevent base.
 * hiredis 0.14 has no timeouts of its own, so connects and commands run
 * under our timers; a lost connection is retried with backoff and logged
 * once per outage (and once when it is back, with what was lost).
 * Publishing never waits: while the connection is down (or too far
 * behind) a message is dropped and the caller counts it.
 */
#ifndef HL_BCAST_REDIS_H
#define HL_BCAST_REDIS_H

#include <stddef.h>

struct event_base;
struct bredis;
struct redis_target;

/* A message from the channel: payload is valid during the call only. */
typedef void bredis_msg_fn(const char *payload, size_t len, void *arg);

/* Connect (in the background) to t (copied) on base: a publishing
 * connection, and with subscribe a second one subscribed to channel that
 * hands each message to fn. Each logs in (AUTH, SELECT) first; a refusal
 * is logged like an outage and retried with backoff. */
struct bredis *bredis_start(struct event_base *base,
	    const struct redis_target *t, const char *channel, int subscribe,
	    bredis_msg_fn *fn, void *arg);
/* PUBLISH a then b (concatenated, copied) on the channel. Returns 0 when
 * sent to the connection, -1 when dropped (down, or too many waiting). */
int	 bredis_publish(struct bredis *r, const void *a, size_t alen,
	    const void *b, size_t blen);
/* 1 while every connection it needs is up (and subscribed). */
int	 bredis_up(const struct bredis *r);
/* Close and free (NULL is fine). */
void	 bredis_stop(struct bredis *r);

#endif
