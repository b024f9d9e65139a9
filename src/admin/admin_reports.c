/* Admin endpoints for report files: list, download, delete. */
#include "autoconf.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/admin_prof.h"
#include "admin/admin_reports.h"
#include "core/log.h"
#include "report/report_store.h"
#include "core/config.h"
#include "core/shm.h"

/* The filename part of the path, %-decoded (evhttp decodes nothing), or
 * NULL after replying 400. The caller frees it. */
static char *
admin_reports_filename(struct evhttp_request *req, const char *rest)
{
	size_t len = 0;
	char *name = evhttp_uridecode(rest, 0, &len);

	if (name != NULL && strlen(name) == len &&
	    report_store_valid_name(name))
		return name;
	free(name);
	admin_reply_error(req, 400, "not a report file name");
	return NULL;
}

/* 400, 404 or 500 for a failed store call, by errno. */
static void
admin_reports_fail(struct evhttp_request *req, int err, const char *why)
{
	if (err == EINVAL)
		admin_reply_error(req, 400, "not a report file name");
	else if (err == ENOENT)
		admin_reply_error(req, 404, "no such report");
	else
		admin_reply_error(req, 500, "%s", why);
}

void
admin_reports_list(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	char err[512];
	json_t *list;

	if (admin_prof_bare(req) == -1)
		return;
	(void)rest;
	if (report_store_list(h->reports, &list, err, sizeof err) == -1)
		admin_reply_error(req, 500, "%s", err);
	else
		admin_reply_json(req, 200, list);
}

/* The file goes out with evbuffer_add_file, so a large report is sent
 * from the page cache and never read whole into memory. HEAD gets the
 * headers only; evhttp would otherwise send the body after them. */
static void
admin_reports_send_file(struct evhttp_request *req, const char *name, int fd,
    off_t size)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();
	char len[32];

	evhttp_add_header(h, "Content-Type", report_store_content_type(name));
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD || size == 0) {
		snprintf(len, sizeof len, "%lld", (long long)size);
		evhttp_add_header(h, "Content-Length", len);
		close(fd);
	} else if (out == NULL || evbuffer_add_file(out, fd, 0, size) == -1) {
		/* Whether a failed evbuffer_add_file closed fd depends on where
		 * it failed (only on allocation failure): leak it rather than
		 * risk closing a descriptor reused meanwhile. */
		if (out == NULL)
			close(fd);
		else
			evbuffer_free(out);
		admin_reply_error(req, 500, "cannot send %s", name);
		return;
	}
	evhttp_send_reply(req, 200, "OK", out);
	if (out != NULL)
		evbuffer_free(out);
}

void
admin_reports_get(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	char err[512], *name;
	off_t size;
	int fd;

	if (admin_prof_bare(req) == -1)
		return;
	if ((name = admin_reports_filename(req, rest)) == NULL)
		return;
	if (report_store_open(h->reports, name, &fd, &size, err,
	    sizeof err) == -1)
		admin_reports_fail(req, errno, err);
	else
		admin_reports_send_file(req, name, fd, size);
	free(name);
}

void
admin_reports_delete(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	char err[512], *name;

	if (admin_prof_bare(req) == -1)
		return;
	if ((name = admin_reports_filename(req, rest)) == NULL)
		return;
	if (report_store_delete(h->reports, name, err, sizeof err) == -1) {
		admin_reports_fail(req, errno, err);
	} else {
		log_info("admin: deleted report %s", name);
		admin_reply_json(req, 200, json_pack("{s:s, s:s}", "message",
		    "Report deleted successfully", "filename", name));
	}
	free(name);
}
