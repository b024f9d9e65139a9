/*
 * The worker cycle: after fork, its own event base, its slot's listening
 * socket, the connection layer, module worker_init, a heartbeat; then the
 * loop until a stop. SIGTERM stops at once; SIGQUIT drains: no new
 * connections, and after the drain timeout the master wrote in the slot
 * (shutdown_timeout on a stop, reload_drain_timeout on a reload, unbounded
 * for 0) the rest get a close 1001.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "ws/conn.h"
#include "app/handlers.h"
#include "cycle/master.h"
#include "app/module.h"
#include "prof/prof.h"
#include "core/proc.h"
#include "core/proctitle.h"
#include "core/stats.h"
#include "core/util.h"
#include "cycle/worker.h"

#define WORKER_TICK_MS		500
#define WORKER_LAST_CLOSE_S	1	/* after the 1001s, before exiting */
#define WORKER_MAX_LIST		64	/* origins, subprotocols */
#define WORKER_ACCEPT_PAUSE_MS	100	/* after EMFILE and the like */

struct worker {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct shm_slot		*slot;
	struct event		*sig_event;
	struct event		*tick;
	struct event		*drain_timer;
	struct event		*accept_pause;
	int			 sigfd;
	int			 listen_fd;
	int			 draining;
	int			 closing_all;
	/* monotonic ms; 0: none */
	uint64_t		 drain_deadline;
	char			*lists;		/* storage of the split lists */
	const char		*origins[WORKER_MAX_LIST];
	const char		*protocols[WORKER_MAX_LIST];
};

static struct worker	 worker;

static void
worker_stop(void)
{
	event_base_loopbreak(worker.base);
}

static void
worker_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	conn_accept(fd);
}

static void
worker_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	if (worker.listener != NULL)
		evconnlistener_enable(worker.listener);
}

/* EMFILE and friends: the pending connection stays queued and the listen
 * socket stays readable, so retrying at once would spin. Pause accepting
 * for a moment (as nginx does) and say so at most once a second. */
static void
worker_accept_error_cb(struct evconnlistener *l, void *arg)
{
	static uint64_t last_log;
	struct timeval pause = { 0, WORKER_ACCEPT_PAUSE_MS * 1000 };
	uint64_t now = hl_now_ms();

	STATS_ADD(errors, 1);
	if (now - last_log >= 1000) {
		log_warn("accept: %s; pausing accepts for %d ms",
		    strerror(errno), WORKER_ACCEPT_PAUSE_MS);
		last_log = now;
	}
	evconnlistener_disable(l);
	evtimer_add(worker.accept_pause, &pause);
}

static void
worker_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval last = { WORKER_LAST_CLOSE_S, 0 };

	if (worker.closing_all) {
		worker_stop();
		return;
	}
	log_notice("drain timeout passed; closing %zu connections",
	    conn_count());
	worker.closing_all = 1;
	conn_close_all(1001, "server shutting down");
	evtimer_add(worker.drain_timer, &last);
}

/* Close every connection secs from now, unless an earlier deadline is set:
 * a later SIGQUIT may bring it forward, never back (the master's kill
 * deadline moves the same way). */
static void
worker_drain_arm(uint32_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };
	uint64_t deadline = hl_now_ms() + (uint64_t)secs * 1000;

	if (worker.closing_all || secs == SHM_DRAIN_UNBOUNDED ||
	    (worker.drain_deadline != 0 && deadline >= worker.drain_deadline))
		return;
	worker.drain_deadline = deadline;
	evtimer_del(worker.drain_timer);
	evtimer_add(worker.drain_timer, &tv);
}

/* Graceful stop or reload: no new connections; exit when the last one
 * closes, or close them all when the drain timeout the master wrote into
 * the slot passes. */
static void
worker_drain(void)
{
	uint32_t secs = __atomic_load_n(&worker.slot->drain_timeout,
	    __ATOMIC_ACQUIRE);

	if (!worker.draining) {
		worker.draining = 1;
		__atomic_store_n(&worker.slot->state, SLOT_DRAINING,
		    __ATOMIC_RELEASE);
		proctitle_set("hotlined: worker %d gen %llu draining",
		    worker.slot->index,
		    (unsigned long long)worker.slot->epoch);
		evconnlistener_free(worker.listener);	/* closes the fd */
		worker.listener = NULL;
		worker.drain_timer = evtimer_new(worker.base,
		    worker_drain_timeout_cb, NULL);
	}
	worker_drain_arm(secs);
	log_info("draining %zu connections (%s)", conn_count(),
	    secs == SHM_DRAIN_UNBOUNDED ? "until they close" :
	    secs == 0 ? "closing them now" : "with a deadline");
	if (conn_count() == 0)
		worker_stop();
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
			worker_stop();
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
worker_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	shm_write(&worker.slot->heartbeat, hl_now_ms());
	prof_worker_tick();
	bcast_worker_tick();
	conn_sweep();
	if (worker.draining && conn_count() == 0)
		worker_stop();
}

