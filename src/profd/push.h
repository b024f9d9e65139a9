/*
 * Pushing each window's pprof profiles to a Grafana Pyroscope server
 * (profiling_push_url), from the master's loop, asynchronously: one request
 * at a time with a timeout, bounded retries with backoff, a bounded queue,
 * one log line when the server goes away and one when it is back. The
 * reporter thread builds the profiles; nothing here blocks it or a worker.
 */
#ifndef HL_PUSH_H
#define HL_PUSH_H

#include <stddef.h>
#include <stdint.h>

struct prof_host;

#define PUSH_QUEUE_MAX	8	/* profiles waiting; more are dropped */
#define PUSH_RETRIES	3	/* after the first try: 1 s, 2 s, 4 s */
#define PUSH_TIMEOUT_S	5	/* connect, send and answer, each */

/* One profile to push; the queue owns it. */
struct push_item {
	unsigned char		*body;		/* gzip'ed profile.proto */
	size_t			 len;
	int64_t			 from, until;	/* epoch seconds */
	int			 sample_rate;	/* Hz */
	int			 attempts;
	struct push_item	*next;
};

/* Start on h's loop (h is kept); a reload's new URL and labels apply to
 * the next request. */
void	 push_start(struct prof_host *h);
/* Queue it (taken over: freed when pushed, failed or dropped). */
void	 push_submit(struct push_item *it);
void	 push_item_free(struct push_item *it);
/* Drop what is queued and any request in flight. */
void	 push_stop(void);
/* Profiles pushed, given up after the retries, dropped on a full queue. */
void	 push_totals(uint64_t *ok, uint64_t *failed, uint64_t *dropped);

#endif
