/*
 * The admin HTTP port on the master (libevent evhttp): a routing table of
 * descriptors, bearer-token checks, JSON replies. Endpoints live in
 * admin_api.c (and later modules); this file is the mechanism.
 */
#ifndef HL_ADMIN_H
#define HL_ADMIN_H

#include <stddef.h>

struct evbuffer;
struct evhttp_request;
struct master;
typedef struct json_t json_t;

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
	void		(*handler)(struct evhttp_request *, struct master *,
			    const char *rest);
	unsigned	  flags;	/* ADMIN_ROUTE_FULL */
};

struct admin;

/* Listen on text ("host:port"); routes must outlive the admin. Returns NULL
 * with a reason in err. */
struct admin	*admin_start(struct master *m, const char *text,
		    const struct admin_route *routes, size_t nroutes,
		    char *err, size_t errsize);
void		 admin_stop(struct admin *a);
/* Admin connection deadlines and accept back-off: on the master's tick. */
void		 admin_tick(struct admin *a);
/* The admin port's own gauges and counters, in Prometheus text. */
void		 admin_limits_metrics(struct evbuffer *out, const struct admin *a);
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
