/* The report directory: names, atomic writes, retention, listing. */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "report/report_store.h"
#include "core/util.h"

#define REPORT_STORE_PREFIX	"profile_"
#define REPORT_STORE_STAMP_LEN	16	/* 20261124T101500Z */
#define REPORT_STORE_SEQ_MIN	4	/* digits */
#define REPORT_STORE_SEQ_MAX	10

static const struct {
	const char	*ext;
	const char	*content_type;
} report_store_exts[] = {
	{ "json", "application/json" },
	{ "html", "text/html; charset=utf-8" },
	{ "folded", "text/plain" },
	{ "pb.gz", "application/octet-stream" },	/* pprof */
};

/* A report file name taken apart: what sorting and grouping need. */
struct report_key {
	char		 stamp[REPORT_STORE_STAMP_LEN + 1];
	uint64_t	 seq;
	int		 ext;		/* index into report_store_exts */
};

/* A report file found in the directory. */
struct report_entry {
	char		 name[REPORT_STORE_NAME_MAX];
	struct report_key key;
	uint64_t	 size;
	time_t		 mtime;
};

/* The list of report files of one directory scan, oldest first. */
struct report_scan {
	struct report_entry	*v;
	size_t			 n, cap;
};

static int
report_store_ext_index(const char *ext)
{
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(report_store_exts); i++) {
		if (strcmp(ext, report_store_exts[i].ext) == 0)
			return (int)i;
	}
	return -1;
}

