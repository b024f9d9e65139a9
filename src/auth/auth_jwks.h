/*
 * Keys from jwks_url: each worker fetches the JWKS document over HTTP or
 * HTTPS on its own event base (libevent's HTTP client, evdns, and
 * bufferevent_openssl with peer and host name verification and SNI),
 * and refreshes it every jwks_refresh_seconds. A document that fails to
 * load, or holds no key for the pinned algorithm, never replaces the
 * held set; failures are logged once per outage and retried with backoff.
 * A token with an unknown kid may trigger an early fetch, at most once
 * per jwks_min_refresh_seconds. Until the first fetch succeeds (its own
 * or, through shared memory, a sibling worker's), tokens are refused
 * (no_keys).
 */
#ifndef HL_AUTH_JWKS_H
#define HL_AUTH_JWKS_H

#include <stddef.h>

struct event_base;

/* Whether url is an http:// or https:// URL with a host; 0, or -1 with
 * a cause in err. */
int	 auth_jwks_check_url(const char *url, char *err, size_t errlen);
/* In the master before the first fork, with jwks_url: the document the
 * workers share (auth_jwks_share.h); 0, or -1 with err. */
int	 auth_jwks_master_init(char *err, size_t errlen);
/* The master reaped slot's worker. */
void	 auth_jwks_master_reaped(int slot);
void	 auth_jwks_master_free(void);
/* In a worker with jwks_url: the keys a sibling published, if any, and
 * the first fetch starts at once on base. */
void	 auth_jwks_start(struct event_base *base);
void	 auth_jwks_stop(void);
/* Whether a fetched key set is held (always 1 without jwks_url). */
int	 auth_jwks_ready(void);
/* A token named a kid the held set lacks: 1 when a sibling's newer keys
 * were taken just now (verify again), else 0 and perhaps an early fetch
 * (at most one per jwks_min_refresh_seconds). */
int	 auth_jwks_unknown_kid(void);

#endif
