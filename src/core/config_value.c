/* Typed configuration values, one parser per type, chosen from a table. */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/config_value.h"
#include "core/netaddr.h"
#include "core/util.h"

#define FIELD(cf, k, type)	((type *)(void *)((char *)(cf) + (k)->offset))

typedef int (*value_parse_fn)(const struct config_key *, const char *,
    long long *, char *, size_t);

static int
parse_bool(const struct config_key *k, const char *text, long long *out,
    char *err, size_t errsize)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return (*out = 1), 0;
		if (strcasecmp(text, no[i]) == 0)
			return (*out = 0), 0;
	}
	snprintf(err, errsize, "\"%s\" is not yes or no", text);
	return -1;
}

/* An integer with an optional k/m/g (binary) suffix when allowed. */
static int
parse_number(const struct config_key *k, const char *text, long long *out,
    char *err, size_t errsize, int suffixes)
{
	long long n, mult = 1;
	char *end;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (end == text || errno == ERANGE) {
		snprintf(err, errsize, "\"%s\" is not %s", text,
		    errno == ERANGE ? "in range" : "an integer");
		return -1;
	}
	if (suffixes && *end != '\0' && end[1] == '\0') {
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1LL << 10; end++; break;
		case 'm': mult = 1LL << 20; end++; break;
		case 'g': mult = 1LL << 30; end++; break;
		default: break;
		}
	}
	if (*end != '\0') {
		snprintf(err, errsize, "\"%s\" is not an integer%s", text,
		    suffixes ? " (with an optional k, m or g)" : "");
		return -1;
	}
	if (n > LLONG_MAX / mult || n < LLONG_MIN / mult ||
	    n * mult < k->min || n * mult > k->max) {
		snprintf(err, errsize, "%s is out of range %lld-%lld", text,
		    k->min, k->max);
		return -1;
	}
	*out = n * mult;
	return 0;
}

static int
parse_int(const struct config_key *k, const char *text, long long *out,
    char *err, size_t errsize)
{
	return parse_number(k, text, out, err, errsize, 0);
}

static int
parse_size(const struct config_key *k, const char *text, long long *out,
    char *err, size_t errsize)
{
	return parse_number(k, text, out, err, errsize, 1);
}

static int
parse_enum(const struct config_key *k, const char *text, long long *out,
    char *err, size_t errsize)
{
	size_t i, len = 0;

	for (i = 0; k->choices[i] != NULL; i++) {
		if (strcmp(text, k->choices[i]) == 0)
			return (*out = (long long)i), 0;
	}
	len = (size_t)snprintf(err, errsize, "\"%s\" is not one of", text);
	for (i = 0; k->choices[i] != NULL && len < errsize; i++)
		len += (size_t)snprintf(err + len, errsize - len, "%s %s",
		    i == 0 ? "" : ",", k->choices[i]);
	return -1;
}

static const value_parse_fn number_parsers[] = {
	[CONFIG_BOOL] = parse_bool,
	[CONFIG_INT] = parse_int,
	[CONFIG_SIZE] = parse_size,
	[CONFIG_ENUM] = parse_enum,
};

static int
is_number_type(enum config_type t)
{
	return t == CONFIG_BOOL || t == CONFIG_INT || t == CONFIG_ENUM;
}

/* The directory relative paths are resolved against: the one hotlined
 * started in, remembered before daemonizing moves to "/", so a reload
 * resolves them exactly as the start did. */
static char base_dir[4096];

int
config_remember_cwd(void)
{
	return getcwd(base_dir, sizeof base_dir) == NULL ? -1 : 0;
}

static char *
path_absolute(const char *text, char *err, size_t errsize)
{
	char *out;
	size_t len;

	if (text[0] == '/' || text[0] == '\0' || strcmp(text, "syslog") == 0)
		return xstrdup(text);
	if (base_dir[0] == '\0' && config_remember_cwd() == -1) {
		snprintf(err, errsize, "cannot resolve \"%s\": %s", text,
		    strerror(errno));
		return NULL;
	}
	len = strlen(base_dir) + strlen(text) + 2;
	out = xmalloc(len);
	snprintf(out, len, "%s/%s", base_dir, text);
	return out;
}

char *
config_absolute_path(const char *path)
{
	char err[256], *out = path_absolute(path, err, sizeof err);

	return out != NULL ? out : xstrdup(path);
}

/* An http:// or https:// URL with a host, or empty. */
static int
check_http_url(const char *text, char *err, size_t errsize)
{
	const char *host = NULL;

	if (strncmp(text, "http://", 7) == 0)
		host = text + 7;
	else if (strncmp(text, "https://", 8) == 0)
		host = text + 8;
	if (*text == '\0' || (host != NULL && *host != '\0' && *host != '/'))
		return 0;
	snprintf(err, errsize, "\"%s\" is not an http:// or https:// URL",
	    text);
	return -1;
}

/* k=v,k=v (k [A-Za-z0-9_], v that and . - / :), or empty. */
static int
check_labels(const char *text, char *err, size_t errsize)
{
#define LABEL_KEY "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "abcdefghijklmnopqrstuvwxyz" \
	"0123456789_"
	const char *p = text;
	size_t k, v;
	int ok = 1;

	while (ok && *p != '\0') {
		k = strspn(p, LABEL_KEY);
		v = p[k] == '=' ? strspn(p + k + 1, LABEL_KEY ".-/:") : 0;
		p += k + 1 + v;
		ok = k > 0 && v > 0 &&
		    (*p == '\0' || (*p == ',' && *++p != '\0'));
	}
#undef LABEL_KEY
	if (ok)
		return 0;
	snprintf(err, errsize, "\"%s\" is not k=v,k=v (k: letters, digits, "
	    "_; v: also . - / :)", text);
	return -1;
}

