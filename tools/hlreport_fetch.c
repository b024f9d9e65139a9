/*
 * Fetching from a running daemon's admin port with libevent's HTTP client:
 * the newest report (GET /api/profiling/reports, newest set first, then
 * GET /api/profiling/reports/{name}) or a fresh on-demand profile (GET
 * /api/profiling/profile?seconds=N&format=F). Loopback hosts only: the
 * admin port is meant to stay on the machine, and this tool sends its
 * token.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hlreport.h"

/* One request's outcome. */
struct fetch_reply {
	int		 done;
	int		 status;	/* 0: no answer */
	struct evbuffer	*body;
};

int
hlreport_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (host == NULL)
		return 0;
	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* The request finished (or failed: req NULL or no response code). */
static void
fetch_done_cb(struct evhttp_request *req, void *arg)
{
	struct fetch_reply *r = arg;

	r->done = 1;
	if (req == NULL || evhttp_request_get_response_code(req) == 0)
		return;
	r->status = evhttp_request_get_response_code(req);
	evbuffer_add_buffer(r->body, evhttp_request_get_input_buffer(req));
}

/* GET path from the connection into r; -1 when nothing answered. */
static int
fetch_get(struct event_base *base, struct evhttp_connection *conn,
    const char *host, const char *path, const char *token,
    struct fetch_reply *r)
{
	struct evhttp_request *req;
	char auth[1024];

	r->done = r->status = 0;
	evbuffer_drain(r->body, evbuffer_get_length(r->body));
	if ((req = evhttp_request_new(fetch_done_cb, r)) == NULL)
		return -1;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", host);
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Bearer %s", token);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Authorization", auth);
	}
	if (evhttp_make_request(conn, req, EVHTTP_REQ_GET, path) == -1)
		return -1;
	while (!r->done)
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			return -1;
	return r->status == 0 ? -1 : 0;
}

/* The newest report of ext in a listing body, into name. */
static int
fetch_pick(struct evbuffer *body, const char *ext, char *name,
    size_t namesize, char *err, size_t errsize)
{
	size_t len = evbuffer_get_length(body), i, el = strlen(ext);
	json_t *doc = json_loadb((const char *)evbuffer_pullup(body, -1), len,
	    0, NULL), *r;
	int rc = -1;

	if (!json_is_array(json_object_get(doc, "reports")))
		snprintf(err, errsize, "the report list is not the expected "
		    "JSON");
	else
		snprintf(err, errsize, "the daemon has no .%s report yet", ext);
	json_array_foreach(json_object_get(doc, "reports"), i, r) {
		const char *f = json_string_value(json_object_get(r,
		    "filename"));
		size_t fl = f != NULL ? strlen(f) : 0;

		if (fl > el + 1 && f[fl - el - 1] == '.' &&
		    strcmp(f + fl - el, ext) == 0 && fl < namesize) {
			memcpy(name, f, fl + 1);
			rc = 0;
			break;
		}
	}
	json_decref(doc);
	return rc;
}

/* Write body to path ("-": stdout). */
static int
fetch_save(struct evbuffer *body, const char *path, char *err,
    size_t errsize)
{
	size_t len = evbuffer_get_length(body);
	FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "we");
	int ok;

	if (fp == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(evbuffer_pullup(body, -1), 1, len, fp) == len;
	ok = (fp == stdout ? fflush(fp) : fclose(fp)) == 0 && ok;
	if (!ok)
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
	return ok ? 0 : -1;
}

/* Explain a status other than 200, with the daemon's error message. */
static int
fetch_status(const struct fetch_reply *r, const char *what, char *err,
    size_t errsize)
{
	size_t len = evbuffer_get_length(r->body);
	json_t *doc;
	const char *why;

	if (r->status == 200)
		return 0;
	doc = json_loadb((const char *)evbuffer_pullup(r->body, -1), len, 0,
	    NULL);
	why = json_string_value(json_object_get(doc, "error"));
	snprintf(err, errsize, "%s: HTTP %d%s%s%s", what, r->status,
	    why != NULL ? ": " : "", why != NULL ? why : "",
	    r->status == 401 ? " (the admin port wants --token or "
	    "HOTLINE_ADMIN_TOKEN)" : "");
	json_decref(doc);
	return -1;
}

