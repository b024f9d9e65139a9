/* hotline-token: mint a signed JWT for load tests, examples and the docs.
 * See man/hotline-token.1. */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/jwk.h"
#include "auth/jwt_mint.h"

#define TOKEN_FILE_MAX	16384
#define TOKEN_ROLES_MAX	128

/* What the command line asked for. */
struct token_opts {
	struct jwt_mint	 mint;
	unsigned char	*key;		/* owned: secret or PEM */
	char		*roles_copy;	/* owned: split in place */
	const char	*roles[TOKEN_ROLES_MAX];
	const char	*claims[JWT_MINT_CLAIMS_MAX + 1];
};

static const struct option token_longopts[] = {
	{ "secret", required_argument, NULL, 's' },
	{ "secret-file", required_argument, NULL, 'S' },
	{ "key", required_argument, NULL, 'k' },
	{ "alg", required_argument, NULL, 'a' },
	{ "sub", required_argument, NULL, 'u' },
	{ "roles", required_argument, NULL, 'r' },
	{ "exp", required_argument, NULL, 'e' },
	{ "no-exp", no_argument, NULL, 'E' },
	{ "nbf", required_argument, NULL, 'n' },
	{ "aud", required_argument, NULL, 'A' },
	{ "iss", required_argument, NULL, 'i' },
	{ "kid", required_argument, NULL, 'K' },
	{ "claim", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
token_usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: hotline-token (--secret S | --secret-file F | --key PEM)\n"
	    "         --sub USER [--alg HS256|HS384|HS512|RS256|ES256]\n"
	    "         [--roles a,b] [--exp SECONDS | --no-exp]\n"
	    "         [--nbf SECONDS] [--aud A] [--iss I] [--kid K]\n"
	    "         [--claim NAME=VALUE]...\n"
	    "       hotline-token --version\n");
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
token_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hotline-token: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Read a whole small file; dies on error. */
static unsigned char *
token_read(const char *path, size_t *len)
{
	unsigned char *buf = malloc(TOKEN_FILE_MAX + 1);
	FILE *fp = fopen(path, "re");
	size_t n;

	if (fp == NULL || buf == NULL)
		token_die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, TOKEN_FILE_MAX + 1, fp);
	if (ferror(fp) || n > TOKEN_FILE_MAX)
		token_die("%s: %s", path,
		    ferror(fp) ? "read error" : "file too large");
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* A number of seconds, or die. */
static long
token_seconds(const char *arg, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v > INT_MAX ||
	    v < -INT_MAX)
		token_die("%s: \"%s\" is not a number of seconds", what, arg);
	return v;
}

/* Split "a,b,c" into o->roles. */
static void
token_roles(struct token_opts *o, const char *arg)
{
	char *p, *save = NULL;

	free(o->roles_copy);
	o->roles_copy = strdup(arg);
	o->mint.roles = o->roles;
	o->mint.nroles = 0;
	for (p = strtok_r(o->roles_copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (o->mint.nroles == TOKEN_ROLES_MAX)
			token_die("more than %d roles", TOKEN_ROLES_MAX);
		o->roles[o->mint.nroles++] = p;
	}
}

/* Take the key: a secret string or file, or a private key PEM file. */
static void
token_key(struct token_opts *o, int opt, const char *arg)
{
	size_t len;

	if (o->key != NULL)
		token_die("give one of --secret, --secret-file, --key");
	if (opt == 's') {
		o->key = (unsigned char *)strdup(arg);
		len = strlen(arg);
		/* Blank it in argv so ps shows it no longer (it did briefly:
		 * --secret-file is the safe way). */
		memset((char *)arg, 'x', len);
	} else {
		o->key = token_read(arg, &len);
		/* A secret file's final newline is not part of the secret,
		 * as for the daemon's secret files. */
		if (opt == 'S' && len > 0 && o->key[len - 1] == '\n')
			len--;
	}
	o->mint.key = o->key;
	o->mint.key_len = len;
	o->mint.key_is_pem = opt == 'k';
}

/* One option into o. */
static void
token_option(struct token_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 's': case 'S': case 'k': token_key(o, opt, arg); break;
	case 'a':
		if ((o->mint.alg = jwk_alg_parse(arg)) == JWT_ALG_INVAL)
			token_die("--alg: \"%s\" is not one of HS256, HS384, "
				  "HS512, RS256, ES256", arg);
		break;
	case 'u': o->mint.sub = arg; break;
	case 'r': token_roles(o, arg); break;
	case 'e':
		o->mint.has_exp = 1;
		o->mint.exp = token_seconds(arg, "--exp");
		break;
	case 'E': o->mint.has_exp = 0; break;
	case 'n':
		o->mint.has_nbf = 1;
		o->mint.nbf = token_seconds(arg, "--nbf");
		break;
	case 'A': o->mint.aud = arg; break;
	case 'i': o->mint.iss = arg; break;
	case 'K': o->mint.kid = arg; break;
	case 'c':
		if (o->mint.nclaims == JWT_MINT_CLAIMS_MAX)
			token_die("more than %d --claim options",
			    JWT_MINT_CLAIMS_MAX);
		o->claims[o->mint.nclaims++] = arg;
		break;
	case 'h': token_usage(0);
	case 'V':
		printf("hotline-token %s\n", PACKAGE_VERSION);
		exit(0);
	default: token_usage(2);
	}
}

int
main(int argc, char **argv)
{
	struct token_opts o = { .mint = { .alg = JWT_ALG_INVAL,
					.has_exp = 1, .exp = 3600 } };
	char err[JWK_ERR_MAX], *token;
	int opt;

	o.mint.claims = o.claims;
	while ((opt = getopt_long(argc, argv, "hV", token_longopts, NULL)) !=
	    -1)
		token_option(&o, opt, optarg);
	if (optind != argc)
		token_usage(2);
	if (o.key == NULL)
		token_die("no key: give --secret, --secret-file or --key");
	if (o.mint.sub == NULL)
		token_die("no subject: give --sub");
	o.mint.now = time(NULL);
	token = jwt_mint_token(&o.mint, err, sizeof err);
	OPENSSL_cleanse(o.key, o.mint.key_len);
	free(o.key);
	free(o.roles_copy);
	if (token == NULL)
		token_die("%s", err);
	printf("%s\n", token);
	free(token);
	return 0;
}
