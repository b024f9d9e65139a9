/*
 * Loading the configuration: defaults, then the file (with include), then
 * the environment, then the command line. Every problem is collected with
 * where it came from, so one run reports them all.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/netaddr.h"
#include "core/config_value.h"
#include "core/util.h"

static void config_error(struct config *, const char *, ...) HL_PRINTF(2, 3);

static void
config_error(struct config *cf, const char *fmt, ...)
{
	char buf[CONFIG_LINE_MAX + 256];
	va_list ap;

	if (cf->nerrors == CONFIG_MAX_ERRORS) {
		cf->nerrors_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cf->errors[cf->nerrors++] = xstrdup(buf);
}

const struct config_key *
config_find(const char *name)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	}
	return NULL;
}

/* Set one key from one source; where is "file:line", "HOTLINE_X"... */
static void
config_set(struct config *cf, const struct config_key *k, const char *text,
    enum config_origin origin, const char *where)
{
	size_t idx = (size_t)(k - config_keys);
	char err[512];

	if (cf->origin[idx] != origin)
		config_value_clear(cf, k);
	if (config_value_set(cf, k, text, err, sizeof err) == -1) {
		config_error(cf, "%s: %s: %s", where, k->name, err);
		return;
	}
	cf->origin[idx] = (unsigned char)origin;
	free(cf->where[idx]);
	cf->where[idx] = xstrdup(where);
}

static int config_read_file(struct config *, const char *, int, int);

/* Read the value after the key: "quoted \" text" or bare text up to a
 * comment. Returns the value in out, or NULL with a reason. */
static const char *
config_scan_value(char *p, char *out, size_t size)
{
	size_t n = 0;
	char *end;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return "unterminated quoted value";
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n + 1 < size)
				out[n++] = *p;
		}
		out[n] = '\0';
		p += strspn(p + 1, " \t") + 1;
		if (*p != '\0' && *p != '#')
			return "text after the closing quote";
		return NULL;
	}
	end = p;
	while (*end != '\0' && !(*end == '#' && end > p && isspace(
	    (unsigned char)end[-1])))
		end++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end == p)
		return "missing value";
	n = HL_MIN((size_t)(end - p), size - 1);
	memcpy(out, p, n);
	out[n] = '\0';
	return NULL;
}