/* A fresh profile: one GET, saved as profile_STAMP.EXT unless -o. */
static int
fetch_profile(struct event_base *base, struct evhttp_connection *conn,
    const struct hlreport_fetch_opts *o, const char *host, char *name,
    size_t namesize, char *err, size_t errsize)
{
	struct fetch_reply r = { 0, 0, evbuffer_new() };
	char path[128], stamp[32];
	time_t now = time(NULL);
	int rc = -1;

	snprintf(path, sizeof path, "/api/profiling/profile?seconds=%d"
	    "&format=%s", o->seconds, o->ext);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(name, namesize, "profile_%s.%s", stamp,
	    strcmp(o->ext, "pprof") == 0 ? "pb.gz" : o->ext);
	if (r.body == NULL)
		snprintf(err, errsize, "out of memory");
	else if (fetch_get(base, conn, host, path, o->token, &r) == -1)
		snprintf(err, errsize, "%s: no answer to GET %s in %d s (is "
		    "hotlined running with its admin port there?)", o->admin,
		    path, o->timeout_s);
	else if (fetch_status(&r, path, err, errsize) == 0)
		rc = fetch_save(r.body, o->out != NULL ? o->out : name, err,
		    errsize);
	if (r.body != NULL)
		evbuffer_free(r.body);
	return rc;
}

/* List, pick, download, with one connection. */
static int
fetch_run(struct event_base *base, struct evhttp_connection *conn,
    const struct hlreport_fetch_opts *o, const char *host, char *name,
    size_t namesize, char *err, size_t errsize)
{
	struct fetch_reply r = { 0, 0, evbuffer_new() };
	char path[256];
	int rc = -1;

	if (fetch_get(base, conn, host, "/api/profiling/reports", o->token,
	    &r) == -1) {
		snprintf(err, errsize, "%s: no answer (is hotlined running "
		    "with its admin port there?)", o->admin);
		goto out;
	}
	if (fetch_status(&r, "GET /api/profiling/reports", err, errsize) ||
	    fetch_pick(r.body, o->ext, name, namesize, err, errsize))
		goto out;
	snprintf(path, sizeof path, "/api/profiling/reports/%s", name);
	if (fetch_get(base, conn, host, path, o->token, &r) == -1) {
		snprintf(err, errsize, "GET %s: no answer", path);
		goto out;
	}
	if (fetch_status(&r, path, err, errsize) == 0)
		rc = fetch_save(r.body, o->out != NULL ? o->out : name, err,
		    errsize);
out:
	evbuffer_free(r.body);
	return rc;
}

int
hlreport_fetch(const struct hlreport_fetch_opts *o, char *name,
    size_t namesize, char *err, size_t errsize)
{
	struct evhttp_uri *uri = evhttp_uri_parse(o->admin);
	struct evhttp_connection *conn = NULL;
	struct event_base *base = NULL;
	const char *host = uri != NULL ? evhttp_uri_get_host(uri) : NULL;
	int port = uri != NULL ? evhttp_uri_get_port(uri) : -1, rc = -1;

	if (uri == NULL || host == NULL || evhttp_uri_get_scheme(uri) == NULL ||
	    strcasecmp(evhttp_uri_get_scheme(uri), "http") != 0) {
		snprintf(err, errsize, "%s: not an http:// URL", o->admin);
		goto out;
	}
	if (!hlreport_loopback(host)) {
		snprintf(err, errsize, "%s: only loopback admin ports "
		    "(127.0.0.1, ::1, localhost) are fetched from", host);
		goto out;
	}
	if ((base = event_base_new()) == NULL ||
	    (conn = evhttp_connection_base_new(base, NULL, host,
	    port > 0 ? port : 80)) == NULL) {
		snprintf(err, errsize, "cannot set up an HTTP client");
		goto out;
	}
	evhttp_connection_set_timeout(conn, o->timeout_s > 0 ? o->timeout_s :
	    10);
	if (o->seconds > 0)
		rc = fetch_profile(base, conn, o, host, name, namesize, err,
		    errsize);
	else
		rc = fetch_run(base, conn, o, host, name, namesize, err,
		    errsize);
out:
	if (conn != NULL)
		evhttp_connection_free(conn);
	if (base != NULL)
		event_base_free(base);
	if (uri != NULL)
		evhttp_uri_free(uri);
	return rc;
}
