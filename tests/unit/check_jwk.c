/* Unit tests for key sets: base64url, JWK to PEM against OpenSSL-made keys
 * (signed with the private key, verified through the JWKS path), JWKS
 * documents with mixed and ignored keys, PEM and secret inputs, bounds. */
#include "autoconf.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "auth_keys.h"
#include "auth/jwk.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_verify.h"
#include "core/util.h"

#define NOW	1700000000

static struct test_pair rsa, rsa_small, ec, ec384;
static char err[JWK_ERR_MAX];

/* {"keys": [...]} from JWK objects (stolen references), as text. */
static char *
jwks_doc(json_t *first, ...)
{
	json_t *doc = json_object(), *keys = json_array(), *k;
	va_list ap;
	char *text;

	va_start(ap, first);
	for (k = first; k != NULL; k = va_arg(ap, json_t *))
		json_array_append_new(keys, k);
	va_end(ap);
	json_object_set_new(doc, "keys", keys);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

/* jwks_load on a NUL-terminated text. */
static struct jwk_set *
load(const char *text)
{
	return jwks_load(text, strlen(text), err, sizeof err);
}

/* Sign with pair's private key under kid and verify through set. */
static enum jwt_fail
sign_and_verify(const struct test_pair *p, jwt_alg_t alg, const char *kid,
    const struct jwk_set *set)
{
	struct jwt_mint m = {
		.alg = alg, .key = (const unsigned char *)p->priv,
		.key_len = strlen(p->priv), .key_is_pem = 1, .sub = "kim",
		.kid = kid, .now = NOW, .has_exp = 1, .exp = 60,
	};
	struct auth_identity *id = NULL;
	struct jwt_policy policy;
	struct jwt_result res;
	char *token = jwt_mint_token(&m, err, sizeof err);

	ck_assert_msg(token != NULL, "%s", err);
	jwt_policy_init(&policy, alg);
	if (jwt_verify_token(&policy, set, token, strlen(token), NOW, &id,
		&res) == 0) {
		ck_assert_str_eq(id->user, "kim");
		res.fail = JWT_FAIL_NONE;
	}
	auth_identity_free(id);
	free(token);
	return res.fail;
}

/* --- base64url ------------------------------------------------------------ */

START_TEST(test_b64url)
{
	static const struct {
		const char	*text;
		const char	*bytes;	/* NULL: invalid */
	} cases[] = {
		{ "", "" }, { "YQ", "a" }, { "YWI", "ab" }, { "YWJj", "abc" },
		{ "_-8", "\xff\xef" }, { "YR", NULL }, { "YWK", NULL },
		{ "Y", NULL }, { "YQ==", NULL }, { "YW J", NULL },
		{ "YW+j", NULL }, { "YW/j", NULL }, { "YWJjZ", NULL },
	};
	unsigned char out[16];
	char enc[AUTH_B64_ENCODED_SIZE(16)];
	size_t i;
	long n;

	for (i = 0; i < HL_ARRAY_LEN(cases); i++) {
		n = auth_b64url_decode(cases[i].text, strlen(cases[i].text),
		    out, sizeof out);
		if (cases[i].bytes == NULL) {
			ck_assert_msg(n == -1, "accepted \"%s\"",
			    cases[i].text);
			continue;
		}
		ck_assert_int_eq(n, (long)strlen(cases[i].bytes));
		ck_assert(memcmp(out, cases[i].bytes, (size_t)n) == 0);
		auth_b64url_encode(out, (size_t)n, enc);
		ck_assert_str_eq(enc, cases[i].text);
	}
	/* Output capacity is respected. */
	ck_assert_int_eq(auth_b64url_decode("YWJj", 4, out, 2), -1);
}
END_TEST

START_TEST(test_b64url_roundtrip)
{
	unsigned char in[256], out[256];
	char enc[AUTH_B64_ENCODED_SIZE(256)];
	size_t len, i, n;

	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (len = 0; len <= sizeof in; len++) {
		n = auth_b64url_encode(in, len, enc);
		ck_assert_int_eq(auth_b64url_decode(enc, n, out, sizeof out),
		    (long)len);
		ck_assert(memcmp(in, out, len) == 0);
	}
}
END_TEST

/* --- JWK to PEM ----------------------------------------------------------- */

START_TEST(test_rsa_jwk_to_pem)
{
	char *doc = jwks_doc(test_pair_jwk(&rsa, "r1", "sig", "RS256"), NULL);
	struct jwk_set *set = load(doc);
	const struct jwk_key *key;

	ck_assert_msg(set != NULL, "%s", err);
	ck_assert_uint_eq(jwk_set_count(set), 1);
	key = jwk_set_key(set, 0);
	ck_assert_str_eq(key->kid, "r1");
	ck_assert_int_eq(key->kind, JWK_KIND_RSA);
	ck_assert_int_eq(key->alg, JWT_ALG_RS256);
	/* The PEM built from n/e is the one OpenSSL writes for the key. */
	ck_assert_str_eq((const char *)key->material, rsa.pub);
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "r1", set),
	    JWT_FAIL_NONE);
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "r2", set),
	    JWT_FAIL_UNKNOWN_KID);
	jwk_set_free(set);
	free(doc);
}
END_TEST