static char *
parse_text(const struct config_key *k, const char *text, char *err,
    size_t errsize)
{
	struct netaddr na;

	if ((k->flags & CONFIG_HTTP_URL) &&
	    check_http_url(text, err, errsize) == -1)
		return NULL;
	if ((k->flags & CONFIG_LABELS) &&
	    check_labels(text, err, errsize) == -1)
		return NULL;
	if (k->type == CONFIG_PATH)
		return path_absolute(text, err, errsize);
	if (k->type == CONFIG_ADDR &&
	    netaddr_parse(text, &na, err, errsize) == -1)
		return NULL;
	return xstrdup(text);
}

/* Add the comma-separated items of text to a list (empty text adds none). */
static int
list_add(struct config_list *l, const char *text, char *err, size_t errsize)
{
	const char *p = text, *end;
	char item[4096], *abs;
	size_t len;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len >= sizeof item) {
			snprintf(err, errsize, "item too long");
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (len > 0) {
			if ((abs = path_absolute(item, err, errsize)) == NULL)
				return -1;
			l->items = xrealloc(l->items, sizeof *l->items *
			    (size_t)(l->n + 1));
			l->items[l->n++] = abs;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static void
list_clear(struct config_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
config_value_clear(struct config *cf, const struct config_key *k)
{
	if (k->type == CONFIG_LIST)
		list_clear(FIELD(cf, k, struct config_list));
}

int
config_value_set(struct config *cf, const struct config_key *k,
    const char *text, char *err, size_t errsize)
{
	long long n;
	char *s;

	if (k->type == CONFIG_LIST)
		return list_add(FIELD(cf, k, struct config_list), text, err,
		    errsize);
	if (k->type == CONFIG_SIZE) {
		if (parse_size(k, text, &n, err, errsize) == -1)
			return -1;
		*FIELD(cf, k, size_t) = (size_t)n;
		return 0;
	}
	if (is_number_type(k->type)) {
		if (number_parsers[k->type](k, text, &n, err, errsize) == -1)
			return -1;
		*FIELD(cf, k, int) = (int)n;
		return 0;
	}
	if ((s = parse_text(k, text, err, errsize)) == NULL)
		return -1;
	free(*FIELD(cf, k, char *));
	*FIELD(cf, k, char *) = s;
	return 0;
}

void
config_value_format(const struct config *cf, const struct config_key *k,
    char *buf, size_t size)
{
	int n;

	switch (k->type) {
	case CONFIG_BOOL:
		n = *FIELD(cf, k, const int);
		snprintf(buf, size, "%s", n ? "yes" : "no");
		break;
	case CONFIG_INT:
		snprintf(buf, size, "%d", *FIELD(cf, k, const int));
		break;
	case CONFIG_SIZE:
		snprintf(buf, size, "%zu", *FIELD(cf, k, const size_t));
		break;
	case CONFIG_ENUM:
		snprintf(buf, size, "%s", k->choices[*FIELD(cf, k, const int)]);
		break;
	case CONFIG_LIST: {
		const struct config_list *l =
		    FIELD(cf, k, const struct config_list);
		size_t used = 0;
		int i;

		buf[0] = '\0';
		for (i = 0; i < l->n && used < size; i++)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s%s", i > 0 ? "," : "", l->items[i]);
		break;
	}
	default: {
		const char *s = *FIELD(cf, k, char *const);
		snprintf(buf, size, "%s", s != NULL ? s : "");
		break;
	}
	}
}

void
config_value_copy(struct config *dst, const struct config *src,
    const struct config_key *k)
{
	char *const *s;
	int i;

	if (k->type == CONFIG_LIST) {
		const struct config_list *from =
		    FIELD(src, k, const struct config_list);
		struct config_list *to = FIELD(dst, k, struct config_list);

		list_clear(to);
		for (i = 0; i < from->n; i++) {
			to->items = xrealloc(to->items, sizeof *to->items *
			    (size_t)(to->n + 1));
			to->items[to->n++] = xstrdup(from->items[i]);
		}
		return;
	}
	if (k->type == CONFIG_SIZE) {
		*FIELD(dst, k, size_t) = *FIELD(src, k, const size_t);
	} else if (is_number_type(k->type)) {
		*FIELD(dst, k, int) = *FIELD(src, k, const int);
	} else {
		s = FIELD(src, k, char *const);
		free(*FIELD(dst, k, char *));
		*FIELD(dst, k, char *) = *s != NULL ? xstrdup(*s) : NULL;
	}
}

void
config_value_free(struct config *cf, const struct config_key *k)
{
	if (k->type == CONFIG_LIST) {
		list_clear(FIELD(cf, k, struct config_list));
		return;
	}
	if (k->type == CONFIG_SIZE || is_number_type(k->type))
		return;
	free(*FIELD(cf, k, char *));
	*FIELD(cf, k, char *) = NULL;
}

int
config_value_equal(const struct config *a, const struct config *b,
    const struct config_key *k)
{
	char va[CONFIG_LINE_MAX], vb[CONFIG_LINE_MAX];

	config_value_format(a, k, va, sizeof va);
	config_value_format(b, k, vb, sizeof vb);
	return strcmp(va, vb) == 0;
}
