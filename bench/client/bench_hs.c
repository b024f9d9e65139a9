/*
 * hotline-bench: the client side of the HTTP/1.1 upgrade (RFC 6455 §4.1),
 * written independently of hotline's parser. Bytes in, bytes out.
 */
#include "autoconf.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bench.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* A fresh random Sec-WebSocket-Key and the Accept value it must produce. */
int
bench_hs_key(char key[25], char accept[29])
{
	unsigned char raw[16], sha[SHA_DIGEST_LENGTH], cat[24 + 36];

	bench_random(raw, sizeof raw);
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw);
	memcpy(cat, key, 24);
	memcpy(cat + 24, ws_guid, 36);
	if (SHA1(cat, sizeof cat, sha) == NULL)
		return -1;
	EVP_EncodeBlock((unsigned char *)accept, sha, sizeof sha);
	return 0;
}

/* The upgrade request; its length, or -1 if it does not fit. */
int
bench_hs_request(
    char *buf, size_t size, const struct bench_opts *o, const char *key)
{
	int n;

	n = snprintf(buf, size,
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "%s%s%s"
	    "\r\n",
	    o->path, o->host, key,
	    o->token && o->token_header ? "Authorization: Bearer " : "",
	    o->token && o->token_header ? o->token : "",
	    o->token && o->token_header ? "\r\n" : "");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* True when the comma-separated header value lists token (any case). */
static int
hs_has_token(const char *v, size_t len, const char *token)
{
	size_t tl = strlen(token), i = 0, j;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (j = i; j < len && v[j] != ','; j++)
			;
		while (j > i && (v[j - 1] == ' ' || v[j - 1] == '\t'))
			j--;
		if (j - i == tl && strncasecmp(v + i, token, tl) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

/* Check one "Name: value" line against the three headers we require. */
static void
hs_header(const char *line, size_t len, const char *accept, unsigned *seen)
{
	const char *colon = memchr(line, ':', len), *v;
	size_t nl, vl;

	if (colon == NULL)
		return;
	nl = (size_t)(colon - line);
	v = colon + 1;
	vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (nl == 7 && strncasecmp(line, "Upgrade", 7) == 0 &&
	    hs_has_token(v, vl, "websocket"))
		*seen |= 1;
	else if (nl == 10 && strncasecmp(line, "Connection", 10) == 0 &&
	    hs_has_token(v, vl, "upgrade"))
		*seen |= 2;
	else if (nl == 20 &&
	    strncasecmp(line, "Sec-WebSocket-Accept", 20) == 0 &&
	    vl == strlen(accept) && memcmp(v, accept, vl) == 0)
		*seen |= 4;
}

/*
 * Check a complete response head (through the blank line): 101, Upgrade,
 * Connection and the expected Accept. 0 when valid, else -1 and a cause.
 */
int
bench_hs_response(
    const char *buf, size_t len, const char *accept, const char **cause)
{
	const char *p = buf, *end = buf + len, *eol;
	unsigned seen = 0;

	if (len < 12 || memcmp(buf, "HTTP/1.1 ", 9) != 0) {
		*cause = "not an HTTP/1.1 response";
		return -1;
	}
	if (memcmp(buf + 9, "101", 3) != 0) {
		static __thread char why[40];

		snprintf(why, sizeof why, "status %.3s, not 101", buf + 9);
		*cause = why;
		return -1;
	}
	while ((eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t l = (size_t)(eol - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (p != buf)
			hs_header(p, l, accept, &seen);
		p = eol + 1;
	}
	if (seen != 7) {
		*cause = !(seen & 1) ? "no Upgrade: websocket"
		    : !(seen & 2)    ? "no Connection: Upgrade"
				     : "wrong or missing Sec-WebSocket-Accept";
		return -1;
	}
	return 0;
}