START_TEST(test_ec_jwk_to_pem)
{
	char *doc = jwks_doc(test_pair_jwk(&ec, "e1", NULL, NULL), NULL);
	struct jwk_set *set = load(doc);
	const struct jwk_key *key;

	ck_assert_msg(set != NULL, "%s", err);
	key = jwk_set_key(set, 0);
	ck_assert_int_eq(key->kind, JWK_KIND_EC_P256);
	ck_assert_int_eq(key->alg, JWT_ALG_INVAL);
	ck_assert_str_eq((const char *)key->material, ec.pub);
	ck_assert_int_eq(sign_and_verify(&ec, JWT_ALG_ES256, "e1", set),
	    JWT_FAIL_NONE);
	/* An RS256 pin cannot use the EC key. */
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "e1", set),
	    JWT_FAIL_BAD_ALG);
	jwk_set_free(set);
	free(doc);
}
END_TEST

START_TEST(test_ec_point_off_curve)
{
	json_t *jwk = test_pair_jwk(&ec, "e1", "sig", "ES256");
	unsigned char y[32];
	char *doc;

	ck_assert_int_eq(auth_b64url_decode(json_string_value(json_object_get(
	    jwk, "y")), 43, y, sizeof y), 32);
	y[31] ^= 1;
	json_object_set_new(jwk, "y", test_b64_json(y, 32));
	doc = jwks_doc(jwk, NULL);
	ck_assert_ptr_null(load(doc));
	ck_assert_ptr_nonnull(strstr(err, "P-256"));
	free(doc);
}
END_TEST

START_TEST(test_rsa_jwk_bounds)
{
	unsigned char n[300];
	struct jwk_set *set;
	char *doc;
	json_t *jwk;

	/* 1024-bit modulus: refused, and it fails the whole document. */
	doc = jwks_doc(test_pair_jwk(&rsa_small, "s", "sig", NULL),
	    test_pair_jwk(&rsa, "r1", "sig", NULL), NULL);
	ck_assert_ptr_null(load(doc));
	ck_assert_ptr_nonnull(strstr(err, "key 0"));
	free(doc);
	/* An even exponent, and a leading zero byte on n (allowed). */
	jwk = test_pair_jwk(&rsa, "r1", "sig", NULL);
	json_object_set_new(jwk, "e", json_string("AQAA"));
	doc = jwks_doc(jwk, NULL);
	ck_assert_ptr_null(load(doc));
	free(doc);
	jwk = test_pair_jwk(&rsa, "r1", "sig", NULL);
	n[0] = 0;
	ck_assert_int_eq(auth_b64url_decode(json_string_value(json_object_get(
	    jwk, "n")), json_string_length(json_object_get(jwk, "n")), n + 1,
	    sizeof n - 1), 256);
	json_object_set_new(jwk, "n", test_b64_json(n, 257));
	doc = jwks_doc(jwk, NULL);
	set = load(doc);
	ck_assert_msg(set != NULL, "%s", err);
	jwk_set_free(set);
	free(doc);
	/* Missing or padded n. */
	jwk = test_pair_jwk(&rsa, "r1", "sig", NULL);
	json_object_del(jwk, "n");
	doc = jwks_doc(jwk, NULL);
	ck_assert_ptr_null(load(doc));
	ck_assert_ptr_nonnull(strstr(err, "\"n\""));
	free(doc);
	jwk = test_pair_jwk(&rsa, "r1", "sig", NULL);
	json_object_set_new(jwk, "e", json_string("AQAB=="));
	doc = jwks_doc(jwk, NULL);
	ck_assert_ptr_null(load(doc));
	free(doc);
}
END_TEST

/* --- JWKS documents ------------------------------------------------------- */

