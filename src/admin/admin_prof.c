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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_prof.h"
#include "prof/prof.h"
#include "core/config.h"
#include "core/shm.h"
#include "core/log.h"
#include "core/log_limit.h"
#include "core/util.h"
#include "report/report_store.h"
#include "admin/prom.h"

#define PROFILE_DEFAULT_S	30

/* Profiling requests refused (400, 409), for /metrics. Only the master's
 * loop touches it. */
static uint64_t admin_prof_refused;

/* The query parameters each profiling route knows; any other is a 400
 * naming it (a misspelt "second=10" must not run 30 s quietly). */
static const char *const admin_prof_no_params[] = { NULL };
static const char *const admin_prof_profile_params[] = { "seconds", "format",
	"reduced", "cpu_percent_threshold", "profile_only", "profile_exclude",
	"name", NULL };
static const char *const admin_prof_pprof_params[] = { "seconds", NULL };

/* Answer a refusal: counted, logged at most once a second (a client can
 * send them), and a JSON error naming what was wrong. */
static void HL_PRINTF(3, 4)
admin_prof_refuse(struct evhttp_request *req, int status, const char *fmt,
    ...)
{
	static struct log_limit limit;
	uint64_t held_back;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	admin_prof_refused++;
	if (log_limit_ok(&limit, &held_back))
		log_notice("admin: %d for %s: %s (%llu more held back)", status,
		    evhttp_request_get_uri(req), msg,
		    (unsigned long long)held_back);
	admin_reply_error(req, status, "%s", msg);
}

static int
admin_prof_known(const char *const *known, const char *key)
{
	for (; *known != NULL; known++)
		if (strcmp(*known, key) == 0)
			return 1;
	return 0;
}

/* Parse the query into q (the caller clears it) and refuse unknown
 * parameters; -1 when the request was answered with a 400. */
static int
admin_prof_query(struct evhttp_request *req, const char *const *known,
    struct evkeyvalq *q)
{
	const char *query = evhttp_uri_get_query(
	    evhttp_request_get_evhttp_uri(req));
	struct evkeyval *kv;
	char names[256] = "";
	size_t used = 0;

	TAILQ_INIT(q);
	if (query != NULL && evhttp_parse_query_str(query, q) == -1) {
		admin_prof_refuse(req, 400, "malformed query string");
		return -1;
	}
	TAILQ_FOREACH(kv, q, next)
		if (!admin_prof_known(known, kv->key) && used < sizeof names)
			used += (size_t)snprintf(names + used,
			    sizeof names - used, "%s%s", used > 0 ? ", " : "",
			    kv->key);
	if (used == 0)
		return 0;
	admin_prof_refuse(req, 400, "unknown query parameter%s: %s",
	    strchr(names, ',') != NULL ? "s" : "", names);
	return -1;
}

int
admin_prof_bare(struct evhttp_request *req)
{
	struct evkeyvalq q;
	int rc = admin_prof_query(req, admin_prof_no_params, &q);

	evhttp_clear_headers(&q);
	return rc;
}

static void
admin_prof_status(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	if (admin_prof_bare(req) == 0)
		admin_reply_json(req, 200, prof_master_status());
}

static void
admin_prof_start(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	if (admin_prof_bare(req) == -1)
		return;
	prof_master_switch(1);
	admin_reply_json(req, 200, json_pack("{s:s, s:b}", "message",
	    "Profiling started", "enabled", 1));
}

static void
admin_prof_stop(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	if (admin_prof_bare(req) == -1)
		return;
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

static const char *const admin_prof_formats[] = {
	[PROF_FORMAT_JSON] = "json",
	[PROF_FORMAT_FOLDED] = "folded",
	[PROF_FORMAT_PPROF] = "pprof",
	[PROF_FORMAT_HTML] = "html",
};

/* The format named v (json when absent); -1 when unknown. */
static int
admin_prof_format(const char *v)
{
	size_t i;

	for (i = 0; v != NULL && i < HL_ARRAY_LEN(admin_prof_formats); i++)
		if (strcmp(v, admin_prof_formats[i]) == 0)
			return (int)i;
	return v == NULL ? PROF_FORMAT_JSON : -1;
}

/* The query's report options; a message in *why when one is invalid. */
static int
admin_prof_options(struct evkeyvalq *q, struct admin_host *h,
    struct prof_request *pr, const char **why)
{
	int format = admin_prof_format(evhttp_find_header(q, "format"));

	memset(pr, 0, sizeof *pr);
	pr->seconds = admin_prof_int(evhttp_find_header(q, "seconds"),
	    PROFILE_DEFAULT_S, 1, PROF_PROFILE_MAX_S);
	pr->reduced = admin_prof_int(evhttp_find_header(q, "reduced"),
	    h->cf->profiling_reduced_profile, 0, 1);
	pr->threshold_pct = admin_prof_int(evhttp_find_header(q,
	    "cpu_percent_threshold"), h->cf->profiling_cpu_percent_threshold,
	    0, 100);
	pr->only = evhttp_find_header(q, "profile_only");
	pr->exclude = evhttp_find_header(q, "profile_exclude");
	pr->format = format == -1 ? PROF_FORMAT_JSON : (enum prof_format)format;
	pr->name = evhttp_find_header(q, "name");
	if (pr->seconds == -1)
		*why = "seconds must be an integer from 1 to 300";
	else if (format == -1)
		*why = "format must be json, folded, pprof or html";
	else if (pr->reduced == -1)
		*why = "reduced must be 0 or 1";
	else if (pr->threshold_pct == -1)
		*why = "cpu_percent_threshold must be an integer from 0 to 100";
	else if (pr->name != NULL && !report_store_valid_set_name(pr->name))
		*why = "name must be 1 to 64 of A-Z, a-z, 0-9, _ and -";
	else
		return 0;
	return -1;
}

/* The profiler's answer to an on-demand profile: the connection's close
 * callback goes first, so a request freed after its reply is never
 * mistaken for a live one. */
static void
admin_prof_answer_cb(void *arg, int status, const char *type,
    const char *body, size_t len)
{
	struct evhttp_request *req = arg;

	evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL,
	    NULL);
	if (status == 200)
		admin_reply_text(req, status, type, body, len);
	else
		admin_reply_error(req, status, "%s", body);
}