/* "include PATTERN": relative to the including file; glob patterns allowed. */
static void
config_include(struct config *cf, const char *from, const char *pattern,
    const char *where, int depth)
{
	char path[8200], dir[4096];
	glob_t g;
	size_t i;
	int rc;

	if (pattern[0] == '/') {
		snprintf(path, sizeof path, "%s", pattern);
	} else {
		snprintf(dir, sizeof dir, "%s", from);
		snprintf(path, sizeof path, "%s/%s", dirname(dir), pattern);
	}
	if (depth >= CONFIG_MAX_INCLUDE) {
		config_error(cf, "%s: include: nested more than %d deep", where,
		    CONFIG_MAX_INCLUDE);
		return;
	}
	rc = glob(path, 0, NULL, &g);
	if (rc == GLOB_NOMATCH && strpbrk(pattern, "*?[") != NULL)
		return;		/* an empty conf.d is fine */
	if (rc != 0) {
		config_error(cf, "%s: include: cannot open %s", where, path);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		config_read_file(cf, g.gl_pathv[i], 1, depth + 1);
	globfree(&g);
}

/* One line of a file: "key value", "include path", blank or comment. */
static void
config_line(struct config *cf, const char *path, char *line,
    const char *where, int depth)
{
	char value[CONFIG_LINE_MAX], *p = line, *key;
	const struct config_key *k;
	const char *why;

	p += strspn(p, " \t\r\n");
	if (*p == '\0' || *p == '#')
		return;
	key = p;
	p += strcspn(p, " \t\r\n");
	if (*p != '\0')
		*p++ = '\0';
	p += strspn(p, " \t");
	p[strcspn(p, "\r\n")] = '\0';
	if ((why = config_scan_value(p, value, sizeof value)) != NULL) {
		config_error(cf, "%s: %s: %s", where, key, why);
		return;
	}
	if (strcmp(key, "include") == 0)
		config_include(cf, path, value, where, depth);
	else if ((k = config_find(key)) == NULL)
		config_error(cf, "%s: unknown key \"%s\"", where, key);
	else
		config_set(cf, k, value, CONFIG_FROM_FILE, where);
}

static int
config_read_file(struct config *cf, const char *path, int required, int depth)
{
	char line[CONFIG_LINE_MAX], where[4200];
	int lineno = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		if (required || errno != ENOENT)
			config_error(cf, "%s: cannot open: %s", path,
			    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			config_error(cf, "%s: line longer than %d bytes", where,
			    CONFIG_LINE_MAX - 2);
			while (fgets(line, sizeof line, fp) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		config_line(cf, path, line, where, depth);
	}
	if (ferror(fp))
		config_error(cf, "%s: read error: %s", path, strerror(errno));
	fclose(fp);
	return 0;
}

/* HOTLINE_<KEY> wins over the seed's alias (PROFILING_ENABLED...). */
static void
config_read_env(struct config *cf)
{
	char name[128];
	const char *v;
	size_t i, j;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->env_alias != NULL && (v = getenv(k->env_alias)) != NULL)
			config_set(cf, k, v, CONFIG_FROM_ENV, k->env_alias);
		snprintf(name, sizeof name, "HOTLINE_%s", k->name);
		for (j = 0; name[j] != '\0'; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		if ((v = getenv(name)) != NULL)
			config_set(cf, k, v, CONFIG_FROM_ENV, name);
	}
}

static void
config_read_overrides(struct config *cf, const struct config_override *ov,
    size_t nov)
{
	const struct config_key *k;
	char where[128];
	size_t i;

	for (i = 0; i < nov; i++) {
		snprintf(where, sizeof where, "command line %s", ov[i].flag);
		if ((k = config_find(ov[i].key)) == NULL)
			config_error(cf, "%s: unknown key \"%s\"", where,
			    ov[i].key);
		else
			config_set(cf, k, ov[i].value, CONFIG_FROM_CMDLINE,
			    where);
	}
}

const char *
config_where(const struct config *cf, const char *name)
{
	const struct config_key *k = config_find(name);

	return cf->where[k - config_keys];
}

/* The admin port takes state-changing requests (DELETE of reports, POST
 * /api/broadcast): reachable from other hosts, it must want a token. */
static void
config_check_admin(struct config *cf)
{
	struct netaddr na;
	char err[256];

	if (cf->admin_read_token[0] != '\0' && cf->admin_token[0] == '\0')
		config_error(cf, "%s: admin_read_token: set without "
		    "admin_token, which would leave the admin endpoints open",
		    config_where(cf, "admin_read_token"));
	if (cf->admin_token[0] != '\0' ||
	    netaddr_parse(cf->admin_listen, &na, err, sizeof err) == -1 ||
	    netaddr_is_loopback(&na))
		return;
	config_error(cf, "%s: admin_listen: %s is not a loopback address and "
	    "admin_token is empty; set admin_token (and admin_read_token for "
	    "read-only access) or listen on 127.0.0.1",
	    config_where(cf, "admin_listen"), cf->admin_listen);
}

/* Checks across keys, once every source is read. */
static void
config_check(struct config *cf)
{
	long ncpu;

	if (cf->workers == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		cf->workers = (int)HL_MIN(HL_MAX(ncpu, 1), cf->max_workers);
	} else if (cf->workers > cf->max_workers) {
		config_error(cf, "%s: workers: %d is more than max_workers %d",
		    config_where(cf, "workers"), cf->workers, cf->max_workers);
	}
	if (cf->user[0] != '\0' && getpwnam(cf->user) == NULL)
		config_error(cf, "%s: user: no such user \"%s\"",
		    config_where(cf, "user"), cf->user);
	config_check_admin(cf);
}

int
config_load(struct config *cf, const char *path, int required,
    const struct config_override *ov, size_t nov)
{
	size_t i;

	memset(cf, 0, sizeof *cf);
	cf->origin = xcalloc(config_nkeys, sizeof *cf->origin);
	cf->where = xcalloc(config_nkeys, sizeof *cf->where);
	for (i = 0; i < config_nkeys; i++)
		config_set(cf, &config_keys[i], config_keys[i].def,
		    CONFIG_FROM_DEFAULT, "default");
	if (path != NULL && config_read_file(cf, path, required, 0) == 0)
		cf->path = xstrdup(path);
	config_read_env(cf);
	config_read_overrides(cf, ov, nov);
	config_check(cf);
	return cf->nerrors == 0 ? 0 : -1;
}

void
config_free(struct config *cf)
{
	size_t i;
	int j;

	for (i = 0; i < config_nkeys; i++) {
		config_value_free(cf, &config_keys[i]);
		if (cf->where != NULL)
			free(cf->where[i]);
	}
	for (j = 0; j < cf->nerrors; j++)
		free(cf->errors[j]);
	free(cf->where);
	free(cf->origin);
	free(cf->path);
	memset(cf, 0, sizeof *cf);
}

void
config_print_errors(const struct config *cf, FILE *fp)
{
	int i;

	for (i = 0; i < cf->nerrors; i++)
		fprintf(fp, "hotlined: %s\n", cf->errors[i]);
	if (cf->nerrors_dropped > 0)
		fprintf(fp, "hotlined: ... and %d more errors\n",
		    cf->nerrors_dropped);
}

void
config_format(const struct config *cf, const struct config_key *k, char *buf,
    size_t size)
{
	config_value_format(cf, k, buf, size);
}

void
config_redact_url(const char *url, char *out, size_t size)
{
	const char *h = strstr(url, "://"), *slash, *at, *colon;

	h = h != NULL ? h + 3 : url;
	slash = h + strcspn(h, "/");
	for (at = slash; at > h && at[-1] != '@'; at--)
		;
	colon = at > h ? memchr(h, ':', (size_t)(at - h)) : NULL;
	if (colon == NULL)
		snprintf(out, size, "%s", url);
	else
		snprintf(out, size, "%.*s:***%s", (int)(colon - url), url,
		    at - 1);
}

/* A value as printed: 1 when it is a secret that must not be. */
static int
config_shown(const struct config *cf, const struct config_key *k, char *buf,
    size_t size)
{
	char raw[CONFIG_LINE_MAX];

	config_value_format(cf, k, raw, sizeof raw);
	if ((k->flags & CONFIG_SECRET) && raw[0] != '\0')
		return snprintf(buf, size, "(hidden)"), 1;
	if (k->flags & CONFIG_URL_SECRET)
		config_redact_url(raw, buf, size);
	else
		snprintf(buf, size, "%s", raw);
	explicit_bzero(raw, sizeof raw);
	return 0;
}

/* A value as the file syntax writes it: bare when safe, else quoted. */
static void
config_dump_value(const char *v, FILE *fp)
{
	if (*v != '\0' && strpbrk(v, " \t#\"\\") == NULL) {
		fputs(v, fp);
		return;
	}
	fputc('"', fp);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', fp);
		fputc(*v, fp);
	}
	fputc('"', fp);
}