/* Count the decimal digits at p. */
static size_t
report_store_digits(const char *p)
{
	size_t n = 0;

	while (p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

int
report_store_valid_set_name(const char *name)
{
	size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789_-");

	return len >= 1 && len <= REPORT_STORE_SET_NAME_MAX &&
	    name[len] == '\0';
}

/* Where "profile_" starts: name's start, or after a set name and '_'
 * (the last "profile_": a set name may hold one too); NULL when neither. */
static const char *
report_store_prefix(const char *name)
{
	const char *p, *last = NULL;
	char set[REPORT_STORE_SET_NAME_MAX + 1];
	size_t n;

	for (p = name; (p = strstr(p, REPORT_STORE_PREFIX)) != NULL; p++)
		last = p;
	if (last == NULL || last == name)
		return last;
	n = (size_t)(last - name) - 1;
	if (last[-1] != '_' || n == 0 || n > REPORT_STORE_SET_NAME_MAX)
		return NULL;
	memcpy(set, name, n);
	set[n] = '\0';
	return report_store_valid_set_name(set) ? last : NULL;
}

/* Split name into k; -1 unless it is exactly a report file name. */
static int
report_store_parse(const char *name, struct report_key *k)
{
	size_t len = strnlen(name, REPORT_STORE_NAME_MAX), n;
	const char *p;

	if (len == 0 || len >= REPORT_STORE_NAME_MAX ||
	    strstr(name, "..") != NULL || strpbrk(name, "/\\") != NULL ||
	    (p = report_store_prefix(name)) == NULL)
		return -1;
	p += strlen(REPORT_STORE_PREFIX);
	/* YYYYMMDD T HHMMSS Z _ */
	if (report_store_digits(p) != 8 || p[8] != 'T' ||
	    report_store_digits(p + 9) != 6 || p[15] != 'Z' || p[16] != '_')
		return -1;
	memcpy(k->stamp, p, REPORT_STORE_STAMP_LEN);
	k->stamp[REPORT_STORE_STAMP_LEN] = '\0';
	p += REPORT_STORE_STAMP_LEN + 1;
	n = report_store_digits(p);
	if (n < REPORT_STORE_SEQ_MIN || n > REPORT_STORE_SEQ_MAX || p[n] != '.')
		return -1;
	k->seq = strtoull(p, NULL, 10);
	k->ext = report_store_ext_index(p + n + 1);
	return k->ext < 0 ? -1 : 0;
}

int
report_store_valid_name(const char *name)
{
	struct report_key k;

	return name != NULL && report_store_parse(name, &k) == 0;
}

const char *
report_store_content_type(const char *name)
{
	struct report_key k;

	if (report_store_parse(name, &k) == -1)
		return "application/octet-stream";
	return report_store_exts[k.ext].content_type;
}

/* Same set: same stamp and sequence number. */
static int
report_key_same_set(const struct report_key *a, const struct report_key *b)
{
	return a->seq == b->seq && strcmp(a->stamp, b->stamp) == 0;
}

/* Oldest first: by stamp, then sequence, then extension. */
static int
report_entry_cmp(const void *va, const void *vb)
{
	const struct report_key *a = &((const struct report_entry *)va)->key;
	const struct report_key *b = &((const struct report_entry *)vb)->key;
	int c = strcmp(a->stamp, b->stamp);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->ext - b->ext;
}

/* Take a consistent copy of the directory and limits. */
static int
report_store_snapshot(struct report_store *s, char *dir, int *max_reports,
    uint64_t *max_bytes)
{
	size_t len;

	pthread_mutex_lock(&s->lock);
	len = strlen(s->dir);
	if (len < PATH_MAX)
		memcpy(dir, s->dir, len + 1);
	if (max_reports != NULL)
		*max_reports = s->max_reports;
	if (max_bytes != NULL)
		*max_bytes = s->max_bytes;
	pthread_mutex_unlock(&s->lock);
	if (len >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* dir/name into path; -1 with ENAMETOOLONG when it does not fit. */
static int
report_store_path(const char *dir, const char *name, char *path)
{
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void
report_scan_add(struct report_scan *sc, const char *name,
    const struct report_key *k, const struct stat *st)
{
	struct report_entry *e;

	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 32;
		sc->v = xrealloc(sc->v, sc->cap * sizeof *sc->v);
	}
	e = &sc->v[sc->n++];
	memcpy(e->name, name, strlen(name) + 1);	/* valid: it fits */
	e->key = *k;
	e->size = (uint64_t)st->st_size;
	e->mtime = st->st_mtime;
}

/* The report files (regular files with valid names) in dir, oldest first.
 * Returns -1 with errno when dir cannot be opened. */
static int
report_store_scan(const char *dir, struct report_scan *sc)
{
	struct report_key k;
	struct dirent *de;
	struct stat st;
	DIR *d;

	memset(sc, 0, sizeof *sc);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (report_store_parse(de->d_name, &k) == -1 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		report_scan_add(sc, de->d_name, &k, &st);
	}
	closedir(d);
	if (sc->n > 1)
		qsort(sc->v, sc->n, sizeof *sc->v, report_entry_cmp);
	return 0;
}

/* A temporary file a crashed write left: ".<valid name>.tmp". */
static int
report_store_is_stale_tmp(const char *name)
{
	char inner[REPORT_STORE_NAME_MAX];
	size_t len = strlen(name);

	if (name[0] != '.' || len < 6 || len - 5 >= sizeof inner ||
	    strcmp(name + len - 4, ".tmp") != 0)
		return 0;
	memcpy(inner, name + 1, len - 5);
	inner[len - 5] = '\0';
	return report_store_valid_name(inner);
}

/* At start: the highest sequence number in dir, and no stale temp files. */
static unsigned
report_store_recover(const char *dir)
{
	struct report_key k;
	struct dirent *de;
	uint64_t max = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (report_store_parse(de->d_name, &k) == 0)
			max = HL_MAX(max, k.seq);
		else if (report_store_is_stale_tmp(de->d_name) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			log_info("removed stale %s/%s", dir, de->d_name);
	}
	closedir(d);
	return max > UINT32_MAX ? 0 : (unsigned)max;
}

void
report_store_init(struct report_store *s, const char *dir, int max_reports,
    uint64_t max_bytes)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->dir = xstrdup(dir);
	s->max_reports = HL_MAX(max_reports, 1);
	s->max_bytes = max_bytes;
	s->seq = report_store_recover(dir);
	s->set_stamp = (time_t)-1;
}

void
report_store_configure(struct report_store *s, const char *dir,
    int max_reports, uint64_t max_bytes)
{
	char *copy = xstrdup(dir), *old;

	pthread_mutex_lock(&s->lock);
	old = s->dir;
	s->dir = copy;
	s->max_reports = HL_MAX(max_reports, 1);
	s->max_bytes = max_bytes;
	pthread_mutex_unlock(&s->lock);
	free(old);
}

void
report_store_free(struct report_store *s)
{
	if (s->dir == NULL)
		return;
	free(s->dir);
	s->dir = NULL;
	pthread_mutex_destroy(&s->lock);
}

int
report_store_name(struct report_store *s, time_t stamp_time,
    const char *ext, char *out)
{
	return report_store_name_set(s, NULL, stamp_time, ext, out);
}

int
report_store_name_set(struct report_store *s, const char *set_name,
    time_t stamp_time, const char *ext, char *out)
{
	int idx = report_store_ext_index(ext);
	char stamp[REPORT_STORE_STAMP_LEN + 1];
	struct tm tm;
	unsigned seq;

	if (idx < 0 || (set_name != NULL &&
	    !report_store_valid_set_name(set_name)) ||
	    gmtime_r(&stamp_time, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) !=
	    REPORT_STORE_STAMP_LEN)
		return -1;
	pthread_mutex_lock(&s->lock);
	if (stamp_time != s->set_stamp || (s->set_exts & (1u << idx))) {
		s->seq++;
		s->set_stamp = stamp_time;
		s->set_exts = 0;
	}
	s->set_exts |= 1u << idx;
	seq = s->seq;
	pthread_mutex_unlock(&s->lock);
	snprintf(out, REPORT_STORE_NAME_MAX, "%s%s" REPORT_STORE_PREFIX
	    "%s_%04u.%s", set_name != NULL ? set_name : "",
	    set_name != NULL ? "_" : "", stamp, seq, ext);
	return 0;
}

/* mkdir -p with mode 0755 for each missing component. */
static int
report_store_mkdirs(const char *dir)
{
	char path[PATH_MAX], c;
	char *p;

	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return -1;
		if ((*p = c) == '\0')
			break;
	}
	return 0;
}

static int
report_store_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write bytes to dirfd/tmp, fsync it, rename it over name, fsync dirfd. */
static int
report_store_replace(int dfd, const char *tmp, const char *name,
    const void *bytes, size_t len)
{
	int fd, saved;

	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (fd == -1)
		return -1;
	if (report_store_write_all(fd, bytes, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) == -1)
		goto fail;
	fsync(dfd);	/* the rename itself; a failure here loses nothing */
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dfd, tmp, 0);
	errno = saved;
	return -1;
}

/* The index just past the set that starts at v[i]. */
static size_t
report_scan_set_end(const struct report_scan *sc, size_t i)
{
	size_t j;

	for (j = i + 1; j < sc->n && report_key_same_set(&sc->v[j].key,
	    &sc->v[i].key); j++)
		;
	return j;
}

/* Delete every file of the set starting at v[i]; returns the index after
 * it and subtracts its bytes from *total. */
static size_t
report_store_delete_set(const char *dir, const struct report_scan *sc,
    size_t i, uint64_t *total)
{
	size_t j, end = report_scan_set_end(sc, i);
	char path[PATH_MAX];

	for (j = i; j < end; j++) {
		*total -= sc->v[j].size;
		if (report_store_path(dir, sc->v[j].name, path) == 0 &&
		    unlink(path) == 0)
			log_debug("retention: deleted %s", path);
		else if (errno != ENOENT)
			log_warn("retention: cannot delete %s/%s: %s", dir,
			    sc->v[j].name, strerror(errno));
	}
	return end;
}

/* Count sets and bytes of a sorted scan. */
static int
report_scan_sets(const struct report_scan *sc, uint64_t *total)
{
	size_t i;
	int sets = 0;

	*total = 0;
	for (i = 0; i < sc->n; i++) {
		*total += sc->v[i].size;
		if (i == 0 || !report_key_same_set(&sc->v[i].key,
		    &sc->v[i - 1].key))
			sets++;
	}
	return sets;
}

/* Delete the oldest sets until at most max_reports sets and max_bytes
 * remain, sparing the set of keep. */
static void
report_store_retain(const char *dir, int max_reports, uint64_t max_bytes,
    const struct report_key *keep)
{
	struct report_scan sc;
	uint64_t total;
	size_t i = 0;
	int sets;

	if (report_store_scan(dir, &sc) == -1) {
		log_warn("retention: cannot read %s: %s", dir, strerror(errno));
		return;
	}
	sets = report_scan_sets(&sc, &total);
	while (i < sc.n && (sets > max_reports || total > max_bytes)) {
		if (report_key_same_set(&sc.v[i].key, keep)) {
			i = report_scan_set_end(&sc, i);
			continue;
		}
		i = report_store_delete_set(dir, &sc, i, &total);
		sets--;
	}
	free(sc.v);
}

int
report_store_write(struct report_store *s, const char *name,
    const void *bytes, size_t len, char *err, size_t errsize)
{
	char dir[PATH_MAX], tmp[REPORT_STORE_NAME_MAX + 8];
	struct report_key k;
	uint64_t max_bytes;
	int dfd = -1, max_reports, rc = -1;

	dir[0] = '\0';
	if (report_store_parse(name, &k) == -1) {
		snprintf(err, errsize, "not a report file name: \"%s\"", name);
		return -1;
	}
	if (report_store_snapshot(s, dir, &max_reports, &max_bytes) == -1)
		goto out;
	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	if (report_store_mkdirs(dir) == -1 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    report_store_replace(dfd, tmp, name, bytes, len) == -1)
		goto out;
	report_store_retain(dir, max_reports, max_bytes, &k);
	rc = 0;
out:
	if (rc == -1) {
		snprintf(err, errsize, "report %s/%s: %s", dir, name,
		    strerror(errno));
		__atomic_add_fetch(&s->write_failures, 1, __ATOMIC_RELAXED);
	}
	if (dfd != -1)
		close(dfd);
	return rc;
}

uint64_t
report_store_write_failures(const struct report_store *s)
{
	return __atomic_load_n(&s->write_failures, __ATOMIC_RELAXED);
}

static json_t *
report_entry_json(const struct report_entry *e)
{
	return json_pack("{s:s, s:I, s:I}", "filename", e->name,
	    "size_bytes", (json_int_t)e->size,
	    "created_at", (json_int_t)e->mtime);
}

int
report_store_list(struct report_store *s, json_t **out, char *err,
    size_t errsize)
{
	char dir[PATH_MAX];
	struct report_scan sc;
	json_t *list;
	size_t i, start, end;

	*out = NULL;
	dir[0] = '\0';
	if (report_store_snapshot(s, dir, NULL, NULL) == -1 ||
	    (report_store_scan(dir, &sc) == -1 && errno != ENOENT)) {
		snprintf(err, errsize, "report directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	list = json_array();
	/* Newest set first; within a set .json, .html, .folded. */
	for (end = sc.n; end > 0; end = start) {
		for (start = end - 1; start > 0 && report_key_same_set(
		    &sc.v[start - 1].key, &sc.v[end - 1].key); start--)
			;
		for (i = start; i < end; i++)
			json_array_append_new(list,
			    report_entry_json(&sc.v[i]));
	}
	*out = json_pack("{s:o, s:I}", "reports", list,
	    "total_count", (json_int_t)sc.n);
	free(sc.v);
	return 0;
}

/* Check name and build its path; -1 with errno EINVAL for a bad name. */
static int
report_store_file_path(struct report_store *s, const char *name, char *path)
{
	char dir[PATH_MAX];

	if (!report_store_valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	if (report_store_snapshot(s, dir, NULL, NULL) == -1)
		return -1;
	return report_store_path(dir, name, path);
}

int
report_store_open(struct report_store *s, const char *name, int *fd,
    off_t *size, char *err, size_t errsize)
{
	char path[PATH_MAX];
	struct stat st;

	*fd = -1;
	if (report_store_file_path(s, name, path) == -1)
		goto fail;
	/* O_NONBLOCK: a FIFO named like a report must not block the master
	 * in open(2); fstat then refuses anything but a regular file. */
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		if (errno == ELOOP)	/* a symbolic link is not a report */
			errno = ENOENT;
		goto fail;
	}
	if (fstat(*fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = ENOENT;
		goto fail;
	}
	*size = st.st_size;
	return 0;
fail:
	snprintf(err, errsize, "%s: %s", name, errno == EINVAL ?
	    "not a report file name" : strerror(errno));
	if (*fd != -1) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return -1;
}

int
report_store_delete(struct report_store *s, const char *name, char *err,
    size_t errsize)
{
	char path[PATH_MAX];

	if (report_store_file_path(s, name, path) == 0 && unlink(path) == 0)
		return 0;
	if (errno == EISDIR)	/* a directory is not a report */
		errno = ENOENT;
	snprintf(err, errsize, "%s: %s", name, errno == EINVAL ?
	    "not a report file name" : strerror(errno));
	return -1;
}

void
report_store_summarize(struct report_store *s,
    struct report_store_summary *out)
{
	struct report_scan sc;

	memset(out, 0, sizeof *out);
	if (report_store_snapshot(s, out->dir, NULL, NULL) == -1 ||
	    report_store_scan(out->dir, &sc) == -1)
		return;
	out->files = (int)sc.n;
	out->sets = report_scan_sets(&sc, &out->bytes);
	free(sc.v);
}