/* The admin client went away before its profile was ready. */
static void
admin_prof_gone_cb(struct evhttp_connection *conn, void *arg)
{
	prof_master_forget(arg);
}

/* Hand a checked request to the profiler, unless what it needs is off. */
static void
admin_prof_run(struct evhttp_request *req, struct admin_host *h,
    struct prof_request *pr)
{
	struct shm_header *hdr = h->shm->hdr;

	if (pr->what != PROF_WHAT_CPU && !__atomic_load_n(&hdr->memory_on,
	    __ATOMIC_ACQUIRE)) {
		admin_prof_refuse(req, 409, "the memory profiler is off; set "
		    "profiling_cpu_only no (and profiling_enabled yes)");
		return;
	}
	if (pr->what == PROF_WHAT_CPU && !__atomic_load_n(&hdr->profiling_on,
	    __ATOMIC_ACQUIRE)) {
		admin_prof_refuse(req, 409, "profiling is off; POST "
		    "/api/profiling/start first");
		return;
	}
	pr->answer = admin_prof_answer_cb;
	pr->arg = req;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    admin_prof_gone_cb, req);
	prof_master_profile(pr);
}

/* GET /api/profiling/profile (and /debug/pprof/profile, pprof only). */
static void
admin_prof_capture(struct evhttp_request *req, struct admin_host *h,
    const char *const *known, int pprof)
{
	const char *why = NULL;
	struct evkeyvalq params;
	struct prof_request pr;

	if (admin_prof_query(req, known, &params) == -1)
		;
	else if (admin_prof_options(&params, h, &pr, &why) == -1) {
		admin_prof_refuse(req, 400, "%s", why);
	} else {
		if (pprof)
			pr.format = PROF_FORMAT_PPROF;
		admin_prof_run(req, h, &pr);
	}
	evhttp_clear_headers(&params);
}

static void
admin_prof_profile(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_prof_capture(req, h, admin_prof_profile_params, 0);
}

static void
admin_prof_pprof_cpu(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_prof_capture(req, h, admin_prof_pprof_params, 1);
}

/* GET /debug/pprof/heap and /allocs: the memory sites now. */
static void
admin_prof_pprof_memory(struct evhttp_request *req, struct admin_host *h,
    enum prof_what what)
{
	struct prof_request pr = { .format = PROF_FORMAT_PPROF, .what = what };

	if (admin_prof_bare(req) == 0)
		admin_prof_run(req, h, &pr);
}

static void
admin_prof_pprof_heap(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_prof_pprof_memory(req, h, PROF_WHAT_HEAP);
}

static void
admin_prof_pprof_allocs(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_prof_pprof_memory(req, h, PROF_WHAT_ALLOCS);
}

void
admin_prof_metrics(struct evbuffer *out)
{
	uint64_t ok, failed, dropped;

	prom_single(out, "hotline_profiler_requests_refused_total", "counter",
	    "Profiling requests refused: bad or unknown query parameters, "
	    "or the profiler they need is off.", admin_prof_refused);
	prof_master_push_totals(&ok, &failed, &dropped);
	prom_single(out, "hotline_profiler_pushes_total", "counter",
	    "Window profiles pushed to profiling_push_url.", ok);
	prom_single(out, "hotline_profiler_pushes_failed_total", "counter",
	    "Window profiles given up after the push retries.", failed);
	prom_single(out, "hotline_profiler_pushes_dropped_total", "counter",
	    "Window profiles dropped: the push queue was full.", dropped);
}

const struct admin_route admin_prof_routes[] = {
	{ ADMIN_GET, "/api/profiling/status", admin_prof_status },
	{ ADMIN_POST, "/api/profiling/start", admin_prof_start },
	{ ADMIN_POST, "/api/profiling/stop", admin_prof_stop },
	{ ADMIN_GET, "/api/profiling/profile", admin_prof_profile,
	  ADMIN_ROUTE_FULL },
	{ ADMIN_GET, "/debug/pprof/profile", admin_prof_pprof_cpu,
	  ADMIN_ROUTE_FULL },
	{ ADMIN_GET, "/debug/pprof/heap", admin_prof_pprof_heap,
	  ADMIN_ROUTE_FULL },
	{ ADMIN_GET, "/debug/pprof/allocs", admin_prof_pprof_allocs,
	  ADMIN_ROUTE_FULL },
};

const size_t admin_prof_nroutes =
    sizeof admin_prof_routes / sizeof admin_prof_routes[0];