/* Split a comma-separated config value into out (pointers into storage). */
static size_t
worker_split(char *text, const char **out)
{
	size_t n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(text, ", \t", &save); tok != NULL &&
	    n < WORKER_MAX_LIST; tok = strtok_r(NULL, ", \t", &save))
		out[n++] = tok;
	return n;
}

static void
worker_limits(const struct config *cf, struct conn_limits *lim)
{
	size_t olen = strlen(cf->ws_origins);

	worker.lists = xmalloc(olen + strlen(cf->ws_subprotocols) + 2);
	memcpy(worker.lists, cf->ws_origins, olen + 1);
	strcpy(worker.lists + olen + 1, cf->ws_subprotocols);
	*lim = (struct conn_limits){
		.max_header_bytes = cf->ws_max_header_bytes,
		.max_headers = (unsigned)cf->ws_max_headers,
		.max_message_bytes = cf->ws_max_message_bytes,
		.send_queue_bytes = cf->ws_send_queue_bytes,
		.worker_input_bytes = cf->ws_worker_input_bytes,
		.worker_output_bytes = cf->ws_worker_output_bytes,
		.max_deferred = (uint32_t)cf->ws_max_deferred,
		.worker_deferred = (uint32_t)cf->ws_worker_deferred,
		.handshake_timeout_ms =
		    (uint64_t)cf->ws_handshake_timeout * 1000,
		.idle_timeout_ms = (uint64_t)cf->ws_idle_timeout * 1000,
		.ping_interval_ms = (uint64_t)cf->ws_ping_interval * 1000,
		.path = cf->ws_path,
		.echo = cf->ws_echo,
		.origins = worker.origins,
		.protocols = worker.protocols,
	};
	lim->norigins = worker_split(worker.lists, worker.origins);
	lim->nprotocols = worker_split(worker.lists + olen + 1,
	    worker.protocols);
}

static void
worker_setup_events(const struct config *cf)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1 };
	struct timeval tick = { 0, WORKER_TICK_MS * 1000 };
	struct conn_limits lim;

	struct event_config *ec = event_config_new();

	/* Timers on the monotonic clock, not its coarse variant: the delay
	 * handler and module timers fire on time, not up to a tick early. */
	if (ec == NULL ||
	    event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    (worker.base = event_base_new_with_config(ec)) == NULL)
		fatalx("cannot create the worker's event base");
	event_config_free(ec);
	worker_limits(cf, &lim);
	conn_server_init(worker.base, &lim);
	/* auth first: its closed hook runs last, after broadcast's */
	if (auth_conn_install() == -1 || bcast_conn_install() == -1)
		fatalx("cannot install the connection hooks");
	worker.listener = evconnlistener_new(worker.base, worker_accept_cb,
	    NULL, LEV_OPT_CLOSE_ON_FREE, -1, worker.listen_fd);
	if (worker.listener == NULL)
		fatalx("cannot listen");
	evconnlistener_set_error_cb(worker.listener, worker_accept_error_cb);
	worker.accept_pause = evtimer_new(worker.base, worker_accept_resume_cb,
	    NULL);
	worker.tick = event_new(worker.base, -1, EV_PERSIST, worker_tick_cb,
	    NULL);
	evtimer_add(worker.tick, &tick);
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
	prof_worker_free();
	module_worker_fini();
	conn_server_free();
	auth_worker_free();
	bcast_worker_free();
	handlers_release();
	if (worker.listener != NULL)
		evconnlistener_free(worker.listener);
	if (worker.drain_timer != NULL)
		event_free(worker.drain_timer);
	event_free(worker.accept_pause);
	event_free(worker.tick);
	event_free(worker.sig_event);
	close(worker.sigfd);
	event_base_free(worker.base);
	free(worker.lists);
}

void
worker_main(struct master *m, int slot, int index)
{
	char role[32], err[512];

	snprintf(role, sizeof role, "worker %d", index);
	log_set_role(role);
	log_after_fork();
	proctitle_set("hotlined: worker %d gen %llu", index,
	    (unsigned long long)m->sup.epoch);
	prof_worker_preinit(&m->cf);
	proc_child_setup(m->shm.hdr->master_pid, m->worker_uid, m->worker_gid);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid() ^ (unsigned)hl_now_ms());
	worker.slot = stats_slot = shm_slot(&m->shm, (uint32_t)slot);
	worker.listen_fd = m->listener.fds[index];
	__atomic_store_n(&worker.slot->pid, getpid(), __ATOMIC_RELAXED);
	worker_setup_events(&m->cf);
	bcast_worker_init(&m->cf, slot, worker.base);
	auth_worker_init(slot, worker.base);
	if (module_worker_init(worker.base, index, err, sizeof err) == -1)
		fatalx("%s", err);
	if (prof_worker_init(&m->cf, &m->shm, slot) == -1)
		log_warn("profiler: cannot start the sampler: %s",
		    strerror(errno));
	__atomic_store_n(&worker.slot->state, SLOT_RUNNING, __ATOMIC_RELEASE);
	log_debug("serving (slot %d)", slot);
	event_base_dispatch(worker.base);
	worker_free();
	exit(0);
}
