/*
 * Pyroscope push (docs/pprof.md): POST {url}/ingest?name=hotline{labels}
 * &from=&until=&format=pprof&sampleRate=&spyName=hotline with the profile
 * as the multipart/form-data field "profile", as Pyroscope's HTTP ingest
 * API documents it. libevent's HTTP client on the master's loop; https
 * through libevent_openssl with the system's CA store and host check.
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "prof/prof.h"
#include "profd/push.h"

#define PUSH_BOUNDARY	"hotline-pprof-7f3a9c"

static struct {
	struct prof_host	*h;
	struct push_item	*head, *tail;
	int			 nqueued;
	int			 inflight;	/* a request is out */
	struct event		*retry;		/* backoff, then the next try */
	struct evhttp_connection *conn;	/* kept for conn_url */
	char			*conn_url;
	SSL_CTX			*ssl;
	int			 down;		/* an outage was logged */
	uint64_t		 ok, failed, dropped;
} ps;

static void	push_next(void);

void
push_item_free(struct push_item *it)
{
	if (it == NULL)
		return;
	free(it->body);
	free(it);
}

static void
push_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	push_next();
}

void
push_start(struct prof_host *h)
{
	ps.h = h;
	ps.retry = evtimer_new(h->base, push_retry_cb, NULL);
}

void
push_submit(struct push_item *it)
{
	if (ps.h == NULL || ps.nqueued >= PUSH_QUEUE_MAX) {
		ps.dropped++;
		push_item_free(it);
		return;
	}
	it->next = NULL;
	if (ps.tail != NULL)
		ps.tail->next = it;
	else
		ps.head = it;
	ps.tail = it;
	ps.nqueued++;
	push_next();
}

/* The head is done with (pushed or given up). */
static void
push_pop(void)
{
	struct push_item *it = ps.head;

	ps.head = it->next;
	if (ps.head == NULL)
		ps.tail = NULL;
	ps.nqueued--;
	push_item_free(it);
}

/* name=hotline{instance=HOST:PID,host=HOST[,labels]}, %-encoded. */
static char *
push_name(void)
{
	const char *labels = ps.h->cf->profiling_push_labels;
	char host[256], name[1024];

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	snprintf(name, sizeof name, "hotline{instance=%s:%ld,host=%s%s%s}",
	    host, (long)getpid(), host, *labels != '\0' ? "," : "", labels);
	return evhttp_uriencode(name, -1, 0);
}

/* A connection to the URL's host, TLS for https; NULL with *why. */
static struct evhttp_connection *
push_connect(const struct evhttp_uri *u, const char **why)
{
	const char *host = evhttp_uri_get_host(u);
	int https = strcmp(evhttp_uri_get_scheme(u), "https") == 0;
	int port = evhttp_uri_get_port(u);
	struct bufferevent *bev = NULL;
	SSL *ssl;

	if (port == -1)
		port = https ? 443 : 80;
	if (https) {
		if (ps.ssl == NULL &&
		    (ps.ssl = SSL_CTX_new(TLS_client_method())) != NULL) {
			SSL_CTX_set_default_verify_paths(ps.ssl);
			SSL_CTX_set_verify(ps.ssl, SSL_VERIFY_PEER, NULL);
		}
		if (ps.ssl == NULL || (ssl = SSL_new(ps.ssl)) == NULL) {
			*why = "cannot set up TLS";
			return NULL;
		}
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
		bev = bufferevent_openssl_socket_new(ps.h->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	}
	*why = "cannot connect";
	return evhttp_connection_base_bufferevent_new(ps.h->base, NULL, bev,
	    host, (unsigned short)port);
}

/* The body: the profile as the multipart field "profile". */
static void
push_body(struct evhttp_request *req, const struct push_item *it)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	evbuffer_add_printf(out, "--" PUSH_BOUNDARY "\r\nContent-Disposition: "
	    "form-data; name=\"profile\"; filename=\"profile.pb.gz\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n");
	evbuffer_add(out, it->body, it->len);
	evbuffer_add_printf(out, "\r\n--" PUSH_BOUNDARY "--\r\n");
}

static void	push_done_cb(struct evhttp_request *req, void *arg);

static void
push_conn_free(void)
{
	if (ps.conn != NULL)
		evhttp_connection_free(ps.conn);
	ps.conn = NULL;
	free(ps.conn_url);
	ps.conn_url = NULL;
}

