/*
 * Built-in handlers. The demonstration workloads keep their hot work in
 * small, separate functions on known lines, so accuracy tests can compare
 * the profiler's per-line figures with the split they asked for.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <hotline/module.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <time.h>

#include "core/config.h"
#include "app/handlers.h"
#include "core/log_limit.h"
#include "core/stats.h"
#include "core/util.h"

/* glibc's in-use chunk: the usable bytes plus one size word of header, at
 * least 32 bytes, in steps of 16. */
#define CHUNK_HEADER	sizeof(size_t)
#define CHUNK_MIN	32u
#define CHUNK_ALIGN	16u

/* Blocks kept by the alloc handler ("keep": true), a leak on purpose.
 * They are counted by what they cost the allocator, not by the bytes asked
 * for: 10,000 one-byte blocks take 320,000 bytes of heap, not 10,000. */
struct kept_block {
	struct kept_block	*next;
	size_t			 size;
};
static struct kept_block	*kept;
static size_t			 kept_bytes;	/* asked for */
static size_t			 kept_cost;	/* what the heap gave */
static size_t			 keep_max;	/* alloc_keep_bytes */

static json_int_t
data_int(struct hl_request *req, const char *key, json_int_t def)
{
	json_t *v = json_object_get(hl_request_data(req), key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* echo: the data bytes back, verbatim, never parsed. */
static void
handle_echo(struct hl_request *req, void *arg)
{
	size_t len;
	const char *data = hl_request_data_raw(req, &len);

	hl_reply_raw(req, HL_STATUS_OK, data != NULL ? data : "{}",
	    data != NULL ? len : 2);
}

static void
handle_time(struct hl_request *req, void *arg)
{
	struct timespec ts;
	char iso[32];
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:f, s:s}", "time",
	    (double)ts.tv_sec + ts.tv_nsec / 1e9, "iso", iso));
}

/* Two loops of identical work per iteration, on separate lines, so a
 * request {"a": 3n, "b": n} spends three quarters of its time in work_a.
 * noipa: gcc would otherwise fold the identical functions into one;
 * aligned: both loops get the same layout, so the same speed (a loop
 * branch straddling a 32-byte boundary runs slower on some CPUs). */
static __attribute__((noinline, noipa, aligned(64))) uint64_t
work_a(uint64_t n, uint64_t x)
{
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

static __attribute__((noinline, noipa, aligned(64))) uint64_t
work_b(uint64_t n, uint64_t x)
{
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

/* n tiny system calls: time the kernel spends, for the system column. */
static __attribute__((noinline, noipa)) uint64_t
work_sys(uint64_t n)
{
	uint64_t x = 0;

	for (uint64_t i = 0; i < n; i++)
		x += (uint64_t)syscall(SYS_getppid);
	return x;
}

static void
handle_work(struct hl_request *req, void *arg)
{
	json_int_t a = data_int(req, "a", data_int(req, "iterations", 0));
	json_int_t b = data_int(req, "b", 0);
	json_int_t sys = data_int(req, "syscalls", 0);
	uint64_t x = work_a((uint64_t)a, 1);

	x = work_b((uint64_t)b, x);
	x += work_sys((uint64_t)sys);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:I, s:I, s:I, s:I}", "a", a,
	    "b", b, "syscalls", sys, "result", (json_int_t)(x >> 1)));
}

/* Build a document of n items in jansson and serialize it. */
static void
handle_json(struct hl_request *req, void *arg)
{
	json_int_t n = data_int(req, "items", 100), i;
	json_t *doc = json_array();
	size_t len;
	char *text;

	for (i = 0; i < n; i++)
		json_array_append_new(doc, json_pack("{s:I, s:s, s:f, s:b}",
		    "id", i, "name", "item", "score", i * 0.5, "ok", i & 1));
	text = json_dumps(doc, JSON_COMPACT);
	len = text != NULL ? strlen(text) : 0;
	free(text);
	json_decref(doc);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:I, s:I}", "items", n,
	    "bytes", (json_int_t)len));
}

/* SHA-256 over a buffer of the requested size, rounds times. */
static void
handle_hash(struct hl_request *req, void *arg)
{
	json_int_t size = data_int(req, "bytes", 4096);
	json_int_t rounds = data_int(req, "rounds", 1), r;
	unsigned char md[EVP_MAX_MD_SIZE], *buf;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen = 0, i;

	buf = xmalloc((size_t)size);
	memset(buf, 'h', (size_t)size);
	for (r = 0; r < rounds; r++)
		EVP_Digest(buf, (size_t)size, md, &mdlen, EVP_sha256(), NULL);
	free(buf);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:s, s:I}", "sha256", hex,
	    "rounds", rounds));
}

