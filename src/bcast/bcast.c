/*
 * Broadcast transport (see bcast.h): the shared region, publishing,
 * wake-ups and reading other publishers' outboxes. Delivery to sockets and
 * the topic registry live in bcast_conn.c, the fan-out in bcast_fanout.c,
 * Redis in bcast_remote.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <hotline/module.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "bcast/bcast_fanout.h"
#include "bcast/bcast_remote.h"
#include "bcast/bcast_ring.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/shm.h"
#include "app/envelope.h"
#include "core/stats.h"
#include "core/util.h"
#include "ws/ws_frame.h"

#define BCAST_MAGIC		0x5453414f44414f42ULL	/* "BOADOAST" */
#define BCAST_SCRATCH		4096	/* envelopes start on the stack */
#define BCAST_TOPIC_MAX		1024	/* broadcast_max_topic_bytes bound */

/* The head of the shared region; outboxes follow at outbox_offset. */
struct bcast_shared {
	uint64_t	magic;
	uint32_t	nslots;		/* worker slots; nslots: master */
	uint32_t	reserved0;
	uint64_t	outbox_offset;
	uint64_t	outbox_size;	/* one ring region */
	uint64_t	next_id;	/* message ids, every publisher */
	uint64_t	master_published; /* the master's own counters */
	uint64_t	master_too_big;
	uint64_t	master_redis_drops;
	char		instance[24];
	uint32_t	wake[];		/* per slot: a wake-up is pending */
};

/* What a record carries before the topic and the frame. */
struct bcast_meta {
	uint64_t	pub_ns;		/* CLOCK_REALTIME at publish */
	uint32_t	topic_len;
	uint32_t	frame_len;
};

static struct {
	struct bcast_shared	*sh;
	const struct shm	*shm;
	int			*efds;		/* per slot, by the master */
	uint32_t		 nslots;
	uint32_t		 self;		/* own outbox: slot or nslots */
	int			 is_master;
	int			 is_worker;
	int			 held_back;	/* the fan-out was full */
	struct event		*wake_ev;
	struct bcast_cursor	*cursors;	/* per outbox */
	int32_t			 pkg_id;
	size_t			 max_bytes;
	size_t			 max_topic;
	/* The record being read, filled by bcast_peek. */
	uint64_t		 rx_pub_ns;
	uint32_t		 rx_topic_len;
	char			 rx_topic[BCAST_TOPIC_MAX + 1];
} bc;

/* Count in the worker's slot, or in the region for the master (which has
 * no slot); both single-writer. */
#define BSTAT(wfield, mfield, n) do {					\
	if (bc.is_master)						\
		shm_add(&bc.sh->mfield, (n));				\
	else								\
		STATS_ADD(wfield, (n));					\
} while (0)
/* A drop: also in the worker's broadcast_errors total. */
#define BDROP(wfield, mfield, n) do {					\
	BSTAT(wfield, mfield, n);					\
	STATS_ADD(broadcast_errors, (n));				\
} while (0)

static uint64_t
bcast_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static size_t
bcast_pow2(size_t n)
{
	size_t p = 256;

	while (p < n)
		p <<= 1;
	return p;
}

static size_t
bcast_head_size(uint32_t nslots)
{
	return (sizeof(struct bcast_shared) + nslots * sizeof(uint32_t) + 63) &
	    ~(size_t)63;
}

size_t
bcast_region_bytes(const struct config *cf, uint32_t nslots)
{
	size_t ring = bcast_ring_size(bcast_pow2(cf->broadcast_outbox_bytes));

	return bcast_head_size(nslots) + (nslots + 1) * ((ring + 63) & ~63UL);
}

static struct bcast_ring *
bcast_outbox(uint32_t i)
{
	return (struct bcast_ring *)(void *)((char *)bc.sh +
	    bc.sh->outbox_offset + i * bc.sh->outbox_size);
}

