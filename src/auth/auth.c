/*
 * Authentication setup: the auth and jwt_* keys turned into a pinned
 * policy and a key set (master, before fork; hotlined -t runs the same
 * code), the shared limit tables, and the auth metrics.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth_int.h"
#include "auth/auth_jwks.h"
#include "auth/auth_session.h"
#include "core/config.h"
#include "core/log.h"
#include "core/redis_target.h"
#include "core/util.h"

struct auth_conf	 auth_conf;
struct auth_limit	*auth_limits;
int			 auth_slot = -1;

/* Labels beyond the jwt_fail ones. */
void
auth_metric_flags(struct auth_metric_flags *f)
{
	f->jwks = auth_conf.jwks_url != NULL;
	f->sessions = auth_conf.sessions;
	f->rate_redis = auth_conf.rate_redis;
}

const char *
auth_fail_name(unsigned reason)
{
	if (reason == AUTH_FAIL_MISSING)
		return "missing";
	if (reason == AUTH_FAIL_TIMEOUT)
		return "timeout";
	if (reason == AUTH_FAIL_NOT_AUTH)
		return "not_auth_message";
	if (reason == AUTH_FAIL_NO_SESSION)
		return "no_session";
	return jwt_fail_name((enum jwt_fail)reason);
}

/* "query,header,message" into AUTH_SRC_* bits; -1 on an unknown word. */
static int
auth_parse_sources(const char *text, unsigned *out, char *err, size_t errlen)
{
	static const struct { const char *name; unsigned bit; } words[] = {
		{ "query", AUTH_SRC_QUERY }, { "header", AUTH_SRC_HEADER },
		{ "message", AUTH_SRC_MESSAGE },
	};
	char *copy = xstrdup(text), *tok, *save = NULL;
	size_t i;
	int rc = 0;

	*out = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ", \t", &save)) {
		for (i = 0; i < HL_ARRAY_LEN(words); i++)
			if (strcmp(tok, words[i].name) == 0)
				break;
		if (i == HL_ARRAY_LEN(words)) {
			snprintf(err, errlen, "auth_token_sources: unknown "
			    "source \"%s\" (query, header, message)", tok);
			rc = -1;
		} else {
			*out |= words[i].bit;
		}
	}
	free(copy);
	if (rc == 0 && *out == 0) {
		snprintf(err, errlen, "auth_token_sources: empty");
		rc = -1;
	}
	return rc;
}

static const char *
auth_dup(const char *s)
{
	return s[0] != '\0' ? xstrdup(s) : NULL;
}

/* The key set the jwt_* keys name; NULL with err naming key and file. */
static struct jwk_set *
auth_load_keys(const struct config *cf, char *err, size_t errlen)
{
	char why[JWK_ERR_MAX];
	struct jwk_set *set;

	if (cf->jwks_file[0] != '\0' && cf->jwks_url[0] != '\0') {
		snprintf(err, errlen, "jwks_file and jwks_url: give one");
		return NULL;
	}
	if (cf->jwks_url[0] != '\0')
		return jwk_set_new();	/* filled by the first fetch */
	if (cf->jwks_file[0] != '\0') {
		if ((set = jwks_load_file(cf->jwks_file, why, sizeof why)) ==
		    NULL)
			snprintf(err, errlen, "jwks_file %s: %s", cf->jwks_file,
			    why);
		return set;
	}
	set = jwk_set_new();
	if (cf->jwt_secret[0] != '\0' && jwk_set_add_secret(set, NULL,
	    cf->jwt_secret, strlen(cf->jwt_secret), why, sizeof why) == -1)
		snprintf(err, errlen, "jwt_secret: %s", why);
	else if (cf->jwt_secret_file[0] != '\0' && jwk_set_add_secret_file(set,
	    NULL, cf->jwt_secret_file, why, sizeof why) == -1)
		snprintf(err, errlen, "jwt_secret_file %s: %s",
		    cf->jwt_secret_file, why);
	else if (cf->jwt_key_file[0] != '\0' && jwk_set_add_pem_file(set, NULL,
	    cf->jwt_key_file, why, sizeof why) == -1)
		snprintf(err, errlen, "jwt_key_file %s: %s", cf->jwt_key_file,
		    why);
	else if (jwk_set_count(set) == 0)
		snprintf(err, errlen, "auth jwt needs a key: jwt_secret, "
		    "jwt_secret_file, jwt_key_file or jwks_file");
	else
		return set;
	jwk_set_free(set);
	return NULL;
}