START_TEST(test_jwks_mixed)
{
	json_t *enc = test_pair_jwk(&rsa_small, "enc1", "enc", "RSA-OAEP");
	json_t *oct = json_pack("{s:s,s:s,s:s}", "kty", "oct", "k", "c2VjcmV0",
	    "kid", "o1");
	json_t *p384 = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kty", "EC", "crv",
	    "P-384", "x", "AA", "y", "AA", "kid", "p384");
	json_t *ps = test_pair_jwk(&rsa, "ps", "sig", "PS256");
	json_t *wrong = test_pair_jwk(&ec, "wrong", "sig", "RS256");
	json_t *okp = json_pack("{s:s,s:s,s:s}", "kty", "OKP", "crv",
	    "Ed25519", "x", "AA");
	char *doc = jwks_doc(enc, oct, test_pair_jwk(&rsa, "r1", "sig",
	    "RS256"), p384, ps, wrong, okp, json_string("junk"),
	    test_pair_jwk(&ec, "e1", "sig", "ES256"), NULL);
	struct jwk_set *set = load(doc);

	ck_assert_msg(set != NULL, "%s", err);
	ck_assert_uint_eq(jwk_set_count(set), 2);
	ck_assert_uint_eq(jwk_set_skipped(set), 7);
	ck_assert_str_eq(jwk_set_key(set, 0)->kid, "r1");
	ck_assert_str_eq(jwk_set_key(set, 1)->kid, "e1");
	ck_assert_ptr_null(jwk_set_find(set, "enc1"));
	ck_assert_ptr_null(jwk_set_find(set, "ps"));
	ck_assert_ptr_null(jwk_set_find(set, NULL));
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "r1", set),
	    JWT_FAIL_NONE);
	ck_assert_int_eq(sign_and_verify(&ec, JWT_ALG_ES256, "e1", set),
	    JWT_FAIL_NONE);
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "ps", set),
	    JWT_FAIL_UNKNOWN_KID);
	jwk_set_free(set);
	free(doc);
}
END_TEST

/* Keycloak's realm certs: extra members (x5c, x5t, x5t#S256) and an RSA
 * encryption key next to the signing key. */
START_TEST(test_jwks_keycloak_shape)
{
	json_t *sig = test_pair_jwk(&rsa, "kc-sig", "sig", "RS256");
	json_t *enc = test_pair_jwk(&rsa, "kc-enc", "enc", "RSA-OAEP");
	struct jwk_set *set;
	char *doc;

	json_object_set_new(sig, "x5c", json_pack("[s]", "MIIC..."));
	json_object_set_new(sig, "x5t", json_string("abc"));
	json_object_set_new(sig, "x5t#S256", json_string("def"));
	doc = jwks_doc(enc, sig, NULL);
	set = load(doc);
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert_uint_eq(jwk_set_count(set), 1);
	ck_assert_uint_eq(jwk_set_skipped(set), 1);
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "kc-sig", set),
	    JWT_FAIL_NONE);
	/* A Keycloak token always names its kid; one without is still fine
	 * while the set has one key. */
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, NULL, set),
	    JWT_FAIL_NONE);
	jwk_set_free(set);
	free(doc);
}
END_TEST

START_TEST(test_jwks_errors)
{
	static const char *const bad[] = {
		"", "not json", "[]", "{}", "{\"keys\":{}}", "{\"keys\":[]}",
		"{\"keys\":[{\"kty\":\"oct\"}]}", "{\"keys\":[1,2]}",
		"{\"keys\":[],\"keys\":[]}",
	};
	char *doc, *big;
	json_t *keys, *obj;
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		ck_assert_msg(load(bad[i]) == NULL, "accepted %s", bad[i]);
		ck_assert(err[0] != '\0');
	}
	/* Duplicate kid; kid not a string. */
	doc = jwks_doc(test_pair_jwk(&rsa, "d", NULL, NULL),
	    test_pair_jwk(&ec, "d", NULL, NULL), NULL);
	ck_assert_ptr_null(load(doc));
	ck_assert_ptr_nonnull(strstr(err, "duplicate"));
	free(doc);
	keys = test_pair_jwk(&rsa, NULL, NULL, NULL);
	json_object_set_new(keys, "kid", json_integer(3));
	doc = jwks_doc(keys, NULL);
	ck_assert_ptr_null(load(doc));
	free(doc);
	/* Too many entries, too many usable keys, too large a text. */
	keys = json_array();
	for (i = 0; i <= JWKS_MAX_ENTRIES; i++)
		json_array_append_new(keys, json_pack("{s:s}", "kty", "oct"));
	obj = json_pack("{s:o}", "keys", keys);
	doc = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	ck_assert_ptr_null(load(doc));
	free(doc);
	big = calloc(1, JWKS_TEXT_MAX + 2);
	memset(big, ' ', JWKS_TEXT_MAX + 1);
	ck_assert_ptr_null(load(big));
	ck_assert_ptr_nonnull(strstr(err, "over"));
	free(big);
}
END_TEST