void
bcast_master_counters(uint64_t *published, uint64_t *too_big,
    uint64_t *redis_drops)
{
	*published = bc.sh != NULL ? shm_read(&bc.sh->master_published) : 0;
	*too_big = bc.sh != NULL ? shm_read(&bc.sh->master_too_big) : 0;
	*redis_drops = bc.sh != NULL ? shm_read(&bc.sh->master_redis_drops) : 0;
}

const char *
bcast_instance(void)
{
	return bc.sh != NULL ? bc.sh->instance : "";
}

static void
bcast_config(const struct config *cf)
{
	bc.pkg_id = cf->broadcast_pkg_id;
	bc.max_bytes = cf->broadcast_max_bytes;
	bc.max_topic = (size_t)cf->broadcast_max_topic_bytes;
}

/* Twelve random hex digits: unique enough to tell instances apart. */
static void
bcast_pick_instance(char *out, size_t size)
{
	uint8_t r[6];
	size_t i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		uint64_t x = bcast_now_ns() ^ (uint64_t)getpid() << 32;
		memcpy(r, &x, sizeof r);
	}
	for (i = 0; i < sizeof r && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

int
bcast_config_check(const struct config *cf, char *err, size_t errsize)
{
	return bcast_remote_check(cf, err, errsize);
}

int
bcast_master_init(struct shm *shm, const struct config *cf,
    struct event_base *base, char *err, size_t errsize)
{
	uint32_t nslots = shm->hdr->nslots, i;
	size_t cap = bcast_pow2(cf->broadcast_outbox_bytes);

	bc.shm = shm;
	bc.sh = shm_bcast_region(shm);
	bc.nslots = nslots;
	bc.self = nslots;
	bc.is_master = 1;
	bcast_config(cf);
	bc.sh->magic = BCAST_MAGIC;
	bc.sh->nslots = nslots;
	bc.sh->outbox_offset = bcast_head_size(nslots);
	bc.sh->outbox_size = (bcast_ring_size(cap) + 63) & ~63UL;
	bcast_pick_instance(bc.sh->instance, sizeof bc.sh->instance);
	for (i = 0; i <= nslots; i++)
		bcast_ring_init(bcast_outbox(i), cap);
	bc.efds = xcalloc(nslots, sizeof *bc.efds);
	for (i = 0; i < nslots; i++) {
		bc.efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (bc.efds[i] == -1) {
			snprintf(err, errsize, "eventfd: %s", strerror(errno));
			return -1;
		}
	}
	return bcast_remote_master_init(cf, base, bc.sh->instance, err,
	    errsize);
}

void
bcast_master_free(void)
{
	uint32_t i;

	if (!bc.is_master)
		return;
	bcast_remote_master_free();
	for (i = 0; bc.efds != NULL && i < bc.nslots; i++)
		if (bc.efds[i] >= 0)
			close(bc.efds[i]);
	free(bc.efds);
	bc.efds = NULL;
	bc.sh = NULL;
}

int
bcast_keep_fds(int *keep, int max)
{
	int i, n = 0;

	for (i = 0; bc.efds != NULL && i < (int)bc.nslots && n < max; i++)
		keep[n++] = bc.efds[i];
	return n;
}

const char *
bcast_topic_check(const char *topic, size_t len)
{
	size_t i;

	if (len == 0)
		return "topic must not be empty";
	if (len > bc.max_topic || len > BCAST_TOPIC_MAX)
		return "topic is too long";
	for (i = 0; i < len; i++) {
		if ((uint8_t)topic[i] < 0x20 || topic[i] == 0x7f)
			return "topic must not contain control characters";
	}
	return NULL;
}

/* Wake every other live worker; returns how many there are. */
static int
bcast_wake_others(void)
{
	const uint64_t one = 1;
	uint32_t i, state;
	int n = 0;

	for (i = 0; i < bc.nslots; i++) {
		state = __atomic_load_n(&shm_slot(bc.shm, i)->state,
		    __ATOMIC_ACQUIRE);
		if (i == bc.self || state == SLOT_FREE)
			continue;
		n++;
		/* Pairs with the reader's clear-then-read in bcast_wake_cb. */
		if (__atomic_exchange_n(&bc.sh->wake[i], 1,
		    __ATOMIC_SEQ_CST) == 0 &&
		    write(bc.efds[i], &one, sizeof one) == -1 &&
		    errno != EAGAIN)
			log_debug("broadcast: wake worker slot %u: %s", i,
			    strerror(errno));
	}
	return n;
}

/* Serialize the envelope with room for the frame header in front. */
static int
bcast_serialize(struct envelope_buf *b, const json_t *data, char *id)
{
	char token[BCAST_ID_MAX + 2];
	uint64_t n = __atomic_fetch_add(&bc.sh->next_id, 1, __ATOMIC_RELAXED);
	struct envelope_ids ids;

	snprintf(id, BCAST_ID_MAX, "b-%s-%" PRIu64, bc.sh->instance, n + 1);
	snprintf(token, sizeof token, "\"%s\"", id);
	ids = (struct envelope_ids){ bc.pkg_id, true,
	    { token, strlen(token) } };
	return envelope_broadcast_json(b, &ids, data);
}

static int
bcast_refuse(const char **why, const char *reason)
{
	*why = reason;
	BDROP(bcast_drop_too_big, master_too_big, 1);
	return -1;
}

static void	bcast_drain(void);

int
bcast_publish(const char *topic, size_t tlen, const json_t *data, char *id,
    const char **why)
{
	char scratch[BCAST_SCRATCH], a[sizeof(struct bcast_meta) +
	    BCAST_TOPIC_MAX];
	struct bcast_meta meta;
	struct envelope_buf b;
	uint8_t *frame, hdr[WS_SERVER_HEADER_MAX];
	size_t hlen;
	int n;

	*id = '\0';
	if (bc.sh == NULL || (!bc.is_master && !bc.is_worker))
		return (*why = "broadcast is only available in a worker"), -1;
	if ((*why = bcast_topic_check(topic, tlen)) != NULL)
		return -1;
	envelope_buf_init(&b, scratch, sizeof scratch, WS_SERVER_HEADER_MAX);
	if (bcast_serialize(&b, data, id) == -1) {
		envelope_buf_free(&b);
		return bcast_refuse(why, "data cannot be serialized");
	}
	if (b.len > bc.max_bytes ||
	    b.len + WS_SERVER_HEADER_MAX + sizeof a >
	    bcast_ring_max_record(bcast_outbox(bc.self))) {
		envelope_buf_free(&b);
		return bcast_refuse(why, "message is larger than "
		    "broadcast_max_bytes");
	}
	/* The frame header goes in the room kept before the text. */
	hlen = ws_frame_header(hdr, WS_OP_TEXT, 1, b.len);
	frame = (uint8_t *)envelope_buf_text(&b) - hlen;
	memcpy(frame, hdr, hlen);
	meta = (struct bcast_meta){ bcast_now_ns(), (uint32_t)tlen,
	    (uint32_t)(hlen + b.len) };
	memcpy(a, &meta, sizeof meta);
	memcpy(a + sizeof meta, topic, tlen);
	bcast_ring_put(bcast_outbox(bc.self), a, sizeof meta + tlen, frame,
	    meta.frame_len);
	n = bcast_wake_others();
	BSTAT(bcast_published, master_published, 1);
	/* This worker's own subscribers read its outbox like the others do,
	 * so its fan-out is paced and bounded the same way. */
	if (bc.is_worker)
		bcast_drain();
	if (bcast_remote_publish(topic, tlen, envelope_buf_text(&b), b.len,
	    meta.pub_ns) == -1)
		BDROP(bcast_drop_redis, master_redis_drops, 1);
	envelope_buf_free(&b);
	return n;
}

int
hl_broadcast(const char *topic, json_t *data)
{
	char id[BCAST_ID_MAX];
	const char *why;
	int rc = -1;

	if (topic != NULL && bc.is_worker)
		rc = bcast_publish(topic, strlen(topic), data, id, &why);
	if (data != NULL)
		json_decref(data);
	return rc < 0 ? -1 : 0;
}

/* --- reading other publishers --------------------------------------------- */

/* Copy a record's topic; copy its frame only when someone here wants it. */
static void *
bcast_peek(const uint8_t *p, uint32_t len, void *arg)
{
	struct bcast_meta meta;
	struct hl_buf *b;

	if (len < sizeof meta)
		return NULL;
	memcpy(&meta, p, sizeof meta);
	if (meta.topic_len > BCAST_TOPIC_MAX || meta.frame_len == 0 ||
	    (uint64_t)sizeof meta + meta.topic_len + meta.frame_len != len)
		return NULL;
	memcpy(bc.rx_topic, p + sizeof meta, meta.topic_len);
	bc.rx_topic_len = meta.topic_len;
	bc.rx_pub_ns = meta.pub_ns;
	if (!bcast_conn_interested(bc.rx_topic, meta.topic_len))
		return NULL;
	b = hl_buf_new(meta.frame_len);
	memcpy(b->data, p + sizeof meta + meta.topic_len, meta.frame_len);
	return b;
}

static void
bcast_drop(void *handle, void *arg)
{
	hl_buf_unref(handle);
}

/* Everything published since the last look, publisher by publisher, as
 * far as the fan-out has room: what it cannot take yet stays in the
 * outboxes until bcast_resume. */
static void
bcast_drain(void)
{
	struct bcast_record rec;
	uint64_t lost = 0, got = 0;
	uint32_t i;
	void *b;

	for (i = 0; i <= bc.nslots; i++) {
		while (!(bc.held_back = bcast_fanout_full()) &&
		    bcast_ring_get(bcast_outbox(i), &bc.cursors[i], bcast_peek,
		    bcast_drop, NULL, &rec, &b, &lost) == 1) {
			got += i != bc.self;
			if (b == NULL)
				continue;
			bcast_fanout_queue(bc.rx_topic, bc.rx_topic_len, b,
			    bc.rx_pub_ns);
			hl_buf_unref(b);
		}
	}
	STATS_ADD(bcast_received, got);
	if (lost > 0) {
		STATS_ADD(bcast_drop_lapped, lost);
		STATS_ADD(broadcast_errors, lost);
	}
}

void
bcast_resume(void)
{
	if (bc.is_worker && bc.held_back)
		bcast_drain();
}

static void
bcast_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t n;

	while (read(fd, &n, sizeof n) > 0)
		;
	__atomic_store_n(&bc.sh->wake[bc.self], 0, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bcast_drain();
}

void
bcast_worker_init(const struct config *cf, int slot, struct event_base *base)
{
	uint32_t i;

	bc.is_master = 0;
	bc.is_worker = 1;
	bc.self = (uint32_t)slot;
	bcast_config(cf);
	bcast_conn_init(cf);
	bcast_fanout_init(cf, base);
	bc.cursors = xcalloc(bc.nslots + 1, sizeof *bc.cursors);
	for (i = 0; i <= bc.nslots; i++)
		bcast_ring_attach(bcast_outbox(i), &bc.cursors[i]);
	/* A flag left set by a worker that died here would mute wake-ups. */
	__atomic_store_n(&bc.sh->wake[slot], 0, __ATOMIC_SEQ_CST);
	bc.wake_ev = event_new(base, bc.efds[slot], EV_READ | EV_PERSIST,
	    bcast_wake_cb, NULL);
	event_add(bc.wake_ev, NULL);
	bcast_remote_worker_init(cf, base);
}

void
bcast_worker_tick(void)
{
	if (bc.is_worker)
		bcast_drain();
}

void
bcast_worker_free(void)
{
	if (!bc.is_worker)
		return;
	bcast_remote_worker_free();
	if (bc.wake_ev != NULL)
		event_free(bc.wake_ev);
	bc.wake_ev = NULL;
	bcast_fanout_free();
	free(bc.cursors);
	bc.cursors = NULL;
	bcast_conn_free();
	bc.is_worker = 0;
}
