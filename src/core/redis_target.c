/* Redis addresses, credentials and the login handshake (see redis_target.h). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/redis_target.h"
#include "core/util.h"

#define REDIS_SCHEME		"redis://"
#define REDIS_DB_MAX		1000000

/* Percent-decode s[0..len) into out; -1 for a bad escape, %00 or no room. */
static int
rt_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (n + 1 >= size)
			return -1;
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		if (i + 2 >= len || (hi = hl_hex_digit(s[i + 1])) < 0 ||
		    (lo = hl_hex_digit(s[i + 2])) < 0 || hi + lo == 0)
			return -1;
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[n] = '\0';
	return 0;
}

/* "[USER]:PASSWORD" of u[0..len). */
static int
rt_userinfo(const char *u, size_t len, struct redis_target *t, char *err,
    size_t errsize)
{
	const char *colon = memchr(u, ':', len);

	if (colon == NULL)
		return snprintf(err, errsize, "redis_url: write the password "
		    "as redis://:PASSWORD@ or redis://USER:PASSWORD@"), -1;
	if (rt_decode(u, (size_t)(colon - u), t->user, sizeof t->user) == -1 ||
	    rt_decode(colon + 1, len - (size_t)(colon - u) - 1, t->password,
	    sizeof t->password) == -1)
		return snprintf(err, errsize, "redis_url: the user or password "
		    "has a bad %% escape or is over %d bytes",
		    REDIS_SECRET_MAX - 1), -1;
	if (t->password[0] == '\0')
		return snprintf(err, errsize, "redis_url: the password is "
		    "empty"), -1;
	return 0;
}

/* "/DB" or nothing after the address. */
static int
rt_db(const char *p, struct redis_target *t, char *err, size_t errsize)
{
	char *after;
	long db;

	if (*p == '\0')
		return 0;
	if (*p != '/')
		return snprintf(err, errsize, "redis_url: bad address"), -1;
	if (p[1] == '\0')
		return 0;
	errno = 0;
	db = strtol(p + 1, &after, 10);
	if (after == p + 1 || *after != '\0' || errno != 0 || db < 0 ||
	    db > REDIS_DB_MAX)
		return snprintf(err, errsize, "redis_url: \"%s\" is not a "
		    "database number", p + 1), -1;
	t->db = (int)db;
	return 0;
}

/* "IP[:PORT]" or "[IPv6][:PORT]" at h; *end gets what follows. */
static int
rt_host(const char *h, struct redis_target *t, const char **rest, char *err,
    size_t errsize)
{
	unsigned char addr[16];
	const char *end;
	char *after;
	size_t len;
	long p = 6379;

	if (*h == '[') {
		if ((end = strchr(++h, ']')) == NULL)
			return snprintf(err, errsize,
			    "redis_url: no ] after an IPv6 address"), -1;
	} else {
		end = h + strcspn(h, ":/");
	}
	len = (size_t)(end - h);
	if (len == 0 || len >= sizeof t->ip)
		return snprintf(err, errsize, "redis_url: no address"), -1;
	memcpy(t->ip, h, len);
	t->ip[len] = '\0';
	end += *end == ']';
	if (*end == ':') {
		p = strtol(end + 1, &after, 10);
		if (after == end + 1 || (*after != '\0' && *after != '/') ||
		    p < 1 || p > 65535)
			return snprintf(err, errsize, "redis_url: bad port"),
			    -1;
		end = after;
	}
	if (inet_pton(AF_INET, t->ip, addr) != 1 &&
	    inet_pton(AF_INET6, t->ip, addr) != 1)
		return snprintf(err, errsize, "redis_url: \"%s\" is not an IP "
		    "address (names would be resolved synchronously)",
		    t->ip), -1;
	t->port = (int)p;
	*rest = end;
	return 0;
}

