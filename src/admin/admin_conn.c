/* The admin port's limits (see admin_conn.h). */
#include "autoconf.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin/admin.h"
#include "admin/admin_conn.h"
#include "admin/admin_overflow.h"
#include "admin/prom.h"
#include "core/log.h"
#include "core/util.h"
#include "core/config.h"

#define ADMIN_ERROR_PAUSE_MS	100	/* after EMFILE: retry accepting */
#define ADMIN_OVERFLOW_PER_TICK	32	/* answered at the cap per tick */
#define ADMIN_TIMEOUT_BODY	"{\"error\":\"admin_request_timeout passed\"}\n"
#define ADMIN_TIMEOUT_REPLY	"HTTP/1.1 408 Request Timeout\r\n" \
	"Content-Type: application/json\r\nConnection: close\r\n" \
	"Content-Length: 41\r\n\r\n" ADMIN_TIMEOUT_BODY
_Static_assert(sizeof ADMIN_TIMEOUT_BODY - 1 == 41, "Content-Length");

/* One connection evhttp accepted; we hold a reference to its bufferevent,
 * so the pointer stays ours until we drop it. */
struct admin_tracked {
	struct bufferevent	*bev;
	uint64_t		 deadline;	/* monotonic ms; 0: handler */
};

struct admin_conns {
	struct admin_host		*host;
	struct evconnlistener	*listener;
	struct admin_tracked	*conns;
	struct admin_overflow	*overflow;	/* answered without evhttp */
	unsigned		 n, alloc;
	int			 spare[ADMIN_OVERFLOW_BOATS]; /* reserved fds */
	int			 nspare;
	int			 paused_cap;
	uint64_t		 paused_until;	/* error pause; 0: none */
	uint64_t		 last_log;
	struct admin_limits	 limits;
};

/* The listener's error callback gets evhttp's argument, not ours; the
 * master has one admin port. */
static struct admin_conns	*admin_conns_one;

static uint64_t
admin_conns_timeout_ms(const struct admin_conns *ac)
{
	return (uint64_t)ac->host->cf->admin_request_timeout * 1000;
}

/* Say it at most once a second: clients can cause all of these. */
static void
admin_conns_warn(struct admin_conns *ac, const char *what)
{
	uint64_t now = hl_now_ms();

	if (now - ac->last_log < 1000)
		return;
	ac->last_log = now;
	log_warn("admin port: %s (%u connections open; timeouts %llu, "
	    "pauses at the cap %llu, accept errors %llu)", what, ac->n,
	    (unsigned long long)ac->limits.timeouts,
	    (unsigned long long)ac->limits.cap_pauses,
	    (unsigned long long)ac->limits.accept_errors);
}

static void
admin_conns_update_listener(struct admin_conns *ac)
{
	int on = !ac->paused_cap && ac->paused_until == 0;

	if (on)
		evconnlistener_enable(ac->listener);
	else
		evconnlistener_disable(ac->listener);
}

/* evhttp_set_bevcb: every accepted connection passes here first. */
static struct bufferevent *
admin_conns_bev_cb(struct event_base *base, void *arg)
{
	struct admin_conns *ac = arg;
	struct bufferevent *bev;

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;	/* evhttp makes its own; it goes untracked */
	if (ac->n == ac->alloc) {
		ac->alloc = ac->alloc == 0 ? 64 : ac->alloc * 2;
		ac->conns = xrealloc(ac->conns, ac->alloc *
		    sizeof *ac->conns);
	}
	bufferevent_incref(bev);
	ac->conns[ac->n++] = (struct admin_tracked){ bev,
	    hl_now_ms() + admin_conns_timeout_ms(ac) };
	if (ac->n >= (unsigned)ac->host->cf->admin_max_connections &&
	    !ac->paused_cap) {
		ac->paused_cap = 1;
		ac->limits.cap_pauses++;
		admin_conns_update_listener(ac);
		admin_conns_warn(ac, "admin_max_connections reached; "
		    "accepting pauses");
	}
	return bev;
}