/* What a block of size bytes will cost the heap, before it is asked for. */
static size_t
alloc_chunk_estimate(size_t size)
{
	size_t chunk = (size + CHUNK_HEADER + CHUNK_ALIGN - 1) &
	    ~(size_t)(CHUNK_ALIGN - 1);

	return HL_MAX(chunk, CHUNK_MIN);
}

/* What block b costs, as the allocator says (under ASan, its own figure). */
static size_t
alloc_chunk_cost(void *b)
{
	return malloc_usable_size(b) + CHUNK_HEADER;
}

/* Refuse a keep whose blocks would take the kept cost past the bound. */
static int
alloc_keep_refused(struct hl_request *req, size_t size, size_t count)
{
	static struct log_limit limit;
	size_t need = alloc_chunk_estimate(size + sizeof(struct kept_block));
	uint64_t held_back;
	char msg[160];

	if (kept_cost + need * count <= keep_max)
		return 0;
	snprintf(msg, sizeof msg, "alloc: keep limit reached (%zu of %zu "
	    "bytes kept, allocator overhead included; %zu more asked)",
	    kept_cost, keep_max, need * count);
	STATS_LIMIT_ADD(alloc_keep_refused, 1);
	if (log_limit_ok(&limit, &held_back))
		hl_log(HL_LOG_NOTICE, "%s; %llu more like it held back", msg,
		    (unsigned long long)held_back);
	hl_reply_error(req, HL_STATUS_ERROR, msg);
	return 1;
}

static void
alloc_keep(struct kept_block *b)
{
	b->next = kept;
	kept = b;
	kept_bytes += b->size;
	kept_cost += alloc_chunk_cost(b);
}

/* Allocate count blocks of bytes, touch them, free them or keep them. */
static void
handle_alloc(struct hl_request *req, void *arg)
{
	json_int_t size = data_int(req, "bytes", 1024);
	json_int_t count = data_int(req, "count", 1), i;
	int keep = json_is_true(json_object_get(hl_request_data(req), "keep"));
	struct kept_block *b;

	if (json_is_true(json_object_get(hl_request_data(req), "release")))
		handlers_release();
	if (keep && alloc_keep_refused(req, (size_t)size, (size_t)count))
		return;
	for (i = 0; i < count; i++) {
		b = xmalloc((size_t)size + sizeof *b);
		memset(b + 1, (int)i, (size_t)size);
		b->size = (size_t)size;
		if (keep)
			alloc_keep(b);
		else
			free(b);
	}
	STATS_LIMIT_SET(alloc_kept, kept_cost);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:I, s:I, s:I}", "allocated",
	    size * count, "kept_bytes", (json_int_t)kept_bytes, "kept_cost",
	    (json_int_t)kept_cost));
}

void
handlers_release(void)
{
	struct kept_block *b;

	while ((b = kept) != NULL) {
		kept = b->next;
		free(b);
	}
	kept_bytes = kept_cost = 0;
	STATS_LIMIT_SET(alloc_kept, 0);
}

struct delay_state {
	struct hl_deferred	*reply;
	struct event		*timer;
	json_int_t		 ms;
};

static void
delay_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct delay_state *d = arg;

	hl_deferred_reply(d->reply, HL_STATUS_OK, json_pack("{s:I}",
	    "delayed_ms", d->ms));
	event_free(d->timer);
	free(d);
}

/* The connection closed first: the timer goes, hotlined frees the handle. */
static void
delay_cancel_cb(void *arg)
{
	struct delay_state *d = arg;

	event_free(d->timer);
	free(d);
}

/* Reply after ms milliseconds, from a timer: the deferred-reply path. */
static void
handle_delay(struct hl_request *req, void *arg)
{
	struct hl_deferred *reply = hl_defer(req);
	struct delay_state *d;
	struct timeval tv;

	if (reply == NULL)	/* over ws_max_deferred: already answered */
		return;
	d = xcalloc(1, sizeof *d);
	d->reply = reply;
	d->ms = data_int(req, "ms", 100);
	tv.tv_sec = d->ms / 1000;
	tv.tv_usec = (d->ms % 1000) * 1000;
	d->timer = evtimer_new(hl_worker_base(), delay_fire_cb, d);
	hl_deferred_on_cancel(reply, delay_cancel_cb, d);
	evtimer_add(d->timer, &tv);
}

