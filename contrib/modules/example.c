/*
 * An example handler module: what a module author writes. Build it with
 *   cc -g -O2 -fno-omit-frame-pointer -shared -fPIC \
 *       $(pkg-config --cflags hotline) -o example.so example.c
 * (-g: without a line table the profiler can name only example.so!function).
 * and load it with `module /path/to/example.so` in hotline.conf.
 *
 * pkg_id 100 "greet": {"name": string} -> {"greeting": "hello, <name>"},
 *   with a schema, so a missing or long name is refused before it runs.
 * pkg_id 101 "admin_stats": needs the role "admin" (so it answers status 3
 *   unless auth gives the caller that role).
 * pkg_id 102 "ticks": a deferred reply after the worker's next timer tick,
 *   and the worker-side state a module keeps (a timer on the worker's loop).
 * pkg_id 103 "shout": {"topic": string, "data": value} broadcasts data to
 *   the topic's subscribers on every worker (hl_broadcast).
 */
#include <event2/event.h>
#include <hotline/hotline.h>
#include <stdio.h>
#include <stdlib.h>

#define TICK_MS		100
#define WAITING_MAX	1024

static struct event		*tick_event;
static unsigned long		 ticks;
static struct hl_deferred	*waiting[WAITING_MAX];
static int			 nwaiting;

static void
greet(struct hl_request *req, void *arg)
{
	const char *name = json_string_value(json_object_get(
	    hl_request_data(req), "name"));
	char text[128];

	snprintf(text, sizeof text, "hello, %s", name);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:s, s:i}", "greeting", text,
	    "worker", hl_worker_index()));
}

static void
admin_stats(struct hl_request *req, void *arg)
{
	hl_reply(req, HL_STATUS_OK, json_pack("{s:I}", "ticks",
	    (json_int_t)ticks));
}

/* Park the request; the next tick answers it. */
static void
ticks_later(struct hl_request *req, void *arg)
{
	if (nwaiting == WAITING_MAX) {
		hl_reply_error(req, HL_STATUS_ERROR, "too many waiting");
		return;
	}
	waiting[nwaiting++] = hl_defer(req);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	int i;

	ticks++;
	for (i = 0; i < nwaiting; i++)
		hl_deferred_reply(waiting[i], HL_STATUS_OK,
		    json_pack("{s:I}", "tick", (json_int_t)ticks));
	nwaiting = 0;
}

/* hl_broadcast steals data, so take a reference to the borrowed tree. */
static void
shout(struct hl_request *req, void *arg)
{
	json_t *data = hl_request_data(req);
	const char *topic = json_string_value(json_object_get(data, "topic"));
	json_t *what = json_object_get(data, "data");

	if (hl_broadcast(topic, json_incref(what)) == -1)
		hl_reply_error(req, HL_STATUS_INVALID_DATA, "cannot broadcast");
	else
		hl_reply(req, HL_STATUS_OK, json_pack("{s:s, s:i}", "topic",
		    topic, "worker", hl_worker_index()));
}

static int
example_load(void)
{
	static const char *const admin[] = { "admin", NULL };
	static const struct hl_handler handlers[] = {
		{ 100, "greet", "{\"type\":\"object\",\"required\":[\"name\"],"
		  "\"properties\":{\"name\":{\"type\":\"string\","
		  "\"minLength\":1,\"maxLength\":64}}}", NULL, greet, NULL, 0 },
		{ 101, "admin_stats", NULL, admin, admin_stats, NULL, 0 },
		{ 102, "ticks", NULL, NULL, ticks_later, NULL, 0 },
		{ 103, "shout", "{\"type\":\"object\",\"required\":"
		  "[\"topic\",\"data\"],\"properties\":{\"topic\":"
		  "{\"type\":\"string\"}}}", NULL, shout, NULL, 0 },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
		if (hl_register(&handlers[i], err, sizeof err) == -1) {
			hl_log(HL_LOG_ERROR, "example: %s", err);
			return -1;
		}
	}
	return 0;
}

static int
example_worker_init(struct event_base *base)
{
	struct timeval tv = { 0, TICK_MS * 1000 };

	tick_event = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	if (tick_event == NULL || event_add(tick_event, &tv) == -1)
		return -1;
	hl_log(HL_LOG_DEBUG, "example: worker %d ready", hl_worker_index());
	return 0;
}

static void
example_worker_fini(void)
{
	int i;

	for (i = 0; i < nwaiting; i++)
		hl_deferred_reply(waiting[i], HL_STATUS_ERROR, NULL);
	nwaiting = 0;
	if (tick_event != NULL)
		event_free(tick_event);
}

const struct hl_module hl_module_info = {
	.abi = HL_MODULE_ABI,
	.name = "example",
	.load = example_load,
	.worker_init = example_worker_init,
	.worker_fini = example_worker_fini,
};