/* Whether some key of set can verify alg (the pinned one). */
static int
auth_keys_fit(const struct jwk_set *set, jwt_alg_t alg)
{
	size_t i;

	for (i = 0; i < jwk_set_count(set); i++)
		if (jwk_key_fits(jwk_set_key(set, i), alg))
			return 1;
	return 0;
}

static void
auth_conf_free(struct auth_conf *ac)
{
	jwk_set_free(ac->keys);
	free((char *)ac->policy.issuer);
	free((char *)ac->policy.audience);
	free((char *)ac->policy.user_claim);
	free((char *)ac->policy.roles_claim);
	free((char *)ac->policy.roles_client);
	if (ac->redis != NULL)
		redis_target_clear(ac->redis);
	free(ac->redis);
	free(ac->session_prefix);
	free(ac->rate_prefix);
	free(ac->jwks_url);
	free(ac->jwks_ca_file);
	free(ac->jwks_ca_dir);
	memset(ac, 0, sizeof *ac);
}

/* The Redis keys: sessions when asked for, the message rate whenever a
 * Redis is named and there is a rate limit. Redis must be an IP address. */
static int
auth_conf_redis(const struct config *cf, struct auth_conf *ac, char *err,
    size_t errlen)
{
	if (cf->auth_sessions && cf->redis_url[0] == '\0') {
		snprintf(err, errlen, "auth_sessions needs redis_url");
		return -1;
	}
	if (cf->redis_url[0] == '\0')
		return 0;
	ac->redis = xcalloc(1, sizeof *ac->redis);
	if (redis_target_parse(cf->redis_url, cf->redis_password_file,
	    ac->redis, err, errlen) == -1)
		return -1;
	ac->sessions = cf->auth_sessions;
	ac->rate_redis = ac->rate_limit != 0;
	if (!ac->sessions && !ac->rate_redis)
		return 0;
	ac->fail_closed = cf->redis_fail_mode == 1;
	ac->session_prefix = xstrdup(cf->auth_session_prefix);
	ac->rate_prefix = xstrdup(cf->auth_rate_redis_prefix);
	ac->session_timeout_ms = cf->auth_session_timeout;
	return 0;
}

/* 0 when path is empty or accessible with mode; else -1 naming key. */
static int
auth_readable(const char *key, const char *path, int mode, char *err,
    size_t errlen)
{
	if (path[0] == '\0' || access(path, mode) == 0)
		return 0;
	snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
	return -1;
}

/* jwks_url and its companions; the URL's form is checked here. */
static int
auth_conf_jwks(const struct config *cf, struct auth_conf *ac, char *err,
    size_t errlen)
{
	char why[160];

	if (cf->jwks_url[0] == '\0')
		return 0;
	if (auth_jwks_check_url(cf->jwks_url, why, sizeof why) == -1) {
		snprintf(err, errlen, "jwks_url: %s", why);
		return -1;
	}
	if (ac->policy.alg != JWT_ALG_RS256 &&
	    ac->policy.alg != JWT_ALG_ES256) {
		snprintf(err, errlen, "jwks_url: a JWKS holds RSA and EC keys, "
		    "so jwt_alg must be RS256 or ES256");
		return -1;
	}
	if (auth_readable("jwks_ca_file", cf->jwks_ca_file, R_OK, err,
	    errlen) == -1 || auth_readable("jwks_ca_dir", cf->jwks_ca_dir,
	    R_OK | X_OK, err, errlen) == -1)
		return -1;
	ac->jwks_url = xstrdup(cf->jwks_url);
	ac->jwks_ca_file = (char *)auth_dup(cf->jwks_ca_file);
	ac->jwks_ca_dir = (char *)auth_dup(cf->jwks_ca_dir);
	ac->jwks_refresh_s = (uint32_t)cf->jwks_refresh_seconds;
	ac->jwks_min_refresh_s = (uint32_t)cf->jwks_min_refresh_seconds;
	ac->jwks_timeout_s = (uint32_t)cf->jwks_timeout;
	return 0;
}

