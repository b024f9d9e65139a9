/* Broadcast delivery in bounded slices per loop turn (see bcast_fanout.h). */
#include "autoconf.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "bcast/bcast_fanout.h"
#include "core/buf.h"
#include "core/config.h"
#include "ws/conn.h"
#include "core/stats.h"
#include "core/util.h"

/* One broadcast waiting, or being delivered (the first). */
struct fanout_job {
	TAILQ_ENTRY(fanout_job)	 q;
	struct hl_buf		*frame;
	uint64_t		 pub_ns;
	size_t			 tlen;
	char			 topic[];
};

TAILQ_HEAD(fanout_jobs, fanout_job);

static struct {
	struct fanout_jobs	 jobs;
	size_t			 bytes;		/* frames queued */
	size_t			 max_bytes;	/* broadcast_outbox_bytes */
	size_t			 slice;		/* connections per turn */
	struct event		*turn;		/* the next slice */
	/* The first job's subscribers (a reference each), and the next one. */
	struct conn		**targets;
	size_t			 ntargets, next, cap;
	int			 started;
	int			 ready;
} fo;

static void	fanout_turn_cb(evutil_socket_t fd, short what, void *arg);

void
bcast_fanout_init(const struct config *cf, struct event_base *base)
{
	TAILQ_INIT(&fo.jobs);
	fo.max_bytes = cf->broadcast_outbox_bytes;
	fo.slice = (size_t)cf->broadcast_fanout_slice;
	fo.turn = evtimer_new(base, fanout_turn_cb, NULL);
	fo.ready = 1;
}

/* Lag of the last subscriber of one message, into the histogram. */
static void
fanout_observe_lag(uint64_t pub_ns)
{
	static const uint64_t le_us[10] = {
		100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000,
	};
	struct timespec ts;
	uint64_t now, lag;
	int i;

	if (stats_slot == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	lag = now > pub_ns ? now - pub_ns : 0;
	for (i = 0; i < 10; i++) {
		if (lag <= le_us[i] * 1000) {
			STATS_ADD(bcast_lag[i], 1);
			break;
		}
	}
	STATS_ADD(bcast_lag_count, 1);
	STATS_ADD(bcast_lag_sum_ns, lag);
}

static void
fanout_gauge(void)
{
	if (stats_slot != NULL)
		shm_write(&stats_slot->bcast.backlog_bytes, fo.bytes);
}

/* Let go of the first job's remaining subscribers. */
static void
fanout_release_targets(void)
{
	while (fo.next < fo.ntargets)
		conn_unref(fo.targets[fo.next++]);
	fo.ntargets = fo.next = 0;
	fo.started = 0;
}

static void
fanout_job_done(struct fanout_job *j, int delivered)
{
	TAILQ_REMOVE(&fo.jobs, j, q);
	fo.bytes -= j->frame->size;
	if (delivered)
		fanout_observe_lag(j->pub_ns);
	hl_buf_unref(j->frame);
	free(j);
	fanout_release_targets();
}

static void
fanout_schedule(void)
{
	static const struct timeval now = { 0, 0 };

	/* A timer, not event_active: libevent runs an event activated from
	 * a callback in the same pass, before it polls the sockets again. */
	if (!evtimer_pending(fo.turn, NULL))
		evtimer_add(fo.turn, &now);
}

int
bcast_fanout_full(void)
{
	return fo.bytes >= fo.max_bytes;
}

int
bcast_fanout_queue(const char *topic, size_t len, struct hl_buf *frame,
    uint64_t pub_ns)
{
	struct fanout_job *j;

	if (!fo.ready || bcast_fanout_full())
		return -1;
	j = xmalloc(sizeof *j + len);
	j->frame = hl_buf_ref(frame);
	j->pub_ns = pub_ns;
	j->tlen = len;
	memcpy(j->topic, topic, len);
	TAILQ_INSERT_TAIL(&fo.jobs, j, q);
	fo.bytes += frame->size;
	fanout_gauge();
	fanout_schedule();
	return 0;
}

/* Deliver the first job to at most budget subscribers; returns what is
 * left of the budget (a job costs at least one, so a queue of jobs for
 * nobody is bounded too). */
static size_t
fanout_step(struct fanout_job *j, size_t budget)
{
	size_t sent = 0;

	if (!fo.started) {
		fo.ntargets = bcast_conn_collect(j->topic, j->tlen, &fo.targets,
		    &fo.cap);
		fo.next = 0;
		fo.started = 1;
		budget--;
	}
	while (budget > 0 && fo.next < fo.ntargets) {
		sent += (size_t)bcast_conn_send(fo.targets[fo.next], j->frame);
		conn_unref(fo.targets[fo.next++]);
		budget--;
	}
	STATS_ADD(bcast_delivered, sent);
	STATS_ADD(messages_out, sent);
	if (fo.next == fo.ntargets)
		fanout_job_done(j, 1);
	return budget;
}

static void
fanout_turn_cb(evutil_socket_t fd, short what, void *arg)
{
	size_t budget = fo.slice;
	struct fanout_job *j;

	conn_flush();	/* what the batch holds goes first */
	while (budget > 0 && (j = TAILQ_FIRST(&fo.jobs)) != NULL)
		budget = fanout_step(j, budget);
	if (stats_slot != NULL)
		shm_add(&stats_slot->bcast.slices, 1);
	fanout_gauge();
	if (!TAILQ_EMPTY(&fo.jobs))
		fanout_schedule();
	if (!bcast_fanout_full())
		bcast_resume();
}

void
bcast_fanout_free(void)
{
	struct fanout_job *j;

	if (!fo.ready)
		return;
	fanout_release_targets();
	while ((j = TAILQ_FIRST(&fo.jobs)) != NULL)
		fanout_job_done(j, 0);
	free(fo.targets);
	fo.targets = NULL;
	fo.cap = 0;
	event_free(fo.turn);
	fo.turn = NULL;
	fo.ready = 0;
}
