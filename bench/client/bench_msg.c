/*
 * hotline-bench: message templates and --mix files (see bench_msg.h).
 *
 * A template is checked once, with jansson, after its placeholders are
 * replaced by 0: it must be a JSON object with an integer pkg_id, and a
 * req_id, if any, must be a string. Where hotline-bench owns the req_id
 * it inserts "req_id":"req-\1" after the opening brace; \1 (never valid
 * in JSON text) becomes the ten digits rr matches responses by.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_msg.h"
#include "core/util.h"

#define MARK_ID    '\1'
#define ID_DIGITS  10
#define ID_FIELD   "\"req_id\":\"req-\1\","
#define RAND_MAX_N 4294967296.0

enum tok { TOK_NONE, TOK_SEQ, TOK_CONN, TOK_RAND, TOK_ID, TOK_BAD };

/* Digits a placeholder may expand to: seq and conn up to 20, rand 10. */
static const size_t tok_width[] = { 0, 20, 20, 10, ID_DIGITS, 0 };

/* The placeholder at p (its length in *len), TOK_NONE if there is none. */
static enum tok
msg_token(const char *p, const char *end, size_t *len, uint64_t *n)
{
	char *e = NULL;
	double v;

	if (*p == MARK_ID) {
		*len = 1;
		return TOK_ID;
	}
	if (*p != '{')
		return TOK_NONE;
	if (end - p >= 5 && memcmp(p, "{seq}", 5) == 0)
		return *len = 5, TOK_SEQ;
	if (end - p >= 6 && memcmp(p, "{conn}", 6) == 0)
		return *len = 6, TOK_CONN;
	if (end - p < 6 || memcmp(p, "{rand:", 6) != 0)
		return TOK_NONE;
	errno = 0;
	v = strtod(p + 6, &e);
	if (e == p + 6 || e >= end || *e != '}' || errno != 0 || v < 1 ||
	    v > RAND_MAX_N || v != (double)(uint64_t)v)
		return TOK_BAD;
	*n = (uint64_t)v;
	*len = (size_t)(e + 1 - p);
	return TOK_RAND;
}

/* Write v in decimal, ten digits zero-padded when pad; returns the length. */
static size_t
msg_number(char *out, uint64_t v, int pad)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 || (pad && n < ID_DIGITS));
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Expand text[0..len) with the given values (rng NULL: every value is
 * seq, for the checks). */
static size_t
msg_expand(const char *text, size_t len, char *out, uint64_t seq, unsigned conn,
    uint64_t *rng)
{
	const char *p = text, *end = text + len;
	size_t w = 0, tl = 0;
	uint64_t n = 0;

	while (p < end) {
		switch (msg_token(p, end, &tl, &n)) {
		case TOK_SEQ: w += msg_number(out + w, seq, 0); break;
		case TOK_CONN:
			w += msg_number(out + w, rng ? conn : seq, 0);
			break;
		case TOK_ID: w += msg_number(out + w, seq, 1); break;
		case TOK_RAND:
			w += msg_number(
			    out + w, rng ? hl_xorshift64(rng) % n : seq, 0);
			break;
		default: out[w++] = *p++; continue;
		}
		p += tl;
	}
	return w;
}

size_t
bench_msg_expand(const struct bench_tmpl *t, char *out, uint64_t seq,
    unsigned conn, uint64_t *rng)
{
	return msg_expand(t->text, t->len, out, seq, conn, rng);
}

/* The longest expansion of text, or 0 with *bad set at a bad {rand:. */
static size_t
msg_max_len(const char *text, size_t len, const char **bad)
{
	const char *p = text, *end = text + len;
	size_t max = 0, tl = 0;
	uint64_t n = 0;
	enum tok k;

	while (p < end) {
		k = msg_token(p, end, &tl, &n);
		if (k == TOK_BAD) {
			*bad = p;
			return 0;
		}
		if (k == TOK_NONE) {
			max++;
			p++;
			continue;
		}
		max += tok_width[k];
		p += tl;
	}
	return max;
}

int
bench_msg_pkg(struct bench_msgset *s, int pkg_id)
{
	unsigned i;

	for (i = 0; i < s->npkgs; i++)
		if (s->pkg_ids[i] == pkg_id)
			return (int)i;
	if (s->npkgs == BENCH_MAX_PKGS)
		return -1;
	s->pkg_ids[s->npkgs] = pkg_id;
	return (int)s->npkgs++;
}

/* text with every placeholder as fill (0 or 1), parsed; NULL with je. */
static json_t *
msg_parse(const char *text, size_t len, unsigned fill, json_error_t *je)
{
	char *e = malloc(len + ID_DIGITS + 1);
	json_t *root;

	if (e == NULL) {
		snprintf(je->text, sizeof je->text, "out of memory");
		return NULL;
	}
	e[msg_expand(text, len, e, fill, 0, NULL)] = '\0';
	root = json_loads(e, JSON_REJECT_DUPLICATES, je);
	free(e);
	return root;
}

/* The integer pkg_id of an envelope, or -1 with why set. */
static int
msg_envelope(const json_t *root, long long *pkg_id, const char **why)
{
	const json_t *v = json_object_get(root, "pkg_id");

	if (!json_is_object(root))
		*why = "not a JSON object: the whole envelope is wanted, "
		       "{\"pkg_id\":N,\"data\":{...}}";
	else if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN ||
	    json_integer_value(v) > INT32_MAX)
		*why = "needs \"pkg_id\": an integer (not a placeholder)";
	else if (json_object_get(root, "req_id") != NULL &&
	    !json_is_string(json_object_get(root, "req_id")))
		*why = "\"req_id\" must be a string (or left out: "
		       "hotline-bench then sets it)";
	else {
		*pkg_id = json_integer_value(v);
		return 0;
	}
	return -1;
}