/* subscribe and unsubscribe are broadcast's own (bcast_conn.c registers
 * them the same way). */

/* Schemas of the demonstration workloads. FULL_* are the stress limits
 * (workloads full: one hash request may take seconds of CPU); DEMO_* bound
 * a request to a few milliseconds of CPU and 4 MiB (workloads demo). */
#define WORK_SCHEMA(ab, sys) "{\"type\":\"object\",\"properties\":{" \
	"\"a\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":" ab "}," \
	"\"b\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":" ab "}," \
	"\"iterations\":{\"type\":\"integer\",\"minimum\":0," \
	"\"maximum\":" ab "}," \
	"\"syscalls\":{\"type\":\"integer\",\"minimum\":0," \
	"\"maximum\":" sys "}},\"additionalProperties\":false}"
#define JSON_SCHEMA(items) "{\"type\":\"object\",\"properties\":{" \
	"\"items\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":" \
	items "}},\"additionalProperties\":false}"
#define HASH_SCHEMA(bytes, rounds) "{\"type\":\"object\",\"properties\":{" \
	"\"bytes\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" \
	bytes "},\"rounds\":{\"type\":\"integer\",\"minimum\":1," \
	"\"maximum\":" rounds "}},\"additionalProperties\":false}"
#define ALLOC_SCHEMA(bytes, count) "{\"type\":\"object\",\"properties\":{" \
	"\"bytes\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" \
	bytes "},\"count\":{\"type\":\"integer\",\"minimum\":1," \
	"\"maximum\":" count "},\"keep\":{\"type\":\"boolean\"}," \
	"\"release\":{\"type\":\"boolean\"}},\"additionalProperties\":false}"
#define DELAY_SCHEMA(ms) "{\"type\":\"object\",\"properties\":{" \
	"\"ms\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":" ms \
	"}},\"additionalProperties\":false}"

struct builtin {
	const char	*key;		/* config key holding its pkg_id */
	const char	*demo_schema;	/* a workload's schema under "demo";
					   NULL: not a workload */
	struct hl_handler h;		/* schema: the "full" limits */
};

static const struct builtin builtins[] = {
	{ "pkg_id_echo", NULL, { 0, "echo", NULL, NULL, handle_echo, NULL,
	  HL_HANDLER_RAW } },
	{ "pkg_id_time", NULL, { 0, "time", "{\"type\":[\"object\",\"null\"]}",
	  NULL, handle_time, NULL, 0 } },
	{ "pkg_id_work", WORK_SCHEMA("5000000", "20000"), { 0, "work",
	  WORK_SCHEMA("2000000000", "100000000"), NULL, handle_work, NULL,
	  0 } },
	{ "pkg_id_json", JSON_SCHEMA("10000"), { 0, "json",
	  JSON_SCHEMA("1000000"), NULL, handle_json, NULL, 0 } },
	{ "pkg_id_hash", HASH_SCHEMA("1048576", "4"), { 0, "hash",
	  HASH_SCHEMA("16777216", "1000"), NULL, handle_hash, NULL, 0 } },
	{ "pkg_id_alloc", ALLOC_SCHEMA("65536", "64"), { 0, "alloc",
	  ALLOC_SCHEMA("16777216", "10000"), NULL, handle_alloc, NULL, 0 } },
	{ "pkg_id_delay", DELAY_SCHEMA("10000"), { 0, "delay",
	  DELAY_SCHEMA("60000"), NULL, handle_delay, NULL, 0 } },
};

/* A builtin as `workloads` wants it: 0 if it stays unregistered. */
static int
builtin_wanted(const struct builtin *b, int mode, struct hl_handler *h)
{
	*h = b->h;
	if (b->demo_schema == NULL || mode == WORKLOADS_FULL)
		return 1;
	if (mode == WORKLOADS_OFF)
		return 0;
	h->schema = b->demo_schema;
	return 1;
}

int
handlers_register(const struct config *cf, char *err, size_t errsize)
{
	const struct config_key *k;
	struct hl_handler h;
	char value[32];
	size_t i;

	keep_max = cf->alloc_keep_bytes;
	for (i = 0; i < HL_ARRAY_LEN(builtins); i++) {
		k = config_find(builtins[i].key);
		config_format(cf, k, value, sizeof value);
		if (!builtin_wanted(&builtins[i], cf->workloads, &h))
			continue;
		h.pkg_id = atoi(value);
		if (h.pkg_id == 0)
			continue;
		if (hl_register(&h, err, errsize) == -1)
			return -1;
	}
	return 0;
}
