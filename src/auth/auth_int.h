/* Private to auth.c and auth_conn.c: the loaded configuration. */
#ifndef HL_AUTH_INT_H
#define HL_AUTH_INT_H

#include "auth/auth.h"
#include "auth/auth_limit.h"
#include "core/stats.h"

/* Count into the worker's shm_auth (a no-op outside a worker). */
struct redis_target;

#define AUTH_STAT_ADD(field, n) do {					\
	if (stats_slot != NULL)						\
		shm_add(&stats_slot->auth.field, (n));			\
} while (0)
#define AUTH_STAT_SET(field, v) do {					\
	if (stats_slot != NULL)						\
		shm_write(&stats_slot->auth.field, (v));		\
} while (0)

/* Close code and reason when an open connection's token expires. */
#define AUTH_EXPIRED_REASON	"token expired"

struct auth_conf {
	int			 on;
	unsigned		 sources;	/* AUTH_SRC_* */
	struct jwt_policy	 policy;
	struct jwk_set		*keys;
	uint64_t		 timeout_ms;
	uint32_t		 max_conns;	/* 0: unlimited */
	uint32_t		 rate_limit;	/* 0: unlimited */
	uint64_t		 rate_window_ms;
	int			 rate_error;	/* answer, do not close */
	int			 sessions;	/* look sessions up in Redis */
	int			 fail_closed;	/* redis_fail_mode closed */
	struct redis_target	*redis;		/* redis_url, parsed */
	char			*session_prefix;
	int			 session_timeout_ms;	/* any Redis command */
	int			 rate_redis;	/* rate also counted in Redis */
	char			*rate_prefix;
	char			*jwks_url;	/* keys fetched (auth_jwks.c) */
	char			*jwks_ca_file;
	char			*jwks_ca_dir;
	uint32_t		 jwks_refresh_s;
	uint32_t		 jwks_min_refresh_s;
	uint32_t		 jwks_timeout_s;
};

struct auth_rate;
struct conn;

/* auth_conn.c: c's rate state, user id and its hash; NULL once c's
 * identity is gone. */
struct auth_rate *auth_conn_rate(struct conn *c, const char **user,
	    uint64_t *hash);

/* Set once in the master; workers inherit it read-only, but for keys,
 * which a worker with jwks_url replaces on each good fetch (a set is
 * never kept past one verification, so freeing the old one is safe). */
extern struct auth_conf		 auth_conf;
extern struct auth_limit	*auth_limits;
extern int			 auth_slot;

#endif