/* cf's auth keys into ac; 0, or -1 with err (ac then holds nothing). */
static int
auth_conf_load(const struct config *cf, struct auth_conf *ac, char *err,
    size_t errlen)
{
	struct jwt_policy *p = &ac->policy;
	jwt_alg_t alg;

	memset(ac, 0, sizeof *ac);
	ac->timeout_ms = (uint64_t)cf->auth_timeout * 1000;
	ac->max_conns = (uint32_t)cf->auth_max_connections_per_user;
	ac->rate_limit = (uint32_t)cf->auth_rate_limit;
	ac->rate_window_ms = (uint64_t)cf->auth_rate_window * 1000;
	ac->rate_error = cf->auth_rate_limit_action == 1;
	if (!cf->auth)
		return 0;
	if (auth_parse_sources(cf->auth_token_sources, &ac->sources, err,
	    errlen) == -1)
		return -1;
	if ((alg = jwk_alg_parse(cf->jwt_alg)) == JWT_ALG_INVAL) {
		snprintf(err, errlen, "jwt_alg: \"%s\" is not one of HS256, "
		    "HS384, HS512, RS256, ES256", cf->jwt_alg);
		return -1;
	}
	jwt_policy_init(p, alg);
	p->issuer = auth_dup(cf->jwt_issuer);
	p->audience = auth_dup(cf->jwt_audience);
	p->audience_azp = cf->jwt_audience_azp;
	p->leeway = (unsigned)cf->jwt_leeway;
	p->allow_no_exp = !cf->jwt_require_exp;
	p->user_claim = auth_dup(cf->jwt_user_claim);
	p->roles_claim = auth_dup(cf->jwt_roles_claim);
	p->roles_client = auth_dup(cf->jwt_roles_client);
	ac->on = 1;
	if (auth_conf_redis(cf, ac, err, errlen) == -1 ||
	    auth_conf_jwks(cf, ac, err, errlen) == -1 ||
	    jwt_policy_check(p, err, errlen) == -1 ||
	    (ac->keys = auth_load_keys(cf, err, errlen)) == NULL)
		goto fail;
	if (ac->jwks_url == NULL && !auth_keys_fit(ac->keys, alg)) {
		snprintf(err, errlen, "jwt_alg %s: no configured key can "
		    "verify it", cf->jwt_alg);
		goto fail;
	}
	return 0;
fail:
	auth_conf_free(ac);
	return -1;
}

int
auth_config_check(const struct config *cf, char *err, size_t errlen)
{
	struct auth_conf ac;

	if (auth_conf_load(cf, &ac, err, errlen) == -1)
		return -1;
	auth_conf_free(&ac);
	return 0;
}

int
auth_master_init(const struct config *cf, uint32_t nslots, char *err,
    size_t errlen)
{
	if (auth_conf_load(cf, &auth_conf, err, errlen) == -1)
		return -1;
	if (!auth_conf.on)
		return 0;
	auth_limits = auth_limit_create(nslots);
	if (auth_limits == NULL) {
		snprintf(err, errlen, "auth: shared memory: %s",
		    strerror(errno));
		auth_conf_free(&auth_conf);
		return -1;
	}
	if (auth_conf.jwks_url != NULL && auth_jwks_master_init(err, errlen) ==
	    -1) {
		auth_master_free();
		return -1;
	}
	if (auth_conf.jwks_url != NULL)
		log_info("auth jwt: %s pinned, keys from %s every %us",
		    jwk_alg_name(auth_conf.policy.alg), auth_conf.jwks_url,
		    auth_conf.jwks_refresh_s);
	else
		log_info("auth jwt: %s pinned, %zu key%s", jwk_alg_name(
		    auth_conf.policy.alg), jwk_set_count(auth_conf.keys),
		    jwk_set_count(auth_conf.keys) == 1 ? "" : "s");
	return 0;
}

void
auth_master_reaped(int slot)
{
	auth_limit_clear_slot(auth_limits, (uint32_t)slot);
	auth_jwks_master_reaped(slot);
}

void
auth_master_free(void)
{
	auth_limit_destroy(auth_limits);
	auth_limits = NULL;
	auth_jwks_master_free();
	auth_conf_free(&auth_conf);
}

void
auth_worker_init(int slot, struct event_base *base)
{
	auth_slot = slot;
	if (auth_conf.sessions || auth_conf.rate_redis)
		auth_session_start(base, auth_conf.redis,
		    auth_conf.session_prefix, auth_conf.session_timeout_ms);
	if (auth_conf.jwks_url != NULL)
		auth_jwks_start(base);
}

void
auth_worker_free(void)
{
	auth_jwks_stop();
	auth_session_stop();
}