static struct admin_tracked *
admin_conns_find(struct admin_conns *ac, const struct bufferevent *bev)
{
	unsigned i;

	for (i = 0; i < ac->n; i++) {
		if (ac->conns[i].bev == bev)
			return &ac->conns[i];
	}
	return NULL;
}

static struct admin_tracked *
admin_conns_of(struct admin_conns *ac, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	return evcon == NULL ? NULL :
	    admin_conns_find(ac, evhttp_connection_get_bufferevent(evcon));
}

static void
admin_conns_done_cb(struct evhttp_request *req, void *arg)
{
	struct admin_conns *ac = arg;
	struct admin_tracked *t = admin_conns_of(ac, req);

	if (t != NULL)
		t->deadline = hl_now_ms() + admin_conns_timeout_ms(ac);
}

void
admin_conns_dispatched(struct admin_conns *ac, struct evhttp_request *req)
{
	struct admin_tracked *t = admin_conns_of(ac, req);

	if (t == NULL)
		return;
	t->deadline = 0;
	evhttp_request_set_on_complete_cb(req, admin_conns_done_cb, ac);
}

/* Drop connection i if evhttp freed it (bufferevent_free clears the
 * callbacks), cut it if its deadline passed. Returns 1 when dropped. */
static int
admin_conns_check(struct admin_conns *ac, unsigned i, uint64_t now)
{
	struct admin_tracked *t = &ac->conns[i];
	bufferevent_event_cb eventcb;
	void *evcon;

	bufferevent_getcb(t->bev, NULL, NULL, &eventcb, &evcon);
	if (eventcb != NULL) {
		if (t->deadline == 0 || now < t->deadline)
			return 0;
		/* No answer is under way (the clock stops for those): say
		 * why, then close. evhttp sets the connection as its
		 * callbacks' argument. */
		ac->limits.timeouts++;
		admin_conns_warn(ac, "closed a connection at "
		    "admin_request_timeout");
		send(bufferevent_getfd(t->bev), ADMIN_TIMEOUT_REPLY,
		    sizeof ADMIN_TIMEOUT_REPLY - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		evhttp_connection_free(evcon);
	}
	bufferevent_decref(t->bev);
	ac->conns[i] = ac->conns[--ac->n];
	return 1;
}

void
admin_conns_metrics(struct evbuffer *out, const struct admin_conns *ac)
{
	static const struct {
		const char	*name, *help;
		size_t		 off;
	} rows[] = {
		{ "hotline_admin_timeouts_total", "Admin connections closed at "
		  "admin_request_timeout.", offsetof(struct admin_limits,
		  timeouts) },
		{ "hotline_admin_accept_pauses_total", "Times admin accepting "
		  "paused at admin_max_connections.",
		  offsetof(struct admin_limits, cap_pauses) },
		{ "hotline_admin_accept_errors_total", "Admin accept(2) "
		  "failures (EMFILE, ENFILE, ...).",
		  offsetof(struct admin_limits, accept_errors) },
	};
	size_t i;

	prom_single(out, "hotline_admin_connections", "gauge", "Admin "
	    "connections open.", ac->n);
	prom_single(out, "hotline_admin_overflow_answers_total", "counter",
	    "Admin connections answered and closed at once, at the cap or "
	    "out of descriptors (/health with its status, others 503).",
	    admin_overflow_answers(ac->overflow));
	for (i = 0; i < HL_ARRAY_LEN(rows); i++)
		prom_single(out, rows[i].name, "counter", rows[i].help,
		    *(const uint64_t *)(const void *)
		    ((const char *)&ac->limits + rows[i].off));
}

/* At the cap, evhttp accepts nothing; the queue is answered here, a
 * bounded number per tick, so /health is not stuck behind idle clients. */
static void
admin_conns_overflow(struct admin_conns *ac)
{
	int i, fd;

	for (i = 0; i < ADMIN_OVERFLOW_PER_TICK &&
	    admin_overflow_room(ac->overflow); i++) {
		fd = accept4(evconnlistener_get_fd(ac->listener), NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		admin_overflow_take(ac->overflow, fd, ADMIN_OVERFLOW_CAP, NULL,
		    NULL);
	}
}

/* Keep ADMIN_OVERFLOW_BOATS descriptors in reserve, one per boat. */
static void
admin_conns_reserve(struct admin_conns *ac)
{
	int fd;

	while (ac->nspare < ADMIN_OVERFLOW_BOATS &&
	    (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1)
		ac->spare[ac->nspare++] = fd;
}

static void
admin_conns_reserve_cb(void *arg)
{
	admin_conns_reserve(arg);
}

/* Out of descriptors: free the reserved one for the connection at the
 * head of the queue, which is answered and closed; reserve it again then.
 * Returns -1 when nothing could be accepted. */
static int
admin_conns_spare_answer(struct admin_conns *ac)
{
	int fd;

	if (ac->nspare == 0 || !admin_overflow_room(ac->overflow))
		return -1;
	close(ac->spare[--ac->nspare]);
	fd = accept4(evconnlistener_get_fd(ac->listener), NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		admin_conns_reserve_cb(ac);
		return -1;
	}
	admin_overflow_take(ac->overflow, fd, ADMIN_OVERFLOW_NOFILE,
	    admin_conns_reserve_cb, ac);
	return 0;
}

void
admin_conns_tick(struct admin_conns *ac)
{
	uint64_t now = hl_now_ms();
	unsigned i = 0;

	if (ac == NULL)
		return;
	while (i < ac->n) {
		if (!admin_conns_check(ac, i, now))
			i++;
	}
	admin_conns_reserve(ac);
	if (ac->paused_until != 0 && now >= ac->paused_until)
		ac->paused_until = 0;
	if (ac->n < (unsigned)ac->host->cf->admin_max_connections)
		ac->paused_cap = 0;
	else if (ac->paused_cap)
		admin_conns_overflow(ac);
	admin_conns_update_listener(ac);
}

/* accept(2) failed for a reason other than a retry: the connection stays
 * queued and the socket readable, so retrying at once would spin (99 %
 * CPU with 20,000 admin connections open). */
static void
admin_conns_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct admin_conns *ac = admin_conns_one;
	int err = errno;
	char what[128];

	ac->limits.accept_errors++;
	snprintf(what, sizeof what, "accept: %s; pausing accepts for %d ms "
	    "and answering on a reserved descriptor", strerror(err),
	    ADMIN_ERROR_PAUSE_MS);
	admin_conns_warn(ac, what);
	if ((err == EMFILE || err == ENFILE) &&
	    admin_conns_spare_answer(ac) == 0)
		return;
	ac->paused_until = hl_now_ms() + ADMIN_ERROR_PAUSE_MS;
	admin_conns_update_listener(ac);
}

struct admin_conns *
admin_conns_new(struct admin_host *h, struct evhttp *http,
    struct evconnlistener *listener)
{
	struct admin_conns *ac = xcalloc(1, sizeof *ac);

	ac->host = h;
	ac->listener = listener;
	ac->overflow = admin_overflow_new(h);
	admin_conns_reserve(ac);
	if (ac->nspare < ADMIN_OVERFLOW_BOATS) {
		admin_conns_free(ac);
		return NULL;
	}
	evhttp_set_bevcb(http, admin_conns_bev_cb, ac);
	admin_conns_one = ac;
	evconnlistener_set_error_cb(listener, admin_conns_accept_error_cb);
	return ac;
}

void
admin_conns_free(struct admin_conns *ac)
{
	unsigned i;

	if (ac == NULL)
		return;
	for (i = 0; i < ac->n; i++)
		bufferevent_decref(ac->conns[i].bev);
	while (ac->nspare > 0)
		close(ac->spare[--ac->nspare]);
	admin_overflow_free(ac->overflow);
	free(ac->conns);
	free(ac);
	admin_conns_one = NULL;
}