/* The connection to the URL: one kept, reconnecting as libevent does, and
 * made anew when a reload changes the URL (libevent's own freeing after a
 * request is not used: it leaks a connection that failed to connect). */
static struct evhttp_connection *
push_conn(const struct evhttp_uri *u, const char *url, const char **why)
{
	if (ps.conn != NULL && strcmp(ps.conn_url, url) == 0)
		return ps.conn;
	push_conn_free();
	if ((ps.conn = push_connect(u, why)) == NULL)
		return NULL;
	evhttp_connection_set_timeout(ps.conn, PUSH_TIMEOUT_S);
	ps.conn_url = xstrdup(url);
	return ps.conn;
}

/* Send the head; -1 with *why when the request cannot even be made. */
static int
push_send(const struct push_item *it, const char **why)
{
	const char *url = ps.h->cf->profiling_push_url, *path;
	struct evhttp_uri *u = evhttp_uri_parse(url);
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	char *name = NULL, uri[2048];
	int rc = -1;

	*why = "bad URL";
	if (u == NULL || evhttp_uri_get_host(u) == NULL ||
	    (conn = push_conn(u, url, why)) == NULL)
		goto out;
	req = evhttp_request_new(push_done_cb, NULL);
	path = evhttp_uri_get_path(u);
	name = push_name();
	snprintf(uri, sizeof uri, "%s/ingest?name=%s&from=%lld&until=%lld"
	    "&format=pprof&sampleRate=%d&spyName=hotline",
	    path != NULL && strcmp(path, "/") != 0 ? path : "", name,
	    (long long)it->from, (long long)it->until, it->sample_rate);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    evhttp_uri_get_host(u));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "multipart/form-data; boundary=" PUSH_BOUNDARY);
	/* A window apart from the next: no idle connection to go stale. */
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Connection", "close");
	push_body(req, it);
	rc = evhttp_make_request(conn, req, EVHTTP_REQ_POST, uri);
	*why = "cannot send";
out:
	free(name);
	if (u != NULL)
		evhttp_uri_free(u);
	return rc;
}

/* A try failed: log the outage once, retry with backoff, at most
 * PUSH_RETRIES times. */
static void
push_failed(const char *why)
{
	struct timeval tv = { 1 << HL_MIN(ps.head->attempts, 4), 0 };

	if (!ps.down) {
		log_warn("profiling push to %s failed: %s; retrying, and "
		    "quiet until it answers again",
		    ps.h->cf->profiling_push_url, why);
		ps.down = 1;
	}
	if (++ps.head->attempts > PUSH_RETRIES) {
		ps.failed++;
		push_pop();
		tv.tv_sec = 0;
	}
	evtimer_add(ps.retry, &tv);
}

static void
push_done_cb(struct evhttp_request *req, void *arg)
{
	int status = req != NULL ? evhttp_request_get_response_code(req) : 0;
	char why[64];

	ps.inflight = 0;
	if (ps.head == NULL)
		return;		/* stopped meanwhile */
	if (status < 200 || status > 299) {
		snprintf(why, sizeof why, status == 0 ? "no answer (refused, "
		    "timed out or cut)" : "HTTP %d", status);
		push_failed(why);
		return;
	}
	if (ps.down)
		log_notice("profiling push to %s works again",
		    ps.h->cf->profiling_push_url);
	ps.down = 0;
	ps.ok++;
	push_pop();
	push_next();
}

/* Send the head unless a request or a backoff is under way. */
static void
push_next(void)
{
	const char *why;

	if (ps.inflight || ps.head == NULL ||
	    evtimer_pending(ps.retry, NULL))
		return;
	if (*ps.h->cf->profiling_push_url == '\0') {	/* reloaded away */
		while (ps.head != NULL)
			push_pop();
		return;
	}
	if (push_send(ps.head, &why) == -1) {
		push_failed(why);
		return;
	}
	ps.inflight = 1;
}

void
push_stop(void)
{
	while (ps.head != NULL)
		push_pop();
	push_conn_free();
	ps.inflight = 0;
	if (ps.retry != NULL)
		event_free(ps.retry);
	ps.retry = NULL;
	if (ps.ssl != NULL)
		SSL_CTX_free(ps.ssl);
	ps.ssl = NULL;
	ps.h = NULL;
}

void
push_totals(uint64_t *ok, uint64_t *failed, uint64_t *dropped)
{
	*ok = ps.ok;
	*failed = ps.failed;
	*dropped = ps.dropped;
}
