/* Admin endpoints of the profiler: status, run-time switch, on-demand
 * profiles (pprof's convention: /profile?seconds=N). The HTTP side of a
 * profile lives here: the query becomes a plain struct prof_request, and
 * the profiler (profd/prof_master.c) answers through admin_prof_answer_cb
 * without seeing evhttp. */
#include "autoconf.h"

#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_prof.h"
#include "prof/prof.h"
#include "core/config.h"
#include "core/shm.h"

#define PROFILE_DEFAULT_S	30

static void
admin_prof_status(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_reply_json(req, 200, prof_master_status());
}

static void
admin_prof_start(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	prof_master_switch(1);
	admin_reply_json(req, 200, json_pack("{s:s, s:b}", "message",
	    "Profiling started", "enabled", 1));
}

static void
admin_prof_stop(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	prof_master_switch(0);
	admin_reply_json(req, 200, json_pack("{s:s, s:b}", "message",
	    "Profiling stopped", "enabled", 0));
}

/* An integer query value in [min, max], digits only; def when absent, -1
 * when invalid. */
static int
admin_prof_int(const char *v, int def, int min, int max)
{
	char *end;
	long n;

	if (v == NULL)
		return def;
	if (*v == '\0' || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
		return -1;
	n = strtol(v, &end, 10);
	return n >= min && n <= max ? (int)n : -1;
}

/* The query's report options; a message in *why when one is invalid. */
static int
admin_prof_options(struct evkeyvalq *q, struct admin_host *h,
    struct prof_request *pr, const char **why)
{
	const char *format = evhttp_find_header(q, "format");

	pr->seconds = admin_prof_int(evhttp_find_header(q, "seconds"),
	    PROFILE_DEFAULT_S, 1, PROF_PROFILE_MAX_S);
	pr->reduced = admin_prof_int(evhttp_find_header(q, "reduced"),
	    h->cf->profiling_reduced_profile, 0, 1);
	pr->threshold_pct = admin_prof_int(evhttp_find_header(q,
	    "cpu_percent_threshold"), h->cf->profiling_cpu_percent_threshold,
	    0, 100);
	pr->only = evhttp_find_header(q, "profile_only");
	pr->exclude = evhttp_find_header(q, "profile_exclude");
	pr->folded = format != NULL && strcmp(format, "folded") == 0;
	if (pr->seconds == -1)
		*why = "seconds must be an integer from 1 to 300";
	else if (format != NULL && !pr->folded && strcmp(format, "json") != 0)
		*why = "format must be json or folded";
	else if (pr->reduced == -1)
		*why = "reduced must be 0 or 1";
	else if (pr->threshold_pct == -1)
		*why = "cpu_percent_threshold must be an integer from 0 to 100";
	else
		return 0;
	return -1;
}

/* The profiler's answer to an on-demand profile: the connection's close
 * callback goes first, so a request freed after its reply is never
 * mistaken for a live one. */
static void
admin_prof_answer_cb(void *arg, int status, const char *type,
    const char *body)
{
	struct evhttp_request *req = arg;

	evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL,
	    NULL);
	if (status == 200)
		admin_reply_text(req, status, type, body, strlen(body));
	else
		admin_reply_error(req, status, "%s", body);
}

/* The admin client went away before its profile was ready. */
static void
admin_prof_gone_cb(struct evhttp_connection *conn, void *arg)
{
	prof_master_forget(arg);
}

static void
admin_prof_profile(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	const char *query = evhttp_uri_get_query(
	    evhttp_request_get_evhttp_uri(req)), *why = NULL;
	struct evkeyvalq params;
	struct prof_request pr;

	TAILQ_INIT(&params);
	if (query != NULL && evhttp_parse_query_str(query, &params) == -1)
		admin_reply_error(req, 400, "malformed query string");
	else if (admin_prof_options(&params, h, &pr, &why) == -1)
		admin_reply_error(req, 400, "%s", why);
	else if (!__atomic_load_n(&h->shm->hdr->profiling_on, __ATOMIC_ACQUIRE))
		admin_reply_error(req, 409, "profiling is off; POST "
		    "/api/profiling/start first");
	else {
		pr.answer = admin_prof_answer_cb;
		pr.arg = req;
		evhttp_connection_set_closecb(
		    evhttp_request_get_connection(req), admin_prof_gone_cb,
		    req);
		prof_master_profile(&pr);
	}
	evhttp_clear_headers(&params);
}

const struct admin_route admin_prof_routes[] = {
	{ ADMIN_GET, "/api/profiling/status", admin_prof_status },
	{ ADMIN_POST, "/api/profiling/start", admin_prof_start },
	{ ADMIN_POST, "/api/profiling/stop", admin_prof_stop },
	{ ADMIN_GET, "/api/profiling/profile", admin_prof_profile,
	  ADMIN_ROUTE_FULL },
};

const size_t admin_prof_nroutes =
    sizeof admin_prof_routes / sizeof admin_prof_routes[0];
