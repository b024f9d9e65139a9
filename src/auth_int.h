/* Private to auth.c and auth_conn.c: the loaded configuration. */
#ifndef HL_AUTH_INT_H
#define HL_AUTH_INT_H

#include "auth.h"
#include "auth_limit.h"

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
	char			*redis_url;
	char			*session_prefix;
	int			 session_timeout_ms;
};

/* Set once in the master; workers inherit it read-only. */
extern struct auth_conf		 auth_conf;
extern struct auth_limit	*auth_limits;
extern int			 auth_slot;

#endif
