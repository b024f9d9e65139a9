/*
 * The per-user message rate across instances, through Redis (redis_url
 * with auth_rate_limit). The per-instance limit in shared memory stays the
 * fast path and is checked first; this adds the user's messages to a
 * counter in Redis that every instance shares, and no message ever waits
 * for it:
 *
 * - a connection has at most one round trip out; the messages it admits
 *   meanwhile are added by the next one, so a connection costs at most one
 *   round trip per message and fewer under load (a batch per round trip);
 * - when Redis says the user's sliding estimate is at the limit, the user
 *   is blocked in this instance's shared table until the estimate falls
 *   below it, and every worker refuses their messages as the local limit
 *   would (close 1008 or an error envelope, ws_rate_limited_total).
 *
 * So an instance may admit what arrives during one round trip before it
 * learns the user is over: the limit across instances is exact to within
 * a round trip's messages per connection.
 *
 * Redis down or slow (auth_session_timeout): redis_fail_mode open counts
 * on the local limit only; closed refuses messages until a round trip
 * succeeds again.
 */
#ifndef HL_AUTH_RATE_H
#define HL_AUTH_RATE_H

#include <stdint.h>

struct conn;

/* Per connection, inside its auth state. */
struct auth_rate {
	uint32_t	pending;	/* admitted, not yet added in Redis */
	uint8_t		inflight;	/* a round trip is out */
	uint8_t		failed;		/* the last one failed */
};

/* Before the local check: 0 when the message must be refused because
 * Redis cannot say and redis_fail_mode is closed, else 1. */
int	 auth_rate_allowed(struct conn *c, struct auth_rate *st,
	    const char *user);
/* A message of user the local limit admitted: count it in Redis. */
void	 auth_rate_count(struct conn *c, struct auth_rate *st,
	    const char *user);

#endif
