/*
 * Keys from jwks_url (see auth_jwks.h).
 *
 * Why each worker fetches for itself rather than the master fetching and
 * distributing: a worker verifies with keys in its own memory, so the
 * fetch needs no master-to-worker signal, keeps TLS and DNS off the admin
 * loop, and an unknown kid triggers a fetch at once in the worker that saw
 * it. The cost is one small GET per worker per refresh (spread by jitter),
 * which an identity provider serves from cache; workers may disagree for
 * up to one refresh after a rotation. Only the last good document's text
 * is shared (auth_jwks_share.h): a respawned worker starts with keys while
 * the provider is down, and an unknown kid first looks at a sibling's
 * newer fetch, which closes that gap for the keys clients use.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "auth/auth_jwks.h"
#include "auth/auth_jwks_share.h"
#include "core/log.h"
#include "core/util.h"

#define JWKS_BACKOFF_FIRST_S	1
#define JWKS_BACKOFF_MAX_S	60
#define JWKS_HEADERS_MAX	16384

static struct {
	struct event_base	*base;
	struct evdns_base	*dns;
	SSL_CTX			*ctx;		/* https only */
	struct evhttp_uri	*uri;
	char			*target;	/* path and query */
	char			*host;		/* to connect to, no brackets */
	char			*host_header;	/* as the Host header says it */
	int			 port;
	int			 https;
	int			 host_is_ip;
	struct evhttp_connection *evcon;	/* the fetch in flight */
	struct evhttp_connection *done;		/* finished, freed by reaper */
	struct event		*reaper;
	enum evhttp_request_error why;		/* its error, if any */
	int			 why_set;
	struct event		*timer;		/* the next fetch */
	uint64_t		 started_ms;	/* of the last fetch */
	uint32_t		 backoff_s;
	int			 loaded;	/* a fetched set is held */
	int			 outage;	/* logged, not yet recovered */
	uint64_t		 seen;		/* shared doc's generation */
} jw;

/* Made by the master, inherited by every worker. */
static struct jwks_share	*jwks_shared;

int
auth_jwks_check_url(const char *url, char *err, size_t errlen)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme = u != NULL ? evhttp_uri_get_scheme(u) : NULL;
	const char *host = u != NULL ? evhttp_uri_get_host(u) : NULL;
	int rc = -1;

	if (u == NULL)
		snprintf(err, errlen, "\"%s\" is not a URL", url);
	else if (scheme == NULL || (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0))
		snprintf(err, errlen, "\"%s\": the scheme must be http or "
		    "https", url);
	else if (host == NULL || host[0] == '\0')
		snprintf(err, errlen, "\"%s\" names no host", url);
	else if (evhttp_uri_get_userinfo(u) != NULL)
		snprintf(err, errlen, "\"%s\": user info is not supported",
		    url);
	else
		rc = 0;
	if (u != NULL)
		evhttp_uri_free(u);
	return rc;
}

