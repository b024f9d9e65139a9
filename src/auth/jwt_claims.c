/* Claim checks (exp, nbf, iss, aud) and claims to identity (user, roles). */
#include "autoconf.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth/jwt_claims.h"
#include "core/util.h"


/* Roles being collected, deduplicated. */
struct jwt_roles {
	char	*list[JWT_ROLES_MAX + 1];
	size_t	 count;
};

int
jwt_result_fail(struct jwt_result *res, enum jwt_fail fail, const char *fmt,
    ...)
{
	va_list ap;

	res->fail = fail;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof res->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* Read NumericDate claim name into *t: 1 if present, 0 if absent, -1 (res
 * set) if not a number in range. Fractions are truncated toward the past. */
static int
jwt_claims_date(const json_t *claims, const char *name, int64_t *t,
    struct jwt_result *res)
{
	const json_t *v = json_object_get(claims, name);
	double d;

	if (v == NULL)
		return 0;
	if (json_is_integer(v)) {
		*t = (int64_t)json_integer_value(v);
		return 1;
	}
	/* Beyond 2^53 a double is not a second-exact date anyway. */
	if (json_is_real(v) &&
	    fabs(d = json_real_value(v)) < 9007199254740992.0) {
		*t = (int64_t)floor(d);
		return 1;
	}
	return jwt_result_fail(res, JWT_FAIL_MALFORMED,
	    "\"%s\" is not a NumericDate", name);
}

/* exp and nbf against now with the policy's leeway; sets *exp. */
static int
jwt_claims_time(const struct jwt_policy *policy, const json_t *claims,
    time_t now, time_t *exp, struct jwt_result *res)
{
	int64_t t, leeway = policy->leeway, when = (int64_t)now;
	int has;

	if ((has = jwt_claims_date(claims, "exp", &t, res)) < 0)
		return -1;
	if (has == 0 && !policy->allow_no_exp)
		return jwt_result_fail(res, JWT_FAIL_NO_EXPIRY,
		    "token has no \"exp\"");
	/* Valid while now < exp + leeway (RFC 7519 4.1.4), without overflow. */
	if (has && when - leeway >= t)
		return jwt_result_fail(res, JWT_FAIL_EXPIRED, "token expired");
	*exp = has ? (time_t)HL_MAX(t, 1) : 0;
	if ((has = jwt_claims_date(claims, "nbf", &t, res)) < 0)
		return -1;
	if (has && when + leeway < t)
		return jwt_result_fail(res, JWT_FAIL_NOT_YET_VALID,
		    "token not valid yet");
	return 0;
}

/* Whether v is a string equal to want (no embedded NUL). */
static int
jwt_claims_string_is(const json_t *v, const char *want)
{
	return json_is_string(v) && json_string_length(v) == strlen(want) &&
	    strcmp(json_string_value(v), want) == 0;
}

/* iss must equal the configured issuer exactly. */
static int
jwt_claims_issuer(const struct jwt_policy *policy, const json_t *claims,
    struct jwt_result *res)
{
	if (policy->issuer == NULL ||
	    jwt_claims_string_is(json_object_get(claims, "iss"),
		policy->issuer))
		return 0;
	return jwt_result_fail(res, JWT_FAIL_BAD_ISSUER,
	    "issuer is not the configured one");
}

/* aud (a string or an array of strings) must name the audience; or azp
 * when the policy allows Keycloak's authorized party instead. */
static int
jwt_claims_audience(const struct jwt_policy *policy, const json_t *claims,
    struct jwt_result *res)
{
	const json_t *aud = json_object_get(claims, "aud");
	size_t i;

	if (policy->audience == NULL ||
	    jwt_claims_string_is(aud, policy->audience))
		return 0;
	if (json_array_size(aud) > JWT_AUD_MAX)
		return jwt_result_fail(res, JWT_FAIL_BAD_AUDIENCE,
		    "\"aud\" lists more than %d entries", JWT_AUD_MAX);
	for (i = 0; i < json_array_size(aud); i++)
		if (jwt_claims_string_is(json_array_get(aud, i),
			policy->audience))
			return 0;
	if (policy->audience_azp &&
	    jwt_claims_string_is(json_object_get(claims, "azp"),
		policy->audience))
		return 0;
	return jwt_result_fail(res, JWT_FAIL_BAD_AUDIENCE,
	    "token is not meant for this audience");
}

/* Whether v is a string of 1..max bytes without control characters (it
 * ends up in logs, Redis keys and replies). */
static int
jwt_claims_clean(const json_t *v, size_t max)
{
	const unsigned char *s;
	size_t i, len;

	if (!json_is_string(v) || (len = json_string_length(v)) == 0 ||
	    len > max)
		return 0;
	s = (const unsigned char *)json_string_value(v);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* The user id claim, checked. */
static const char *
jwt_claims_user(const struct jwt_policy *policy, const json_t *claims,
    struct jwt_result *res)
{
	const char *name = policy->user_claim != NULL ? policy->user_claim :
							"sub";
	const json_t *v = json_object_get(claims, name);

	if (v == NULL) {
		jwt_result_fail(res, JWT_FAIL_NO_SUBJECT, "no \"%.32s\" claim",
		    name);
		return NULL;
	}
	if (!jwt_claims_clean(v, JWT_USER_MAX)) {
		jwt_result_fail(res, JWT_FAIL_NO_SUBJECT,
		    "\"%.32s\" is not a usable user id", name);
		return NULL;
	}
	return json_string_value(v);
}

/* The value at a dot-separated path of object members, or NULL. */
static const json_t *
jwt_claims_path(const json_t *claims, const char *path)
{
	const char *dot;
	char part[JWT_ROLE_MAX];
	int depth;

	for (depth = 0; claims != NULL && depth < JWT_ROLES_PATH_DEPTH;
	    depth++) {
		dot = strchr(path, '.');
		if (dot == NULL)
			return json_object_get(claims, path);
		if ((size_t)(dot - path) >= sizeof part)
			return NULL;
		memcpy(part, path, (size_t)(dot - path));
		part[dot - path] = '\0';
		claims = json_object_get(claims, part);
		path = dot + 1;
	}
	return NULL;
}

/* Add one role unless already there. */
static int
jwt_roles_add(struct jwt_roles *roles, const char *role,
    struct jwt_result *res)
{
	size_t i;

	for (i = 0; i < roles->count; i++)
		if (strcmp(roles->list[i], role) == 0)
			return 0;
	if (roles->count == JWT_ROLES_MAX)
		return jwt_result_fail(res, JWT_FAIL_BAD_ROLES,
		    "more than %d roles", JWT_ROLES_MAX);
	roles->list[roles->count++] = xstrdup(role);
	return 0;
}

/* Add the roles of an array of strings (absent: none). */
static int
jwt_roles_add_array(struct jwt_roles *roles, const json_t *array,
    struct jwt_result *res)
{
	size_t i;

	if (array == NULL)
		return 0;
	if (!json_is_array(array))
		return jwt_result_fail(res, JWT_FAIL_BAD_ROLES,
		    "roles are not an array");
	if (json_array_size(array) > JWT_ROLES_MAX)
		return jwt_result_fail(res, JWT_FAIL_BAD_ROLES,
		    "more than %d roles", JWT_ROLES_MAX);
	for (i = 0; i < json_array_size(array); i++) {
		if (!jwt_claims_clean(json_array_get(array, i), JWT_ROLE_MAX))
			return jwt_result_fail(res, JWT_FAIL_BAD_ROLES,
			    "a role is not a short string");
		if (jwt_roles_add(roles,
			json_string_value(json_array_get(array, i)), res) < 0)
			return -1;
	}
	return 0;
}

/* Collect roles from the configured path, or Keycloak's realm and client
 * roles. The client id may contain dots, so it is not a path component. */
static int
jwt_claims_roles(const struct jwt_policy *policy, const json_t *claims,
    struct jwt_roles *roles, struct jwt_result *res)
{
	const json_t *client;

	if (policy->roles_claim != NULL)
		return jwt_roles_add_array(roles,
		    jwt_claims_path(claims, policy->roles_claim), res);
	if (jwt_roles_add_array(roles,
		jwt_claims_path(claims, "realm_access.roles"), res) < 0)
		return -1;
	if (policy->roles_client == NULL)
		return 0;
	client = json_object_get(json_object_get(claims, "resource_access"),
	    policy->roles_client);
	return jwt_roles_add_array(roles, json_object_get(client, "roles"),
	    res);
}

/* Free roles collected so far. */
static void
jwt_roles_clear(struct jwt_roles *roles)
{
	while (roles->count > 0)
		free(roles->list[--roles->count]);
}

int
jwt_claims_check(const struct jwt_policy *policy, const json_t *claims,
    time_t now, struct auth_identity **out, struct jwt_result *res)
{
	struct jwt_roles roles = { .count = 0 };
	struct auth_identity *id;
	const char *user;
	time_t exp = 0;

	*out = NULL;
	if (jwt_claims_time(policy, claims, now, &exp, res) < 0 ||
	    jwt_claims_issuer(policy, claims, res) < 0 ||
	    jwt_claims_audience(policy, claims, res) < 0 ||
	    (user = jwt_claims_user(policy, claims, res)) == NULL)
		return -1;
	if (jwt_claims_roles(policy, claims, &roles, res) < 0) {
		jwt_roles_clear(&roles);
		return -1;
	}
	id = xcalloc(1, sizeof *id);
	id->user = xstrdup(user);
	id->roles = xcalloc(roles.count + 1, sizeof *id->roles);
	memcpy(id->roles, roles.list, roles.count * sizeof *id->roles);
	id->nroles = roles.count;
	id->exp = exp;
	*out = id;
	return 0;
}
