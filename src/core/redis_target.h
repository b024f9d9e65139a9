/*
 * Where a Redis is and how to log in to it: redis_url
 * "redis://[[USER]:PASSWORD@]IP[:PORT][/DB]" (USER and PASSWORD
 * percent-decoded) or a password from redis_password_file, and the
 * handshake after a connect (AUTH, then SELECT) on a hiredis async
 * context. No sockets of its own; parsing allocates nothing.
 *
 * The password is never logged: print config_redact_url(url) instead of
 * the url, and the ip:port of a target.
 */
#ifndef HL_REDIS_TARGET_H
#define HL_REDIS_TARGET_H

#include <arpa/inet.h>
#include <stddef.h>

#define REDIS_SECRET_MAX	512

struct redisAsyncContext;

struct redis_target {
	char	ip[INET6_ADDRSTRLEN];
	int	port;
	int	db;			/* SELECT when not 0 */
	char	user[REDIS_SECRET_MAX];	/* empty: AUTH with the password only */
	char	password[REDIS_SECRET_MAX]; /* empty: no AUTH */
};

/* Parse url into t, the password from password_file when that is not
 * empty (one trailing newline ignored; a password in both places is an
 * error). Returns 0, or -1 with a reason in err that never holds the
 * password. */
int	 redis_target_parse(const char *url, const char *password_file,
	    struct redis_target *t, char *err, size_t errsize);
/* Read a secret from a regular file at path into out (size bytes, NUL
 * terminated; one trailing newline ignored), its length into *len.
 * Returns 0, or -1 with a reason naming key and path in err. */
int	 redis_secret_file(const char *key, const char *path, char *out,
	    size_t size, size_t *len, char *err, size_t errsize);
/* Wipe the credentials. */
void	 redis_target_clear(struct redis_target *t);

/*
 * The handshake on a connected context: AUTH when there is a password,
 * SELECT when db is not 0, then done(arg, NULL); or done(arg, why) when
 * Redis refused one (why names the command and Redis's answer, valid
 * during the call). Nothing is called when the context goes away first.
 * The caller owns h and keeps it (and the target) alive with the context.
 */
typedef void redis_hello_fn(void *arg, const char *why);
struct redis_hello {
	const struct redis_target	*t;
	struct redisAsyncContext	*ac;
	redis_hello_fn			*done;
	void				*arg;
};
void	 redis_hello_start(struct redis_hello *h, struct redisAsyncContext *ac,
	    const struct redis_target *t, redis_hello_fn *done, void *arg);

#endif