int
auth_jwks_master_init(char *err, size_t errlen)
{
	if ((jwks_shared = jwks_share_create()) == NULL) {
		snprintf(err, errlen, "jwks_url: shared memory: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
auth_jwks_master_reaped(int slot)
{
	jwks_share_reaped(jwks_shared, slot);
}

void
auth_jwks_master_free(void)
{
	jwks_share_destroy(jwks_shared);
	jwks_shared = NULL;
}

/* Whether some key of set verifies the pinned algorithm. */
static int
jwks_fits(const struct jwk_set *set)
{
	size_t i;

	for (i = 0; i < jwk_set_count(set); i++)
		if (jwk_key_fits(jwk_set_key(set, i), auth_conf.policy.alg))
			return 1;
	return 0;
}

/* The keys of a document that loads whole and suits jwt_alg, or NULL
 * with why. */
static struct jwk_set *
jwks_parse_doc(const char *text, size_t len, char *why, size_t whylen)
{
	char err[JWK_ERR_MAX];
	struct jwk_set *set;

	if ((set = jwks_load(text, len, err, sizeof err)) == NULL) {
		snprintf(why, whylen, "bad JWKS: %s", err);
		return NULL;
	}
	if (!jwks_fits(set)) {
		jwk_set_free(set);
		snprintf(why, whylen, "no key in the JWKS suits jwt_alg");
		return NULL;
	}
	return set;
}

/* Hold set from now on (the old one is never referenced past a call). */
static void
jwks_hold(struct jwk_set *set)
{
	jwk_set_free(auth_conf.keys);
	auth_conf.keys = set;
	jw.loaded = 1;
	AUTH_STAT_SET(jwks_loaded, 1);
}

/* Take a newer document a sibling published; 1 when the keys changed. */
static int
jwks_adopt(void)
{
	char why[JWK_ERR_MAX + 32], *doc;
	struct jwk_set *set;
	size_t len;

	if (jw.base == NULL || !jwks_share_read(jwks_shared, &jw.seen, &doc,
	    &len))
		return 0;
	set = jwks_parse_doc(doc, len, why, sizeof why);
	free(doc);
	if (set == NULL)
		return 0;
	if (!jw.loaded)
		log_info("jwks_url %s: %zu key%s from another worker's fetch",
		    auth_conf.jwks_url, jwk_set_count(set),
		    jwk_set_count(set) == 1 ? "" : "s");
	jwks_hold(set);
	return 1;
}

int
auth_jwks_ready(void)
{
	return auth_conf.jwks_url == NULL || jw.loaded || jwks_adopt();
}

/* Fetch again in secs seconds (replacing any earlier plan). */
static void
jwks_schedule(uint32_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(jw.timer, &tv);
}

/* The refresh period, -10%..+10% so workers do not fetch in step. */
static uint32_t
jwks_period(void)
{
	uint32_t p = auth_conf.jwks_refresh_s, span = p / 5;

	return span == 0 ? p : p - span / 2 + (uint32_t)random() % (span + 1);
}

static void
jwks_failed(const char *why)
{
	AUTH_STAT_ADD(jwks_fetch_failed, 1);
	if (!jw.outage)
		log_warn("jwks_url %s: %s; %s, retrying with backoff",
		    auth_conf.jwks_url, why, jw.loaded ? "keeping the keys "
		    "held" : "tokens are refused until a fetch succeeds");
	jw.outage = 1;
	jwks_schedule(HL_MIN(jw.backoff_s, auth_conf.jwks_refresh_s));
	jw.backoff_s = HL_MIN(jw.backoff_s * 2, JWKS_BACKOFF_MAX_S);
}

/* A 200's body: a new key set, or a failure with the old one kept. */
static void
jwks_body(struct evbuffer *body)
{
	char why[JWK_ERR_MAX + 32];
	size_t len = evbuffer_get_length(body);
	struct jwk_set *set;
	const char *text;
	uint64_t gen;

	text = (const char *)evbuffer_pullup(body, (ev_ssize_t)len);
	if ((set = jwks_parse_doc(text != NULL ? text : "", len, why,
	    sizeof why)) == NULL) {
		jwks_failed(why);
		return;
	}
	if (!jw.loaded || jw.outage)
		log_notice("jwks_url %s: %zu key%s loaded", auth_conf.jwks_url,
		    jwk_set_count(set), jwk_set_count(set) == 1 ? "" : "s");
	jwks_hold(set);
	if ((gen = jwks_share_publish(jwks_shared, auth_slot, text, len)) != 0)
		jw.seen = gen;
	jw.outage = 0;
	jw.backoff_s = JWKS_BACKOFF_FIRST_S;
	AUTH_STAT_ADD(jwks_fetch_ok, 1);
	jwks_schedule(jwks_period());
}

static const char *
jwks_error_name(enum evhttp_request_error e)
{
	switch (e) {
	case EVREQ_HTTP_TIMEOUT:	return "timed out";
	case EVREQ_HTTP_EOF:		return "connection closed early";
	case EVREQ_HTTP_INVALID_HEADER:	return "invalid response header";
	case EVREQ_HTTP_BUFFER_ERROR:	return "connection failed";
	case EVREQ_HTTP_REQUEST_CANCEL:	return "cancelled";
	case EVREQ_HTTP_DATA_TOO_LONG:	return "response over the size bound";
	}
	return "failed";
}

/* A failed request's cause: the TLS verdict first, then libevent's. */
static void
jwks_failed_request(struct evhttp_request *req, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = NULL;
	unsigned long e = 0;
	long verify;
	char why[256];
	SSL *ssl;

	if (jw.https && evcon != NULL &&
	    (bev = evhttp_connection_get_bufferevent(evcon)) != NULL)
		e = bufferevent_get_openssl_error(bev);
	if (e != 0 && (ssl = bufferevent_openssl_get_ssl(bev)) != NULL &&
	    (verify = SSL_get_verify_result(ssl)) != X509_V_OK)
		snprintf(why, sizeof why, "TLS: %s",
		    X509_verify_cert_error_string(verify));
	else if (e != 0)
		snprintf(why, sizeof why, "TLS: %s",
		    ERR_reason_error_string(e));
	else if (req != NULL && evhttp_request_get_response_code(req) > 0)
		snprintf(why, sizeof why, "HTTP %d",
		    evhttp_request_get_response_code(req));
	else
		snprintf(why, sizeof why, "%s", jw.why_set ?
		    jwks_error_name(jw.why) : "connection failed");
	jwks_failed(why);
}

static void
jwks_error_cb(enum evhttp_request_error e, void *arg)
{
	jw.why = e;
	jw.why_set = 1;
}

static void
jwks_done_cb(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection *evcon = jw.evcon;
	struct timeval now = { 0, 0 };

	/* Not freed here (libevent still uses it when this returns), nor by
	 * evhttp_connection_free_on_completion, which libevent 2.1 skips
	 * when the connection fails: on the next turn of the loop. */
	jw.evcon = NULL;
	if (jw.done != NULL)
		evhttp_connection_free(jw.done);
	jw.done = evcon;
	evtimer_add(jw.reaper, &now);
	if (req == NULL || evhttp_request_get_response_code(req) != 200)
		jwks_failed_request(req, evcon);
	else
		jwks_body(evhttp_request_get_input_buffer(req));
}

/* A TLS bufferevent that verifies the server as the URL names it. */
static struct bufferevent *
jwks_tls(const char *host)
{
	SSL *ssl = SSL_new(jw.ctx);
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	if (jw.host_is_ip) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);	/* SNI */
		SSL_set1_host(ssl, host);
	}
	bev = bufferevent_openssl_socket_new(jw.base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL)
		SSL_free(ssl);
	return bev;
}

/* The request of one fetch on a new connection. 0, or -1. */
static int
jwks_request(void)
{
	const char *host = jw.host;
	struct bufferevent *bev = NULL;
	struct evhttp_request *req;
	struct evkeyvalq *h;

	if (jw.https && (bev = jwks_tls(host)) == NULL)
		return -1;
	jw.evcon = evhttp_connection_base_bufferevent_new(jw.base, jw.dns, bev,
	    host, (unsigned short)jw.port);
	if (jw.evcon == NULL)
		return -1;	/* libevent freed bev */
	evhttp_connection_set_timeout(jw.evcon, (int)auth_conf.jwks_timeout_s);
	evhttp_connection_set_max_body_size(jw.evcon, JWKS_TEXT_MAX);
	evhttp_connection_set_max_headers_size(jw.evcon, JWKS_HEADERS_MAX);
	evhttp_connection_set_retries(jw.evcon, 0);
	req = evhttp_request_new(jwks_done_cb, NULL);
	evhttp_request_set_error_cb(req, jwks_error_cb);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", jw.host_header);
	evhttp_add_header(h, "Accept", "application/json");
	evhttp_add_header(h, "Connection", "close");
	jw.why_set = 0;
	if (evhttp_make_request(jw.evcon, req, EVHTTP_REQ_GET,
	    jw.target) == -1) {
		evhttp_connection_free(jw.evcon);	/* req freed too */
		jw.evcon = NULL;
		return -1;
	}
	return 0;
}

static void
jwks_fetch(void)
{
	if (jw.evcon != NULL)
		return;		/* one at a time */
	jw.started_ms = hl_now_ms();
	if (jwks_request() == -1)
		jwks_failed("could not start the request");
}

static void
jwks_reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	if (jw.done != NULL)
		evhttp_connection_free(jw.done);
	jw.done = NULL;
}

