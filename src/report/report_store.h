/*
 * The report directory: names, atomic writes, retention, listing, opening
 * and deleting report files. No sockets: the admin endpoints
 * (admin_reports.c) and the profiler's reporter call it.
 *
 * Every report file is named [<set name>_]profile_<UTC stamp>_<seq>.<ext>,
 * e.g. profile_20261124T101500Z_0007.json or (an on-demand profile saved
 * as ?name=broadcast) broadcast_profile_20261124T101500Z_0008.json, ext
 * one of json, html, folded, pb.gz (pprof). The files sharing stamp and seq
 * form one report *set*; retention counts and deletes whole sets, oldest
 * (by stamp, then seq) first.
 *
 * Thread safety: the directory, limits and sequence number are guarded by a
 * mutex, so a reporter thread may write while the admin loop lists, opens
 * or deletes and a reload reconfigures. Files themselves are only ever
 * replaced by rename, so a reader sees a whole old or a whole new file.
 */
#ifndef HL_REPORT_STORE_H
#define HL_REPORT_STORE_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

typedef struct json_t json_t;

/* Longest valid name, NUL included; callers size name buffers with it. */
#define REPORT_STORE_NAME_MAX	128
/* Longest set name ([A-Za-z0-9_-]) a named set's files start with. */
#define REPORT_STORE_SET_NAME_MAX 64

struct report_store {
	pthread_mutex_t	 lock;
	char		*dir;		/* owned; absolute in the daemon */
	int		 max_reports;	/* sets kept, >= 1 */
	uint64_t	 max_bytes;	/* total bytes kept */
	unsigned	 seq;		/* the current set's sequence number */
	time_t		 set_stamp;	/* the current set's stamp */
	unsigned	 set_exts;	/* extensions already named in it */
	uint64_t	 write_failures; /* writes that failed (atomic) */
};

/* What GET /api/profiling/status shows about the directory. */
struct report_store_summary {
	char		 dir[PATH_MAX];
	int		 files;		/* report files, not strangers */
	int		 sets;
	uint64_t	 bytes;
};

/* Set up s for dir (copied) and the limits. Continues the sequence after
 * the highest one already in dir and removes temporary files a crash left
 * there; a missing or unreadable directory is not an error here (the first
 * write creates it). */
void	 report_store_init(struct report_store *s, const char *dir,
	    int max_reports, uint64_t max_bytes);
/* Reload: a new directory (copied) and limits; the sequence continues.
 * Retention under the new limits applies at the next write. */
void	 report_store_configure(struct report_store *s, const char *dir,
	    int max_reports, uint64_t max_bytes);
/* Free what init allocated; safe on a zeroed, never-initialised store. */
void	 report_store_free(struct report_store *s);

/*
 * Write into out (REPORT_STORE_NAME_MAX bytes) the name of a report of
 * stamp_time (UTC) with extension ext ("json", "html", "folded" or
 * "pb.gz"). Calls
 * with the same stamp_time for extensions not yet named share one sequence
 * number, so a report's .json, .html and .folded form one set; any other
 * call starts a new set with the next number. Returns -1 for an unknown ext.
 */
int	 report_store_name(struct report_store *s, time_t stamp_time,
	    const char *ext, char *out);
/* The same, for a named set: set_name ([A-Za-z0-9_-]{1,64}, else -1)
 * and '_' start the name. */
int	 report_store_name_set(struct report_store *s, const char *set_name,
	    time_t stamp_time, const char *ext, char *out);
/* 1 when name may name a set: [A-Za-z0-9_-]{1,64}. */
int	 report_store_valid_set_name(const char *name);
/* 1 when name is a report file name (the one check of the admin API): no
 * "..", "/" or "\", the pattern above, at most REPORT_STORE_NAME_MAX - 1
 * bytes. The caller decodes %-escapes first. */
int	 report_store_valid_name(const char *name);
/* The Content-Type for a valid name's extension. */
const char *report_store_content_type(const char *name);

/*
 * Atomically store len bytes (copied) as name: a temporary .<name>.tmp in
 * the directory (created, mode 0755, when missing), fsync, rename. Then
 * apply retention: at most max_reports sets and max_bytes in total, oldest
 * sets first, never the set of the file just written. Returns 0, or -1 with
 * a reason in err (bad name, no space, not a directory...); never fatal.
 * Failing to delete an old file is logged, not returned.
 */
int	 report_store_write(struct report_store *s, const char *name,
	    const void *bytes, size_t len, char *err, size_t errsize);

/* Writes that returned -1 since init: any thread may read it. */
uint64_t report_store_write_failures(const struct report_store *s);

/* *out = {"reports":[{"filename","size_bytes","created_at"}],
 * "total_count"}, newest set first (by stamp and seq; within a set .json,
 * .html, .folded), created_at the mtime in epoch seconds; the
 * caller owns *out. A missing directory is an empty list. Returns -1 with a
 * reason in err when the directory cannot be read. */
int	 report_store_list(struct report_store *s, json_t **out, char *err,
	    size_t errsize);

/* Open name for reading: *fd (the caller closes it, or hands it to
 * evbuffer_add_file) and *size. Returns -1 with errno EINVAL for an invalid
 * name, ENOENT when absent (or not a regular file), else the open error,
 * with a reason in err. Symbolic links are not followed. */
int	 report_store_open(struct report_store *s, const char *name, int *fd,
	    off_t *size, char *err, size_t errsize);
/* Delete one file. -1 with errno EINVAL, ENOENT or the unlink error and a
 * reason in err. */
int	 report_store_delete(struct report_store *s, const char *name,
	    char *err, size_t errsize);

/* Fill out with the directory and what it holds now. */
void	 report_store_summarize(struct report_store *s,
	    struct report_store_summary *out);

#endif
