/*
 * Session lookups in Redis for authenticated connections (auth_sessions
 * with redis_url): EXISTS <prefix><user> through hiredis async on the
 * worker's event base. hiredis 0.14 has no async timeouts and resolves
 * names synchronously, so the address must be an IP, and connects and
 * lookups run under our own timers; a lost connection is retried with
 * backoff and logged once per outage. A lookup never blocks the worker.
 */
#ifndef HL_AUTH_SESSION_H
#define HL_AUTH_SESSION_H

#include <stdint.h>

struct conn;
struct event_base;
struct redis_target;

enum auth_session_verdict {
	AUTH_SESSION_PENDING,	/* the callback will tell */
	AUTH_SESSION_OK,
	AUTH_SESSION_MISSING,
	AUTH_SESSION_UNKNOWN,	/* Redis down, slow or in error */
};

/* Called once per lookup that returned PENDING, from the event loop,
 * while c is still referenced (it may have closed meanwhile). */
typedef void auth_session_fn(struct conn *c, enum auth_session_verdict v);

/* Called once per rate count that returned PENDING: ok 0 when Redis
 * failed or was slower than the timeout; else cur (this window's count,
 * the added messages included) and prev (the previous window's). */
typedef void auth_rate_fn(struct conn *c, int ok, uint64_t cur,
	    uint64_t prev);

/* In the worker: connect to t (copied) on base, in the background, and
 * log in (AUTH, SELECT) before the first lookup. */
void	 auth_session_start(struct event_base *base,
	    const struct redis_target *t, const char *prefix, int timeout_ms);
void	 auth_session_stop(void);
/* Look user up: UNKNOWN at once while Redis is down, else PENDING and a
 * later call of fn (within timeout_ms: UNKNOWN when it passes). */
enum auth_session_verdict auth_session_lookup(struct conn *c,
	    const char *user, auth_session_fn *fn);
/* Whether the connection to Redis is up. */
int	 auth_session_up(void);
/* Add n messages of user to window (of window_ms) in Redis and read the
 * previous window's count, in one EVAL: UNKNOWN at once while Redis is
 * down, else PENDING and a later call of fn (within the timeout). */
enum auth_session_verdict auth_session_rate(struct conn *c,
	    const char *prefix, const char *user, uint64_t window,
	    uint64_t window_ms, uint32_t n, auth_rate_fn *fn);

#endif