int
redis_secret_file(const char *key, const char *path, char *out,
    size_t size, size_t *len, char *err, size_t errsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n = -1;

	if (fd != -1 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;
	else if (fd != -1)
		n = read(fd, out, size);
	if (n == -1) {
		snprintf(err, errsize, "%s %s: %s", key, path, errno == EINVAL ?
		    "not a regular file" : strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	/* `echo secret > file` adds a newline nobody means as a secret. */
	n -= n > 0 && out[n - 1] == '\n';
	n -= n > 0 && out[n - 1] == '\r';
	if (n <= 0 || n >= (ssize_t)size || memchr(out, '\0', (size_t)n)) {
		OPENSSL_cleanse(out, size);
		return snprintf(err, errsize, "%s %s: the secret must be 1 to "
		    "%zu bytes, without NUL", key, path, size - 1), -1;
	}
	out[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int
redis_target_parse(const char *url, const char *password_file,
    struct redis_target *t, char *err, size_t errsize)
{
	const char *h = url + strlen(REDIS_SCHEME), *slash, *at, *rest;
	size_t len;

	memset(t, 0, sizeof *t);
	if (strncmp(url, REDIS_SCHEME, strlen(REDIS_SCHEME)) != 0)
		return snprintf(err, errsize, "redis_url must start with "
		    REDIS_SCHEME), -1;
	slash = h + strcspn(h, "/");
	for (at = slash; at > h && at[-1] != '@'; at--)
		;
	if (at > h && rt_userinfo(h, (size_t)(at - 1 - h), t, err,
	    errsize) == -1)
		goto fail;
	if (rt_host(at, t, &rest, err, errsize) == -1 ||
	    rt_db(rest, t, err, errsize) == -1)
		goto fail;
	if (password_file != NULL && password_file[0] != '\0') {
		if (t->password[0] != '\0') {
			snprintf(err, errsize, "the Redis password is in "
			    "redis_url and in redis_password_file: give one");
			goto fail;
		}
		if (redis_secret_file("redis_password_file", password_file,
		    t->password, sizeof t->password, &len, err, errsize) == -1)
			goto fail;
	}
	return 0;
fail:
	redis_target_clear(t);
	return -1;
}

void
redis_target_clear(struct redis_target *t)
{
	OPENSSL_cleanse(t->user, sizeof t->user);
	OPENSSL_cleanse(t->password, sizeof t->password);
}

/* --- the handshake -------------------------------------------------------- */

/* 1 when the handshake ends here: a stale or lost reply (silently), or a
 * refusal (reported). */
static int
hello_refused(struct redis_hello *h, redisAsyncContext *ac,
    const redisReply *r, const char *what)
{
	char why[256];

	if (r == NULL || ac != h->ac)
		return 1;
	if (r->type != REDIS_REPLY_ERROR)
		return 0;
	snprintf(why, sizeof why, "Redis refused %s: %.*s", what,
	    (int)HL_MIN(r->len, 160), r->str);
	h->done(h->arg, why);
	return 1;
}

static void
hello_select_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis_hello *h = priv;

	if (!hello_refused(h, ac, reply, "the database (SELECT)"))
		h->done(h->arg, NULL);
}

/* A command that cannot be sent means the context is going away: its
 * disconnect callback reports that. */
static void
hello_select(struct redis_hello *h)
{
	if (h->t->db == 0)
		h->done(h->arg, NULL);
	else
		redisAsyncCommand(h->ac, hello_select_cb, h, "SELECT %d",
		    h->t->db);
}

static void
hello_auth_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis_hello *h = priv;

	if (!hello_refused(h, ac, reply, "the password (AUTH)"))
		hello_select(h);
}

void
redis_hello_start(struct redis_hello *h, redisAsyncContext *ac,
    const struct redis_target *t, redis_hello_fn *done, void *arg)
{
	*h = (struct redis_hello){ t, ac, done, arg };
	if (t->password[0] == '\0')
		hello_select(h);
	else if (t->user[0] != '\0')
		redisAsyncCommand(ac, hello_auth_cb, h, "AUTH %s %s", t->user,
		    t->password);
	else
		redisAsyncCommand(ac, hello_auth_cb, h, "AUTH %s", t->password);
}
