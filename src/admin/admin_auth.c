/* Admin tokens, refusals and the audit line of each state change. */
#include "autoconf.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/admin.h"
#include "admin/admin_auth.h"
#include "core/config.h"
#include "core/log.h"
#include "core/log_limit.h"

/* 1 when the bearer token h equals token (non-empty), in constant time. */
static int
admin_auth_matches(const char *h, const char *token)
{
	size_t len = strlen(token);

	return len != 0 && strlen(h) == len &&
	    CRYPTO_memcmp(h, token, len) == 0;
}

enum admin_access
admin_auth_access(const struct config *cf, struct evhttp_request *req)
{
	const char *h;

	if (cf->admin_token[0] == '\0')
		return ADMIN_ACCESS_FULL;
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return ADMIN_ACCESS_NONE;
	h += 7;
	if (admin_auth_matches(h, cf->admin_token))
		return ADMIN_ACCESS_FULL;
	if (admin_auth_matches(h, cf->admin_read_token))
		return ADMIN_ACCESS_READ;
	return ADMIN_ACCESS_NONE;
}

/* "1.2.3.4:5678" of the client, or "?" */
static void
admin_auth_peer(struct evhttp_request *req, char *buf, size_t size)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *addr = NULL;
	uint16_t port = 0;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &addr, &port);
	snprintf(buf, size, "%s:%u", addr != NULL ? addr : "?",
	    (unsigned)port);
}

static const char *
admin_auth_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:	return "GET";
	case EVHTTP_REQ_HEAD:	return "HEAD";
	case EVHTTP_REQ_POST:	return "POST";
	case EVHTTP_REQ_PUT:	return "PUT";
	case EVHTTP_REQ_DELETE:	return "DELETE";
	default:		return "other";
	}
}

void
admin_auth_refuse(struct evhttp_request *req, enum admin_access access,
    struct admin_auth_counts *c)
{
	static struct log_limit limit;
	uint64_t held_back;
	char peer[80];
	int code = access == ADMIN_ACCESS_NONE ? 401 : 403;
	const char *why = code == 401 ? "missing or wrong bearer token" :
	    "the read-only token cannot change state; this needs admin_token";

	if (code == 401)
		c->unauthorized++;
	else
		c->forbidden++;
	if (log_limit_ok(&limit, &held_back)) {
		admin_auth_peer(req, peer, sizeof peer);
		log_warn("admin: %d for %s %s from %s: %s (%llu more held "
		    "back)", code, admin_auth_method(req),
		    evhttp_request_get_uri(req), peer, why,
		    (unsigned long long)held_back);
	}
	if (code == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"hotline\"");
	admin_reply_error(req, code, "%s", why);
}

void
admin_auth_audit(struct evhttp_request *req)
{
	char peer[80];

	admin_auth_peer(req, peer, sizeof peer);
	log_notice("admin: %s %s from %s", admin_auth_method(req),
	    evhttp_request_get_uri(req), peer);
}

void
admin_auth_metrics(struct evbuffer *out, const struct admin_auth_counts *c)
{
	evbuffer_add_printf(out, "# HELP hotline_admin_unauthorized_total "
	    "Admin requests refused 401: missing or wrong bearer token.\n"
	    "# TYPE hotline_admin_unauthorized_total counter\n"
	    "hotline_admin_unauthorized_total %llu\n"
	    "# HELP hotline_admin_forbidden_total Admin requests refused 403: "
	    "the read-only token on an endpoint that needs admin_token.\n"
	    "# TYPE hotline_admin_forbidden_total counter\n"
	    "hotline_admin_forbidden_total %llu\n",
	    (unsigned long long)c->unauthorized,
	    (unsigned long long)c->forbidden);
}
