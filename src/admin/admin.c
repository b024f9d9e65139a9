/* The admin HTTP server: listening, auth, dispatch through the route table. */
#include "autoconf.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin/admin.h"
#include "admin/admin_auth.h"
#include "admin/admin_conn.h"
#include "core/netaddr.h"
#include "core/util.h"
#include "core/config.h"
#include "core/shm.h"

#define ADMIN_MAX_HEADERS	8192
#define ADMIN_MAX_BODY		(1 << 20)
#define ADMIN_TIMEOUT		30	/* seconds */

#define ADMIN_MAX_TABLES	8

struct admin {
	struct admin_host		 host;
	struct evhttp			*http;
	struct admin_conns		*conns;		/* limits */
	struct admin_auth_counts	 auth;		/* 401s and 403s */
	struct {
		const struct admin_route *routes;
		size_t			 n;
	}				 tables[ADMIN_MAX_TABLES];
	int				 ntables;
	char				 address[128];
};

static const struct {
	unsigned		 bit;
	enum evhttp_cmd_type	 cmd;
	const char		*name;
} admin_methods[] = {
	{ ADMIN_GET, EVHTTP_REQ_GET, "GET" },
	{ ADMIN_HEAD, EVHTTP_REQ_HEAD, "HEAD" },
	{ ADMIN_POST, EVHTTP_REQ_POST, "POST" },
	{ ADMIN_PUT, EVHTTP_REQ_PUT, "PUT" },
	{ ADMIN_DELETE, EVHTTP_REQ_DELETE, "DELETE" },
};

void
admin_reply_text(struct evhttp_request *req, int code, const char *type,
    const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (out != NULL)
		evbuffer_add(out, body, len);
	evhttp_send_reply(req, code, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
}

void
admin_reply_json(struct evhttp_request *req, int code, json_t *json)
{
	char *text = json_dumps(json, JSON_COMPACT);

	json_decref(json);
	if (text == NULL) {
		admin_reply_text(req, 500, "application/json",
		    "{\"error\":\"out of memory\"}\n", 26);
		return;
	}
	admin_reply_text(req, code, "application/json", text, strlen(text));
	free(text);
}

void
admin_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	admin_reply_json(req, code, json_pack("{s:s}", "error", msg));
}

static unsigned
admin_method_bit(struct evhttp_request *req)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(admin_methods); i++) {
		if (admin_methods[i].cmd == cmd)
			return admin_methods[i].bit;
	}
	return 0;
}

static int
admin_path_matches(const struct admin_route *r, const char *path,
    const char **rest)
{
	size_t len = strlen(r->path);

	if (r->path[len - 1] == '/' && len > 1)
		return strncmp(path, r->path, len) == 0 && path[len] != '\0' &&
		    (*rest = path + len, 1);
	return strcmp(path, r->path) == 0 && (*rest = "", 1);
}

static void
admin_reply_405(struct evhttp_request *req, unsigned allowed)
{
	char allow[64] = "";
	size_t i;

	if (allowed & ADMIN_GET)
		allowed |= ADMIN_HEAD;
	for (i = 0; i < HL_ARRAY_LEN(admin_methods); i++) {
		if (!(allowed & admin_methods[i].bit))
			continue;
		if (allow[0] != '\0')
			strcat(allow, ", ");
		strcat(allow, admin_methods[i].name);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    allow);
	admin_reply_error(req, 405, "method not allowed; allowed: %s", allow);
}

/* Run r's handler if access allows it: a method other than GET or HEAD,
 * or a route marked ADMIN_ROUTE_FULL, needs admin_token and is logged. */
static void
admin_run(struct admin *a, const struct admin_route *r,
    struct evhttp_request *req, unsigned method, enum admin_access access,
    const char *rest)
{
	int full = (method & ~(unsigned)(ADMIN_GET | ADMIN_HEAD)) != 0 ||
	    (r->flags & ADMIN_ROUTE_FULL) != 0;

	if (full && access != ADMIN_ACCESS_FULL) {
		admin_auth_refuse(req, access, &a->auth);
		return;
	}
	if (full)
		admin_auth_audit(req);
	r->handler(req, &a->host, rest);
}

