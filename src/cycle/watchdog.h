/*
 * The worker watchdog, in the master: a worker whose heartbeat (written by
 * its loop every 500 ms) is older than watchdog_timeout is stuck; /health
 * leaves "ok", a log line names the handler it is inside (the pkg_id it
 * published in its slot), and past watchdog_kill_timeout it is killed with
 * SIGKILL and replaced, as php-fpm's request_terminate_timeout does.
 */
#ifndef HL_WATCHDOG_H
#define HL_WATCHDOG_H

#include <stdint.h>

#include <jansson.h>

struct evbuffer;
struct master;

struct watchdog {
	uint64_t	stuck_total;	/* workers found stuck */
	uint64_t	kills;		/* killed by watchdog_kill_timeout */
};

/* Whether slot i holds a serving or draining worker that is stuck now. */
int	 watchdog_stuck(const struct master *m, uint32_t i, uint64_t now_ms);
/* Check every live worker; called on the master's tick. */
void	 watchdog_check(struct master *m);
/* The stuck workers as a new JSON array (for /health). */
json_t	*watchdog_stuck_json(const struct master *m);
/* The watchdog's gauges and counters in Prometheus text. */
void	 watchdog_metrics(struct evbuffer *out, const struct master *m);

#endif
