/*
 * The admin HTTP port on the master (libevent evhttp): a routing table of
 * descriptors, bearer-token checks, JSON replies. Endpoints live in
 * admin_api.c (and later modules); this file is the mechanism.
 */
#ifndef HL_ADMIN_H
#define HL_ADMIN_H

#include <stddef.h>
#include <stdint.h>

struct admin;
struct config;
struct event_base;
struct evbuffer;
struct evhttp_request;
struct report_store;
struct shm;
struct shm_slot;
typedef struct json_t json_t;

/* The process cycle's figures, read when a request needs them. */
struct admin_cycle {
	uint64_t	 epoch;		/* current generation of workers */
	uint64_t	 restarts;	/* workers respawned after dying */
	uint64_t	 reloads;	/* configuration reloads that took */
	int		 live;		/* worker processes alive */
};

/*
 * What the admin port sees of the process that runs it. The master fills
 * it in at start and keeps every pointer valid while the admin runs (the
 * configuration is replaced in place on reload); the admin never sees the
 * master itself, the way the profiler gets a struct prof_host.
 */
struct admin_host {
	const struct config	*cf;
	struct event_base	*base;
	struct shm		*shm;
	const struct shm_slot	*retired;	/* reaped workers' totals */
	struct report_store	*reports;	/* profiling_output_dir */
	void			*arg;		/* for the calls below */
	void		 (*cycle)(void *arg, struct admin_cycle *out);
	/* Whether slot's worker is stuck (the watchdog's view), and the
	 * stuck workers as a JSON array. */
	int		 (*stuck)(void *arg, uint32_t slot, uint64_t now_ms);
	json_t		*(*stuck_json)(void *arg);
	/* The cycle's own /metrics families (the watchdog's). */
	void		 (*metrics)(void *arg, struct evbuffer *out);
	struct admin		*admin;		/* set by admin_start */
};

#define ADMIN_GET	0x01
#define ADMIN_HEAD	0x02
#define ADMIN_POST	0x04
#define ADMIN_PUT	0x08
#define ADMIN_DELETE	0x10

/* A route's flags. Any method but GET and HEAD needs admin_token (the
 * read-only admin_read_token gets 403) and is logged with the peer. */
#define ADMIN_ROUTE_FULL	0x01	/* so does GET: it changes state */

struct admin_route {
	unsigned	  methods;	/* ADMIN_GET... (GET implies HEAD) */
	const char	 *path;		/* exact, or a prefix ending in '/' */
	void		(*handler)(struct evhttp_request *,
			    struct admin_host *, const char *rest);
	unsigned	  flags;	/* ADMIN_ROUTE_FULL */
};

/* Listen on text ("host:port"); routes must outlive the admin. Returns NULL
 * with a reason in err. */
struct admin	*admin_start(const struct admin_host *h, const char *text,
		    const struct admin_route *routes, size_t nroutes,
		    char *err, size_t errsize);
void		 admin_stop(struct admin *a);
/* Admin connection deadlines and accept back-off: on the master's tick. */
void		 admin_tick(struct admin *a);
/* The admin port's own gauges and counters, in Prometheus text. */
void		 admin_limits_metrics(struct evbuffer *out,
		    const struct admin *a);
/* Another table of routes (must outlive the admin); tables are searched in
 * the order they were added. */
void		 admin_add_routes(struct admin *a,
		    const struct admin_route *routes, size_t n);
/* The bound address, e.g. "127.0.0.1:9000". */
const char	*admin_address(const struct admin *a);

/* Replies: each handler ends in exactly one of these. json is stolen. */
void	 admin_reply_json(struct evhttp_request *req, int code, json_t *json);
void	 admin_reply_error(struct evhttp_request *req, int code,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	 admin_reply_text(struct evhttp_request *req, int code,
	    const char *content_type, const char *body, size_t len);

#endif