/* A list: one line per item, or a comment when it is empty. */
static void
config_dump_list(const struct config *cf, const struct config_key *k,
    const char *where, FILE *fp)
{
	const struct config_list *l = (const void *)((const char *)cf +
	    k->offset);
	int i;

	if (l->n == 0)
		fprintf(fp, "# %s (none)\t# %s\n", k->name, where);
	for (i = 0; i < l->n; i++) {
		fprintf(fp, "%s ", k->name);
		config_dump_value(l->items[i], fp);
		fprintf(fp, "\t# %s\n", where);
	}
}

void
config_dump(const struct config *cf, FILE *fp)
{
	char value[CONFIG_LINE_MAX];
	size_t i;

	fprintf(fp, "# hotlined effective configuration (file: %s)\n",
	    cf->path != NULL ? cf->path : "none");
	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (config_shown(cf, k, value, sizeof value)) {
			fprintf(fp, "# %s is set (hidden)\t# %s\n", k->name,
			    cf->where[i]);
			continue;
		}
		if (k->type == CONFIG_LIST) {
			config_dump_list(cf, k, cf->where[i], fp);
			continue;
		}
		fprintf(fp, "%s ", k->name);
		config_dump_value(value, fp);
		fprintf(fp, "\t# %s\n", cf->where[i]);
	}
}

void
config_keep_fixed(struct config *next, const struct config *old)
{
	char was[CONFIG_LINE_MAX];
	size_t i;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if ((k->flags & CONFIG_RELOADABLE) ||
		    config_value_equal(next, old, k))
			continue;
		config_shown(old, k, was, sizeof was);
		log_warn("%s: %s cannot change on reload; keeping \"%s\" "
		    "until restart", next->where[i], k->name, was);
		config_value_copy(next, old, k);
		free(next->where[i]);
		next->where[i] = xstrdup(old->where[i]);
		next->origin[i] = old->origin[i];
	}
}
