/*
 * The report endpoints of the admin port (the seed's API): list, download
 * and delete files of the master's report store. The rows naming these
 * handlers are in admin_api.c's route table.
 */
#ifndef HL_ADMIN_REPORTS_H
#define HL_ADMIN_REPORTS_H

#include "admin/admin.h"

/* GET /api/profiling/reports: the list, newest first. */
void	 admin_reports_list(struct evhttp_request *req, struct admin_host *h,
	    const char *rest);
/* GET|HEAD /api/profiling/reports/{filename}: the file, streamed. */
void	 admin_reports_get(struct evhttp_request *req, struct admin_host *h,
	    const char *rest);
/* DELETE /api/profiling/reports/{filename}. */
void	 admin_reports_delete(struct evhttp_request *req, struct admin_host *h,
	    const char *rest);

#endif
