/*
 * Authentication of WebSocket clients: the configuration (pinned policy
 * and key material, loaded in the master before the first fork), the
 * per-user limits, the hooks the connection layer calls, and the metrics.
 * Tokens are verified once per connection, never per message.
 */
#ifndef HL_AUTH_H
#define HL_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "auth/jwt_verify.h"
#include "ws/ws_handshake.h"

struct config;
struct conn;
struct event_base;
struct request_identity;

#define AUTH_SRC_QUERY		0x01	/* ?token= */
#define AUTH_SRC_HEADER		0x02	/* Authorization: Bearer */
#define AUTH_SRC_MESSAGE	0x04	/* {"type":"auth","token":...} first */

/* Refusal reasons counted in shm_counters.auth_failures: the jwt_fail
 * values, with JWT_FAIL_NONE's word standing for "no token at all". */
#define AUTH_FAIL_MISSING	JWT_FAIL_NONE
#define AUTH_FAIL_TIMEOUT	JWT_FAIL_COUNT		/* no auth message */
#define AUTH_FAIL_NOT_AUTH	(JWT_FAIL_COUNT + 1)	/* first message not
							 * an auth message */
#define AUTH_FAIL_NO_SESSION	(JWT_FAIL_COUNT + 2)	/* none in Redis,
							 * or Redis down and
							 * failing closed */
#define AUTH_FAIL_REASONS	(JWT_FAIL_COUNT + 3)

/* Close codes of first-message auth. */
#define AUTH_CLOSE_INVALID	4001
#define AUTH_CLOSE_TIMEOUT	4002
#define AUTH_CLOSE_POLICY	1008

#define AUTH_TOO_MANY_CONNS	"Maximum concurrent connections exceeded"
#define AUTH_TOO_MANY_MSGS	"Message rate limit exceeded"

/* The metric label of an auth_failures index. */
const char *auth_fail_name(unsigned reason);

/* Load and check the auth keys of cf as a start would (hotlined -t);
 * 0, or -1 with a cause naming the key or file in err. */
int	 auth_config_check(const struct config *cf, char *err, size_t errlen);
/* In the master before the first fork: the policy, the keys and the
 * shared per-user tables for nslots worker slots. 0, or -1 with err. */
int	 auth_master_init(const struct config *cf, uint32_t nslots,
	    char *err, size_t errlen);
/* The master reaped slot's worker: its users' counts go. */
void	 auth_master_reaped(int slot);
void	 auth_master_free(void);
/* In a worker after fork: which slot's table it writes, and the session
 * store's connection on base. */
void	 auth_worker_init(int slot, struct event_base *base);
/* After the connections are closed. */
void	 auth_worker_free(void);
/* Which optional families /metrics shows (admin/metrics_auth.c). */
struct auth_metric_flags {
	int	 jwks;		/* jwks_url is set */
	int	 sessions;	/* auth_sessions */
	int	 rate_redis;	/* message rates are counted in Redis */
};
void	 auth_metric_flags(struct auth_metric_flags *f);

/* auth_conn.c: the connection's side, as hooks of the connection layer
 * (ws/conn.h): at the upgrade, verify a token from the request (refused
 * with 401 or 429 and a short body, never the token) or expect one in
 * the first message; once open, join the user's topic or start the auth
 * timer; per message, the first-message auth, the session lookup's hold
 * and the rate limits; the identity requests are routed with; at close,
 * the counts released. Install them at worker start; returns the hook
 * slot, or -1. */
int	 auth_conn_install(void);

#endif