static void
jwks_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	jwks_fetch();
}

int
auth_jwks_unknown_kid(void)
{
	if (auth_conf.jwks_url == NULL || jw.base == NULL)
		return 0;
	if (jwks_adopt())
		return 1;
	if (jw.evcon != NULL || hl_now_ms() - jw.started_ms <
	    (uint64_t)auth_conf.jwks_min_refresh_s * 1000)
		return 0;
	AUTH_STAT_ADD(jwks_kid_refreshes, 1);
	jwks_fetch();
	return 0;
}

/* The TLS context: the peer must verify against the CA store. */
static SSL_CTX *
jwks_tls_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int ok;

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (auth_conf.jwks_ca_file != NULL || auth_conf.jwks_ca_dir != NULL)
		ok = SSL_CTX_load_verify_locations(ctx, auth_conf.jwks_ca_file,
		    auth_conf.jwks_ca_dir);
	else
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		log_error("jwks_url: cannot load the CA certificates: %s",
		    ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Parse the URL into the fetch's parts; -1 when it cannot be used. */
static int
jwks_parse(void)
{
	const char *path, *query, *host;
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;
	int port;

	if ((jw.uri = evhttp_uri_parse(auth_conf.jwks_url)) == NULL)
		return -1;
	jw.https = strcasecmp(evhttp_uri_get_scheme(jw.uri), "https") == 0;
	port = evhttp_uri_get_port(jw.uri);
	jw.port = port >= 0 ? port : jw.https ? 443 : 80;
	/* libevent keeps an IPv6 literal's brackets: the Host header wants
	 * them, connecting and certificate checks do not. */
	host = evhttp_uri_get_host(jw.uri);
	n = strlen(host) + 8;
	jw.host_header = xmalloc(n);
	if (port >= 0)
		snprintf(jw.host_header, n, "%s:%d", host, port);
	else
		snprintf(jw.host_header, n, "%s", host);
	jw.host = xstrdup(host[0] == '[' ? host + 1 : host);
	if (host[0] == '[' && (n = strlen(jw.host)) > 0 && jw.host[n - 1] ==
	    ']')
		jw.host[n - 1] = '\0';
	jw.host_is_ip = inet_pton(AF_INET, jw.host, &a4) == 1 ||
	    inet_pton(AF_INET6, jw.host, &a6) == 1;
	path = evhttp_uri_get_path(jw.uri);
	query = evhttp_uri_get_query(jw.uri);
	if (path == NULL || path[0] == '\0')
		path = "/";
	n = strlen(path) + (query != NULL ? strlen(query) + 1 : 0) + 1;
	jw.target = xmalloc(n);
	snprintf(jw.target, n, "%s%s%s", path, query != NULL ? "?" : "",
	    query != NULL ? query : "");
	return 0;
}

void
auth_jwks_start(struct event_base *base)
{
	if (jwks_parse() == -1) {
		log_error("jwks_url %s: cannot be parsed", auth_conf.jwks_url);
		return;
	}
	if (jw.https && (jw.ctx = jwks_tls_ctx()) == NULL)
		return;
	jw.base = base;
	jw.dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	jw.backoff_s = JWKS_BACKOFF_FIRST_S;
	jw.timer = evtimer_new(base, jwks_timer_cb, NULL);
	jw.reaper = evtimer_new(base, jwks_reaper_cb, NULL);
	jwks_adopt();		/* a sibling's keys, until this fetch is in */
	jwks_fetch();
}

void
auth_jwks_stop(void)
{
	if (jw.evcon != NULL)
		evhttp_connection_free(jw.evcon);
	if (jw.done != NULL)
		evhttp_connection_free(jw.done);
	if (jw.timer != NULL)
		event_free(jw.timer);
	if (jw.reaper != NULL)
		event_free(jw.reaper);
	if (jw.dns != NULL)
		evdns_base_free(jw.dns, 0);
	if (jw.ctx != NULL)
		SSL_CTX_free(jw.ctx);
	if (jw.uri != NULL)
		evhttp_uri_free(jw.uri);
	free(jw.target);
	free(jw.host);
	free(jw.host_header);
	memset(&jw, 0, sizeof jw);
}
