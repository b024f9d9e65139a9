/*
 * The admin port's limits, around libevent's evhttp: a total deadline per
 * request (evhttp's own timeout restarts on every read, so a client
 * trickling one byte every 5 s was never cut), a cap on open connections
 * with accept back-off (evhttp stops accepting; the queue is answered a
 * bounded number per tick, /health with its real status and anything
 * else 503), and descriptor exhaustion (EMFILE/ENFILE) handled without
 * spinning: a reserved descriptor is freed to answer the connection at
 * the head of the queue the same way, and accepting pauses and retries on
 * the master's tick when even that fails.
 */
#ifndef HL_ADMIN_CONN_H
#define HL_ADMIN_CONN_H

#include <stdint.h>

struct evbuffer;
struct evconnlistener;
struct evhttp;
struct evhttp_request;
struct admin_host;

struct admin_limits {
	uint64_t	timeouts;	/* cut at admin_request_timeout */
	uint64_t	cap_pauses;	/* admin_max_connections reached */
	uint64_t	accept_errors;	/* EMFILE, ENFILE and the like */
};

struct admin_conns;

/* Track every connection of http (evhttp_set_bevcb) and guard listener;
 * returns NULL with errno when the reserved descriptor cannot be opened.
 * Owns nothing of evhttp's; admin_conns_free before evhttp_free. */
struct admin_conns *admin_conns_new(struct admin_host *h, struct evhttp *http,
	    struct evconnlistener *listener);
void	 admin_conns_free(struct admin_conns *ac);
/* A request reached its handler: the deadline stops until its reply is
 * sent, then restarts for the next request on the connection. */
void	 admin_conns_dispatched(struct admin_conns *ac,
	    struct evhttp_request *req);
/* Deadlines, closed connections, resuming accepts: on the master's tick. */
void	 admin_conns_tick(struct admin_conns *ac);
/* The gauge of open connections and the counters, in Prometheus text. */
void	 admin_conns_metrics(struct evbuffer *out,
	    const struct admin_conns *ac);

#endif
