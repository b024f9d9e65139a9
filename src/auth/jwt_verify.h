/*
 * JWT verification without sockets: bytes in, an identity or a reason out.
 *
 * libjwt 1.10 takes the algorithm from the token, accepts "alg":"none"
 * with a NULL key and checks no claims, so this module parses the JOSE
 * header itself, pins the algorithm from configuration, picks the key by
 * kid, calls jwt_decode only with a key that suits the pinned algorithm,
 * re-checks the algorithm libjwt used and then checks every claim itself.
 */
#ifndef HL_JWT_VERIFY_H
#define HL_JWT_VERIFY_H

#include <stddef.h>
#include <time.h>

#include <jwt.h>

#include "auth/jwk.h"

#define JWT_TOKEN_MAX	8192	/* bytes of a compact token */
#define JWT_HEADER_MAX	1024	/* decoded JOSE header bytes */
#define JWT_USER_MAX	256	/* bytes of a user id */
#define JWT_ROLE_MAX	256	/* bytes of one role */
#define JWT_ROLES_MAX	128	/* roles of one identity */
#define JWT_AUD_MAX	64	/* entries of an "aud" array */
#define JWT_LEEWAY_MAX	86400	/* seconds */
#define JWT_ROLES_PATH_DEPTH 8	/* names in a roles claim path */
#define JWT_MESSAGE_MAX 96

/* Why a token was refused. jwt_fail_name() gives the metric label. */
enum jwt_fail {
	JWT_FAIL_NONE,
	JWT_FAIL_MALFORMED,	/* not header.payload.signature of JSON */
	JWT_FAIL_TOO_LARGE,	/* token or header over the bounds */
	JWT_FAIL_BAD_ALG,	/* alg not the pinned one, or the key's */
	JWT_FAIL_UNKNOWN_KID,	/* no key for the token's kid */
	JWT_FAIL_NO_KEYS,	/* the key set is empty or absent */
	JWT_FAIL_BAD_SIGNATURE,
	JWT_FAIL_EXPIRED,
	JWT_FAIL_NOT_YET_VALID,
	JWT_FAIL_NO_EXPIRY,	/* no "exp" and the policy requires one */
	JWT_FAIL_BAD_ISSUER,
	JWT_FAIL_BAD_AUDIENCE,
	JWT_FAIL_NO_SUBJECT,	/* user claim missing, empty or unusable */
	JWT_FAIL_BAD_ROLES,	/* roles not strings, too many, too long */
	JWT_FAIL_COUNT
};

/* A refusal: the reason and a short message for logs and the 401 body.
 * Messages never quote the token, so they are safe to send back. */
struct jwt_result {
	enum jwt_fail	 fail;
	char		 message[JWT_MESSAGE_MAX];
};

/* What a verified token says about its bearer. Owned by the caller of
 * jwt_verify_token, freed with auth_identity_free. */
struct auth_identity {
	char		 *user;
	char		**roles;	/* NULL-terminated, possibly empty */
	size_t		  nroles;
	time_t		  exp;		/* "exp", or 0 when it has none */
};

/* How tokens are checked. Strings are borrowed and must outlive every
 * jwt_verify_token call that uses the policy. */
struct jwt_policy {
	jwt_alg_t	 alg;		/* pinned; never taken from the token */
	const char	*issuer;	/* exact "iss", or NULL: not checked */
	const char	*audience;	/* must appear in "aud"; NULL: any */
	int		 audience_azp;	/* also accept "azp" == audience */
	unsigned	 leeway;	/* seconds of skew allowed on exp/nbf */
	int		 allow_no_exp;	/* accept tokens without "exp" */
	const char	*user_claim;	/* NULL: "sub" */
	/* Dot-separated path to an array of role strings. NULL: Keycloak's
	 * realm_access.roles plus resource_access.<roles_client>.roles. */
	const char	*roles_claim;
	const char	*roles_client;	/* Keycloak client id, or NULL */
};

/* The JOSE header fields hotline reads. */
struct jwt_header {
	jwt_alg_t	 alg;		/* JWT_ALG_INVAL for unsupported ones */
	int		 has_kid;
	char		 kid[JWK_KID_MAX + 1];
};

/* The metric label for fail ("malformed", "bad_alg", ...); "ok" for NONE. */
const char	*jwt_fail_name(enum jwt_fail fail);

/* Defaults: alg pinned as given, no iss/aud check, no leeway, exp
 * required, user from "sub", Keycloak realm roles. */
void	 jwt_policy_init(struct jwt_policy *policy, jwt_alg_t alg);
/* 0 if policy can be used (a supported alg, leeway and claim names in
 * bounds); -1 with a cause in err otherwise. For configuration loading. */
int	 jwt_policy_check(const struct jwt_policy *policy, char *err,
	    size_t errlen);

/*
 * Verify the compact token of len bytes (no NUL needed) against policy
 * with a key from keys (NULL: none) at time now. Returns 0 and sets *out
 * to a new identity the caller frees; or -1 with *out NULL and the reason
 * in *res. Nothing a client sends makes it abort.
 */
int	 jwt_verify_token(const struct jwt_policy *policy,
	    const struct jwk_set *keys, const char *token, size_t len,
	    time_t now, struct auth_identity **out, struct jwt_result *res);

/* Parse the first segment of a token (len base64url characters) into *h.
 * Returns 0, or -1 with res set (malformed, too_large, bad_alg for "none"
 * or anything unsupported, or a "crit" header). */
int	 jwt_header_parse(const char *seg, size_t len, struct jwt_header *h,
	    struct jwt_result *res);

/* The token in an Authorization value or a first-message "token" field:
 * "Bearer <token>" (scheme case-insensitive) or a bare token. Sets *token
 * and *toklen inside value; returns -1 for an empty token or another
 * scheme. */
int	 jwt_bearer(const char *value, size_t len, const char **token,
	    size_t *toklen);

/* Free an identity; NULL is fine. */
void	 auth_identity_free(struct auth_identity *id);

#endif