static void
admin_dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct admin *a = arg;
	const char *path, *rest = "";
	unsigned method = admin_method_bit(req), allowed = 0;
	enum admin_access access;
	size_t i;
	int t;

	admin_conns_dispatched(a->conns, req);
	access = admin_auth_access(a->host.cf, req);
	if (access == ADMIN_ACCESS_NONE) {
		admin_auth_refuse(req, access, &a->auth);
		return;
	}
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL || *path == '\0')
		path = "/";
	for (t = 0; t < a->ntables; t++) {
		for (i = 0; i < a->tables[t].n; i++) {
			const struct admin_route *r = &a->tables[t].routes[i];
			unsigned m = r->methods |
			    (r->methods & ADMIN_GET ? ADMIN_HEAD : 0);

			if (!admin_path_matches(r, path, &rest))
				continue;
			if (m & method) {
				admin_run(a, r, req, method, access, rest);
				return;
			}
			allowed |= r->methods;
		}
	}
	if (allowed != 0)
		admin_reply_405(req, allowed);
	else
		admin_reply_error(req, 404, "no such endpoint: %s", path);
}

static int
admin_socket(const struct netaddr *na)
{
	int fd, on = 1;

	fd = socket(na->ss.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    bind(fd, (const struct sockaddr *)&na->ss, na->len) == -1 ||
	    listen(fd, 128) == -1) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

struct admin *
admin_start(const struct admin_host *h, const char *text,
    const struct admin_route *routes, size_t nroutes, char *err,
    size_t errsize)
{
	struct admin *a;
	struct evhttp_bound_socket *bound = NULL;
	struct netaddr na;
	int fd;

	if (netaddr_parse(text, &na, err, errsize) == -1)
		return NULL;
	if ((fd = admin_socket(&na)) == -1) {
		snprintf(err, errsize, "admin port %s: %s", text,
		    strerror(errno));
		return NULL;
	}
	na.len = sizeof na.ss;
	getsockname(fd, (struct sockaddr *)&na.ss, &na.len);
	a = xcalloc(1, sizeof *a);
	a->host = *h;
	a->host.admin = a;
	admin_add_routes(a, routes, nroutes);
	netaddr_format(&na, a->address, sizeof a->address);
	if ((a->http = evhttp_new(h->base)) == NULL ||
	    (bound = evhttp_accept_socket_with_handle(a->http, fd)) == NULL ||
	    (a->conns = admin_conns_new(&a->host, a->http,
	    evhttp_bound_socket_get_listener(bound))) == NULL) {
		snprintf(err, errsize, "admin port %s: cannot start", text);
		if (a->http != NULL)
			evhttp_free(a->http);
		if (bound == NULL)	/* else evhttp_free closed it */
			close(fd);
		free(a);
		return NULL;
	}
	evhttp_set_max_headers_size(a->http, ADMIN_MAX_HEADERS);
	evhttp_set_max_body_size(a->http, ADMIN_MAX_BODY);
	evhttp_set_timeout(a->http, ADMIN_TIMEOUT);
	evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(a->http, admin_dispatch_cb, a);
	return a;
}

void
admin_add_routes(struct admin *a, const struct admin_route *routes,
    size_t n)
{
	if (a->ntables == ADMIN_MAX_TABLES)
		fatalx("admin: more than %d route tables", ADMIN_MAX_TABLES);
	a->tables[a->ntables].routes = routes;
	a->tables[a->ntables].n = n;
	a->ntables++;
}

void
admin_stop(struct admin *a)
{
	if (a == NULL)
		return;
	admin_conns_free(a->conns);	/* drops its references first */
	evhttp_free(a->http);	/* closes the bound socket and clients */
	free(a);
}

void
admin_tick(struct admin *a)
{
	if (a != NULL)
		admin_conns_tick(a->conns);
}

void
admin_limits_metrics(struct evbuffer *out, const struct admin *a)
{
	admin_conns_metrics(out, a->conns);
	admin_auth_metrics(out, &a->auth);
}

const char *
admin_address(const struct admin *a)
{
	return a->address;
}
