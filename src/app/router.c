/* The handler table and request dispatch. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/request.h"
#include "prof/record.h"
#include "prof/sampler.h"
#include "app/router.h"
#include "app/schema.h"
#include "core/stats.h"
#include "core/util.h"

#define ROUTER_MAX	1024

static struct {
	struct route	 routes[ROUTER_MAX];
	size_t		 n;
	int		 sealed;
} router;

static char **
router_copy_roles(const char *const *roles)
{
	size_t n = 0, i;
	char **copy;

	if (roles == NULL)
		return NULL;
	while (roles[n] != NULL)
		n++;
	copy = xcalloc(n + 1, sizeof *copy);
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(roles[i]);
	return copy;
}

/* Compile a handler's schema text; NULL text is no schema. */
static int
router_compile(const struct hl_handler *h, struct schema **out, char *err,
    size_t errsize)
{
	char why[SCHEMA_ERROR_MAX];
	json_error_t jerr;
	json_t *doc;

	*out = NULL;
	if (h->schema == NULL)
		return 0;
	if ((doc = json_loads(h->schema, 0, &jerr)) == NULL) {
		snprintf(err, errsize, "handler %s: schema is not JSON: %s "
		    "(line %d)", h->name, jerr.text, jerr.line);
		return -1;
	}
	*out = schema_compile(doc, why, sizeof why);
	json_decref(doc);
	if (*out == NULL) {
		snprintf(err, errsize, "handler %s: %s", h->name, why);
		return -1;
	}
	return 0;
}

int
hl_register(const struct hl_handler *h, char *err, size_t errsize)
{
	char dummy[8];
	struct route *r;
	size_t i;

	if (err == NULL)
		err = dummy, errsize = sizeof dummy;
	if (router.sealed || router.n == ROUTER_MAX || h->fn == NULL ||
	    h->name == NULL) {
		snprintf(err, errsize, "handler %s: %s",
		    h->name ? h->name : "?",
		    router.sealed ? "registration is closed after fork" :
		    router.n == ROUTER_MAX ? "too many handlers" :
		    "no name or function");
		return -1;
	}
	for (i = 0; i < router.n; i++) {
		if (router.routes[i].pkg_id == h->pkg_id) {
			snprintf(err, errsize, "handler %s: pkg_id %d is taken "
			    "by %s", h->name, h->pkg_id, router.routes[i].name);
			return -1;
		}
	}
	r = &router.routes[router.n];
	memset(r, 0, sizeof *r);
	if (router_compile(h, &r->schema, err, errsize) == -1)
		return -1;
	r->pkg_id = h->pkg_id;
	r->name = xstrdup(h->name);
	r->roles = router_copy_roles(h->roles);
	r->fn = h->fn;
	r->arg = h->arg;
	r->flags = h->flags;
	router.n++;
	return 0;
}

static int
route_compare(const void *a, const void *b)
{
	const struct route *x = a, *y = b;

	return (x->pkg_id > y->pkg_id) - (x->pkg_id < y->pkg_id);
}

void
router_seal(void)
{
	size_t i;

	qsort(router.routes, router.n, sizeof *router.routes, route_compare);
	for (i = 0; i < router.n; i++)
		router.routes[i].index = i < SHM_MAX_ROUTES ? (int)i : -1;
	router.sealed = 1;
}

const struct route *
router_find(int32_t pkg_id)
{
	struct route key = { .pkg_id = pkg_id };

	return bsearch(&key, router.routes, router.n, sizeof *router.routes,
	    route_compare);
}

size_t
router_count(void)
{
	return router.n;
}

const struct route *
router_at(size_t i)
{
	return i < router.n ? &router.routes[i] : NULL;
}

void
router_reset(void)
{
	size_t i;
	char **r;

	for (i = 0; i < router.n; i++) {
		free(router.routes[i].name);
		schema_free(router.routes[i].schema);
		for (r = router.routes[i].roles; r != NULL && *r != NULL; r++)
			free(*r);
		free(router.routes[i].roles);
	}
	memset(&router, 0, sizeof router);
}

/* The caller needs one of the route's roles. */
static int
router_permitted(const struct route *r, const struct hl_request *req)
{
	char **role;

	if (r->roles == NULL)
		return 1;
	for (role = r->roles; *role != NULL; role++) {
		if (hl_request_has_role(req, *role))
			return 1;
	}
	return 0;
}

static int
router_valid(const struct route *r, struct hl_request *req)
{
	char why[SCHEMA_ERROR_MAX];

	if (r->schema == NULL)
		return 1;
	if (schema_validate(r->schema, hl_request_data(req), "data", why,
	    sizeof why) == 0)
		return 1;
	request_reply_error(req, HL_STATUS_INVALID_DATA, why);
	return 0;
}

void
router_dispatch(struct hl_request *req)
{
	const struct route *r = router_find(req->env.pkg_id);
	char msg[96];

	if (r == NULL) {
		snprintf(msg, sizeof msg, "No handler found for pkg_id %d",
		    req->env.pkg_id);
		request_reply_error(req, HL_STATUS_ERROR, msg);
		return;
	}
	req->route = r;
	if (!router_permitted(r, req)) {
		snprintf(msg, sizeof msg, "No permission for pkg_id %d",
		    req->env.pkg_id);
		request_reply_error(req, HL_STATUS_PERMISSION_DENIED, msg);
		return;
	}
	if (!router_valid(r, req))
		return;
	sampler_pkg_id = r->pkg_id;	/* samples in the handler are its */
	stats_busy(r->pkg_id, req->started_ns / 1000000);
	r->fn(req, r->arg);
	stats_idle();
	sampler_pkg_id = SAMPLE_NO_PKG;
	if (!req->answered) {
		STATS_ADD(handler_no_reply, 1);
		request_reply_error(req, HL_STATUS_ERROR,
		    "handler did not reply");
	}
}