/*
 * Check text as an envelope with its placeholders as 0 and as 1 (so that
 * pkg_id cannot be one): *pkg_id and *own_id filled; NULL when it is
 * one, else why not (in buf).
 */
static const char *
msg_check(const char *text, size_t len, int *pkg_id, int *own_id, char *buf,
    size_t size)
{
	json_error_t je;
	json_t *r0 = msg_parse(text, len, 0, &je), *r1 = NULL;
	const char *why = NULL;
	long long id0 = 0, id1 = 0;

	if (r0 == NULL) {
		snprintf(buf, size,
		    "not JSON (with placeholders as 0): %s, "
		    "column %d",
		    je.text, je.column);
		return buf;
	}
	r1 = msg_parse(text, len, 1, &je);
	if (msg_envelope(r0, &id0, &why) == 0 &&
	    (r1 == NULL || msg_envelope(r1, &id1, &why) == 0) && id0 != id1)
		why = "needs \"pkg_id\": an integer (not a placeholder)";
	if (why == NULL) {
		*pkg_id = (int)id0;
		*own_id = json_object_get(r0, "req_id") != NULL;
	}
	json_decref(r0);
	json_decref(r1);
	return why;
}

/* text with "req_id":"req-\1", inserted after its opening brace. */
static char *
msg_with_id(const char *text, size_t *len)
{
	const char *brace = strchr(text, '{');
	size_t head = (size_t)(brace + 1 - text), add = sizeof ID_FIELD - 1;
	char *s = malloc(*len + add + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, text, head);
	memcpy(s + head, ID_FIELD, add);
	memcpy(s + head + add, brace + 1, *len - head + 1);
	*len += add;
	return s;
}

int
bench_msg_add(struct bench_msgset *s, const char *json, unsigned weight,
    const char *where)
{
	struct bench_tmpl *t = &s->tmpl[s->n];
	size_t len = strlen(json);
	const char *bad = NULL, *why;
	char buf[256];
	int pkg_id = 0, own_id = 0, pkg;

	if (s->n == BENCH_MAX_TEMPLATES) {
		fprintf(stderr, "hotline-bench: %s: more than %d messages\n",
		    where, BENCH_MAX_TEMPLATES);
		return -1;
	}
	if (memchr(json, MARK_ID, len) != NULL ||
	    (msg_max_len(json, len, &bad) == 0 && bad != NULL)) {
		fprintf(stderr,
		    "hotline-bench: %s: bad placeholder at '%.12s':"
		    " {rand:N} needs an integer N in [1, 2^32]\n",
		    where, bad ? bad : "\\1");
		return -1;
	}
	why = msg_check(json, len, &pkg_id, &own_id, buf, sizeof buf);
	if (why != NULL) {
		fprintf(stderr, "hotline-bench: %s: %s\n", where, why);
		return -1;
	}
	pkg = bench_msg_pkg(s, pkg_id);
	t->text = own_id ? strdup(json) : msg_with_id(json, &len);
	if (pkg < 0 || t->text == NULL) {
		fprintf(stderr, "hotline-bench: %s: %s\n", where,
		    pkg < 0 ? "more than 32 distinct pkg_ids"
			    : "out of memory");
		free(t->text);
		return -1;
	}
	t->len = len;
	t->max_len = msg_max_len(t->text, len, &bad);
	if (t->max_len > BENCH_MAX_MSG) {
		fprintf(stderr,
		    "hotline-bench: %s: a message may expand to "
		    "%zu bytes, more than %d\n",
		    where, t->max_len, BENCH_MAX_MSG);
		free(t->text);
		return -1;
	}
	t->pkg = (unsigned)pkg;
	t->own_id = own_id;
	t->cum = (s->n ? s->tmpl[s->n - 1].cum : 0) + weight;
	if (t->max_len > s->max_len)
		s->max_len = t->max_len;
	s->n++;
	return 0;
}

/* One mix line (not blank, not a comment): "WEIGHT JSON". */
static int
msg_mix_line(struct bench_msgset *s, char *line, const char *where)
{
	char *end = NULL;
	unsigned long w;

	errno = 0;
	w = strtoul(line, &end, 10);
	if (end == line || errno != 0 || w < 1 || w > BENCH_MAX_WEIGHT ||
	    (*end != ' ' && *end != '\t') || *line == '-') {
		fprintf(stderr,
		    "hotline-bench: %s: a line is WEIGHT JSON, "
		    "WEIGHT an integer in [1, %d]\n",
		    where, BENCH_MAX_WEIGHT);
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return bench_msg_add(s, end + strspn(end, " \t"), (unsigned)w, where);
}

int
bench_msg_load_mix(struct bench_msgset *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, where[300], *p;
	size_t cap = 0;
	unsigned lineno = 0, before = s->n;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "hotline-bench: --mix %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		snprintf(where, sizeof where, "%s:%u", path, ++lineno);
		p = line + strspn(line, " \t");
		if (*p != '#' && *p != '\n' && *p != '\r' && *p != '\0')
			rc = msg_mix_line(s, p, where);
	}
	free(line);
	fclose(f);
	if (rc == 0 && s->n == before) {
		fprintf(stderr,
		    "hotline-bench: --mix %s: no messages (one "
		    "\"WEIGHT JSON\" a line)\n",
		    path);
		rc = -1;
	}
	return rc;
}

const struct bench_tmpl *
bench_msg_pick(const struct bench_msgset *s, uint64_t r)
{
	uint64_t x = r % s->tmpl[s->n - 1].cum;
	unsigned lo = 0, hi = s->n - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (x < s->tmpl[mid].cum)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &s->tmpl[lo];
}

void
bench_msg_free(struct bench_msgset *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->tmpl[i].text);
	s->n = 0;
}
