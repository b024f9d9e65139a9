/* Admin endpoints of the profiler: status, run-time switch, on-demand
 * profiles (pprof's convention: /profile?seconds=N). */
#include "autoconf.h"

#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "admin_prof.h"
#include "master.h"
#include "prof.h"

#define PROFILE_DEFAULT_S	30

static void
admin_prof_status(struct evhttp_request *req, struct master *m,
    const char *rest)
{
	admin_reply_json(req, 200, prof_master_status(m));
}

static void
admin_prof_start(struct evhttp_request *req, struct master *m,
    const char *rest)
{
	prof_master_switch(m, 1);
	admin_reply_json(req, 200, json_pack("{s:s, s:b}", "message",
	    "Profiling started", "enabled", 1));
}

static void
admin_prof_stop(struct evhttp_request *req, struct master *m,
    const char *rest)
{
	prof_master_switch(m, 0);
	admin_reply_json(req, 200, json_pack("{s:s, s:b}", "message",
	    "Profiling stopped", "enabled", 0));
}

/* seconds: 1..PROF_PROFILE_MAX_S, digits only; -1 when invalid. */
static int
admin_prof_seconds(const char *v)
{
	char *end;
	long n;

	if (v == NULL)
		return PROFILE_DEFAULT_S;
	if (*v == '\0' || strspn(v, "0123456789") != strlen(v))
		return -1;
	n = strtol(v, &end, 10);
	return n >= 1 && n <= PROF_PROFILE_MAX_S ? (int)n : -1;
}

static void
admin_prof_profile(struct evhttp_request *req, struct master *m,
    const char *rest)
{
	const char *query = evhttp_uri_get_query(
	    evhttp_request_get_evhttp_uri(req)), *format;
	struct evkeyvalq params;
	int seconds;

	TAILQ_INIT(&params);
	if (query != NULL && evhttp_parse_query_str(query, &params) == -1) {
		admin_reply_error(req, 400, "malformed query string");
		return;
	}
	seconds = admin_prof_seconds(evhttp_find_header(&params, "seconds"));
	format = evhttp_find_header(&params, "format");
	if (seconds == -1)
		admin_reply_error(req, 400, "seconds must be an integer from "
		    "1 to %d", PROF_PROFILE_MAX_S);
	else if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "folded") != 0)
		admin_reply_error(req, 400, "format must be json or folded");
	else if (!__atomic_load_n(&m->shm.hdr->profiling_on, __ATOMIC_ACQUIRE))
		admin_reply_error(req, 409, "profiling is off; POST "
		    "/api/profiling/start first");
	else
		prof_master_profile(m, req, seconds,
		    format != NULL && strcmp(format, "folded") == 0);
	evhttp_clear_headers(&params);
}

const struct admin_route admin_prof_routes[] = {
	{ ADMIN_GET, "/api/profiling/status", admin_prof_status },
	{ ADMIN_POST, "/api/profiling/start", admin_prof_start },
	{ ADMIN_POST, "/api/profiling/stop", admin_prof_stop },
	{ ADMIN_GET, "/api/profiling/profile", admin_prof_profile },
};

const size_t admin_prof_nroutes =
    sizeof admin_prof_routes / sizeof admin_prof_routes[0];