START_TEST(test_jwks_too_many_keys)
{
	json_t *keys = json_array(), *doc;
	char kid[16], *text;
	size_t i;

	for (i = 0; i <= JWK_SET_MAX_KEYS; i++) {
		snprintf(kid, sizeof kid, "k%zu", i);
		json_array_append_new(keys,
		    test_pair_jwk(&ec, kid, NULL, NULL));
	}
	doc = json_pack("{s:o}", "keys", keys);
	text = json_dumps(doc, JSON_COMPACT);
	ck_assert_ptr_null(load(text));
	ck_assert_ptr_nonnull(strstr(err, "more than"));
	json_decref(doc);
	free(text);
}
END_TEST

/* --- secrets, PEM, files, lookup ------------------------------------------ */

/* Write text to a temporary file named into path. */
static void
write_temp(const char *text, size_t len, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/check_jwk.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_secrets)
{
	struct jwk_set *set = jwk_set_new();
	char path[64], big[JWK_SECRET_MAX + 8];
	const struct jwk_key *key;

	ck_assert_int_eq(jwk_set_add_secret(set, NULL, "short", 5, err,
	    sizeof err), -1);
	ck_assert_int_eq(jwk_set_add_secret(set, "a", big, sizeof big, err,
	    sizeof err), -1);
	write_temp("0123456789abcdef0123456789abcdef\n", 33, path, sizeof path);
	ck_assert_int_eq(jwk_set_add_secret_file(set, "a", path, err,
	    sizeof err), 0);
	unlink(path);
	key = jwk_set_find(set, "a");
	ck_assert_ptr_nonnull(key);
	ck_assert_uint_eq(key->len, 32);
	ck_assert_int_eq(key->kind, JWK_KIND_HMAC);
	ck_assert(memcmp(key->material, "0123456789abcdef", 16) == 0);
	/* A short secret file names the problem; a missing file its path. */
	write_temp("tooshort\n", 9, path, sizeof path);
	ck_assert_int_eq(jwk_set_add_secret_file(set, "b", path, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "8 bytes"));
	unlink(path);
	ck_assert_int_eq(jwk_set_add_secret_file(set, "b", "/nonexistent/x",
	    err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x"));
	/* Duplicate kid. */
	ck_assert_int_eq(jwk_set_add_secret(set, "a", big, 40, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "duplicate"));
	jwk_set_free(set);
}
END_TEST

/* A self-signed certificate for p, as PEM. */
static char *
make_cert(const struct test_pair *p)
{
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;

	ck_assert_ptr_nonnull(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, p->pkey);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"hotline", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ck_assert_int_gt(X509_sign(x, p->pkey, EVP_sha256()), 0);
	ck_assert_int_eq(PEM_write_bio_X509(bio, x), 1);
	pem = test_bio_string(bio);
	BIO_free(bio);
	X509_free(x);
	return pem;
}

START_TEST(test_pem_inputs)
{
	struct jwk_set *set = jwk_set_new();
	char *cert = make_cert(&rsa), path[64];

	/* Refused: private keys, small RSA, other curves, junk. */
	ck_assert_int_eq(jwk_set_add_pem(set, "x", rsa.priv, strlen(rsa.priv),
	    err, sizeof err), -1);
	ck_assert_int_eq(jwk_set_add_pem(set, "x", rsa_small.pub,
	    strlen(rsa_small.pub), err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "1024"));
	ck_assert_int_eq(jwk_set_add_pem(set, "x", ec384.pub,
	    strlen(ec384.pub), err, sizeof err), -1);
	ck_assert_int_eq(jwk_set_add_pem(set, "x", "junk", 4, err,
	    sizeof err), -1);
	ck_assert_uint_eq(jwk_set_count(set), 0);
	/* A certificate's key is taken and normalized. */
	ck_assert_int_eq(jwk_set_add_pem(set, "c", cert, strlen(cert), err,
	    sizeof err), 0);
	ck_assert_str_eq((const char *)jwk_set_find(set, "c")->material,
	    rsa.pub);
	ck_assert_int_eq(sign_and_verify(&rsa, JWT_ALG_RS256, "c", set),
	    JWT_FAIL_NONE);
	write_temp(ec.pub, strlen(ec.pub), path, sizeof path);
	ck_assert_int_eq(jwk_set_add_pem_file(set, "e", path, err,
	    sizeof err), 0);
	unlink(path);
	ck_assert_int_eq(sign_and_verify(&ec, JWT_ALG_ES256, "e", set),
	    JWT_FAIL_NONE);
	jwk_set_free(set);
	free(cert);
}
END_TEST

START_TEST(test_find_and_fits)
{
	struct jwk_set *set = jwk_set_new();
	struct jwk_key k = { .kind = JWK_KIND_RSA, .alg = JWT_ALG_INVAL };
	char secret[40];
	int i;

	memset(secret, 's', sizeof secret);
	ck_assert_ptr_null(jwk_set_find(set, NULL));
	ck_assert_ptr_null(jwk_set_find(NULL, "a"));
	ck_assert_int_eq(jwk_set_add_secret(set, NULL, secret, sizeof secret,
	    err, sizeof err), 0);
	/* One key without kid serves every token. */
	ck_assert_ptr_nonnull(jwk_set_find(set, NULL));
	ck_assert_ptr_nonnull(jwk_set_find(set, "anything"));
	ck_assert_int_eq(jwk_set_add_secret(set, NULL, secret, sizeof secret,
	    err, sizeof err), -1);
	ck_assert_int_eq(jwk_set_add_secret(set, "b", secret, sizeof secret,
	    err, sizeof err), 0);
	ck_assert_ptr_null(jwk_set_find(set, "anything"));
	ck_assert_ptr_null(jwk_set_find(set, NULL));
	ck_assert_str_eq(jwk_set_find(set, "b")->kid, "b");
	for (i = 2; i < JWK_SET_MAX_KEYS; i++) {
		char kid[8];

		snprintf(kid, sizeof kid, "k%d", i);
		ck_assert_int_eq(jwk_set_add_secret(set, kid, secret,
		    sizeof secret, err, sizeof err), 0);
	}
	ck_assert_int_eq(jwk_set_add_secret(set, "full", secret, sizeof secret,
	    err, sizeof err), -1);
	jwk_set_free(set);

	ck_assert(jwk_key_fits(&k, JWT_ALG_RS256));
	ck_assert(!jwk_key_fits(&k, JWT_ALG_HS256));
	ck_assert(!jwk_key_fits(&k, JWT_ALG_ES256));
	ck_assert(!jwk_key_fits(&k, JWT_ALG_NONE));
	k.alg = JWT_ALG_RS256;
	ck_assert(jwk_key_fits(&k, JWT_ALG_RS256));
	k.kind = JWK_KIND_HMAC;
	k.alg = JWT_ALG_HS384;
	ck_assert(jwk_key_fits(&k, JWT_ALG_HS384));
	ck_assert(!jwk_key_fits(&k, JWT_ALG_HS256));
	ck_assert_int_eq(jwk_alg_parse("none"), JWT_ALG_INVAL);
	ck_assert_int_eq(jwk_alg_parse("RS512"), JWT_ALG_INVAL);
	ck_assert_int_eq(jwk_alg_parse(NULL), JWT_ALG_INVAL);
	ck_assert_str_eq(jwk_alg_name(jwk_alg_parse("ES256")), "ES256");
	ck_assert_ptr_null(jwk_alg_name(JWT_ALG_NONE));
}
END_TEST

static Suite *
jwk_suite(void)
{
	Suite *s = suite_create("jwk");
	TCase *tc;

	tc = tcase_create("b64url");
	tcase_add_test(tc, test_b64url);
	tcase_add_test(tc, test_b64url_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("jwks");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_rsa_jwk_to_pem);
	tcase_add_test(tc, test_ec_jwk_to_pem);
	tcase_add_test(tc, test_ec_point_off_curve);
	tcase_add_test(tc, test_rsa_jwk_bounds);
	tcase_add_test(tc, test_jwks_mixed);
	tcase_add_test(tc, test_jwks_keycloak_shape);
	tcase_add_test(tc, test_jwks_errors);
	tcase_add_test(tc, test_jwks_too_many_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("set");
	tcase_add_test(tc, test_secrets);
	tcase_add_test(tc, test_pem_inputs);
	tcase_add_test(tc, test_find_and_fits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	test_pair_make(&rsa, "RSA", NULL, 2048);
	test_pair_make(&rsa_small, "RSA", NULL, 1024);
	test_pair_make(&ec, "EC", "P-256", 0);
	test_pair_make(&ec384, "EC", "P-384", 0);
	sr = srunner_create(jwk_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	test_pair_free(&rsa);
	test_pair_free(&rsa_small);
	test_pair_free(&ec);
	test_pair_free(&ec384);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
