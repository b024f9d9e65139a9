/*
 * The worker cycle. Until the WebSocket core lands, a connection gets one
 * HTTP answer (426 Upgrade Required) and is closed; the accept path, the
 * counters and the stop paths are the ones the protocol will use.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <string.h>
#include <unistd.h>

#include "master.h"
#include "proc.h"
#include "util.h"
#include "worker.h"

#define WORKER_HEARTBEAT_MS	500
#define WORKER_REQUEST_MAX	8192
#define WORKER_REQUEST_TIMEOUT	10	/* seconds */

struct worker_conn {
	struct bufferevent		*bev;
	LIST_ENTRY(worker_conn)		 entry;
};

struct worker {
	LIST_HEAD(, worker_conn)	 conns;
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct shm_slot		*slot;
	struct event		*sig_event;
	struct event		*heartbeat;
	struct event		*drain_timer;
	int			 sigfd;
	int			 listen_fd;
	int			 draining;
	int			 shutdown_timeout;
};

static struct worker	 worker;

static const char response_426[] =
    "HTTP/1.1 426 Upgrade Required\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade, close\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 28\r\n"
    "\r\n"
    "WebSocket upgrade required.\n";

static void
worker_maybe_exit(void)
{
	if (worker.draining &&
	    shm_read(&worker.slot->counters.connections_active) == 0)
		event_base_loopbreak(worker.base);
}

static void
worker_conn_free(struct worker_conn *c)
{
	LIST_REMOVE(c, entry);
	bufferevent_free(c->bev);
	free(c);
	shm_sub(&worker.slot->counters.connections_active, 1);
}

static void
worker_conn_close(struct bufferevent *bev, struct worker_conn *c)
{
	worker_conn_free(c);
	worker_maybe_exit();
}

static void worker_conn_event_cb(struct bufferevent *, short, void *);

static void
worker_conn_written_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		worker_conn_close(bev, arg);
}

static void
worker_conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);
	struct evbuffer_ptr end;

	shm_add(&worker.slot->counters.bytes_in, len);
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1 && len < WORKER_REQUEST_MAX)
		return;
	evbuffer_drain(in, len);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, worker_conn_written_cb,
	    worker_conn_event_cb, arg);
	bufferevent_write(bev, response_426, sizeof response_426 - 1);
	shm_add(&worker.slot->counters.bytes_out, sizeof response_426 - 1);
}

static void
worker_conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		shm_add(&worker.slot->counters.errors, 1);
	worker_conn_close(bev, arg);
}

static void
worker_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct timeval tv = { WORKER_REQUEST_TIMEOUT, 0 };
	struct bufferevent *bev;
	struct worker_conn *c;

	bev = bufferevent_socket_new(worker.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		shm_add(&worker.slot->counters.errors, 1);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->bev = bev;
	LIST_INSERT_HEAD(&worker.conns, c, entry);
	shm_add(&worker.slot->counters.connections_total, 1);
	shm_add(&worker.slot->counters.connections_active, 1);
	bufferevent_setcb(bev, worker_conn_read_cb, NULL, worker_conn_event_cb,
	    c);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
}

static void
worker_accept_error_cb(struct evconnlistener *l, void *arg)
{
	/* EMFILE and friends: counted; libevent retries on the next event. */
	shm_add(&worker.slot->counters.errors, 1);
	log_warn("accept: %s", strerror(errno));
}

static void
worker_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	log_notice("shutdown_timeout passed; closing %llu connections",
	    (unsigned long long)shm_read(
	    &worker.slot->counters.connections_active));
	event_base_loopbreak(worker.base);
}

/* Graceful stop: no new connections; exit when the last one closes. */
static void
worker_drain(void)
{
	struct timeval tv = { worker.shutdown_timeout, 0 };

	if (worker.draining)
		return;
	worker.draining = 1;
	__atomic_store_n(&worker.slot->state, SLOT_DRAINING, __ATOMIC_RELEASE);
	evconnlistener_free(worker.listener);	/* closes our listen fd */
	worker.listener = NULL;
	worker.drain_timer = evtimer_new(worker.base, worker_drain_timeout_cb,
	    NULL);
	evtimer_add(worker.drain_timer, &tv);
	worker_maybe_exit();
}

static void
worker_signal_cb(evutil_socket_t fd, short what, void *arg)
{
	int sig;

	while ((sig = proc_signalfd_read(fd)) != 0) {
		switch (sig) {
		case SIGTERM:
		case SIGINT:
			__atomic_store_n(&worker.slot->state, SLOT_STOPPING,
			    __ATOMIC_RELEASE);
			event_base_loopbreak(worker.base);
			break;
		case SIGQUIT:
			worker_drain();
			break;
		case SIGUSR1:
			if (log_reopen() == -1)
				log_error("cannot reopen the log: %s",
				    strerror(errno));
			break;
		default:
			break;	/* SIGHUP: the master reloads */
		}
	}
}

static void
worker_heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	shm_write(&worker.slot->heartbeat, hl_now_ms());
}

static void
worker_setup_events(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1 };
	struct timeval beat = { 0, WORKER_HEARTBEAT_MS * 1000 };

	if ((worker.base = event_base_new()) == NULL)
		fatalx("cannot create the worker's event base");
	worker.listener = evconnlistener_new(worker.base, worker_accept_cb,
	    NULL, LEV_OPT_CLOSE_ON_FREE, -1, worker.listen_fd);
	if (worker.listener == NULL)
		fatalx("cannot listen");
	evconnlistener_set_error_cb(worker.listener, worker_accept_error_cb);
	worker.heartbeat = event_new(worker.base, -1, EV_PERSIST,
	    worker_heartbeat_cb, NULL);
	evtimer_add(worker.heartbeat, &beat);
	/* Last: unblocks every signal but these, which arrive as reads. */
	if ((worker.sigfd = proc_signalfd(sigs, HL_ARRAY_LEN(sigs))) == -1)
		fatal("signalfd");
	worker.sig_event = event_new(worker.base, worker.sigfd,
	    EV_READ | EV_PERSIST, worker_signal_cb, NULL);
	event_add(worker.sig_event, NULL);
}

static void
worker_free(void)
{
	if (worker.listener != NULL)
		evconnlistener_free(worker.listener);
	if (worker.drain_timer != NULL)
		event_free(worker.drain_timer);
	event_free(worker.heartbeat);
	event_free(worker.sig_event);
	close(worker.sigfd);
	while (!LIST_EMPTY(&worker.conns))
		worker_conn_free(LIST_FIRST(&worker.conns));
	event_base_free(worker.base);
}

void
worker_main(struct master *m, int slot, int index)
{
	char role[32];

	snprintf(role, sizeof role, "worker %d", index);
	log_set_role(role);
	log_after_fork();
	proc_child_setup(m->shm.hdr->master_pid, m->worker_uid, m->worker_gid);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid() ^ (unsigned)hl_now_ms());
	worker.slot = shm_slot(&m->shm, (uint32_t)slot);
	worker.listen_fd = m->listener.fds[index];
	worker.shutdown_timeout = m->cf.shutdown_timeout;
	__atomic_store_n(&worker.slot->pid, getpid(), __ATOMIC_RELAXED);
	worker_setup_events();
	__atomic_store_n(&worker.slot->state, SLOT_RUNNING, __ATOMIC_RELEASE);
	log_debug("serving (slot %d)", slot);
	event_base_dispatch(worker.base);
	worker_free();
	exit(0);
}
