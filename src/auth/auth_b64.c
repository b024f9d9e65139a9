/* base64url without padding, strict on input (RFC 7515 section 2). */
#include "autoconf.h"

#include <stdint.h>

#include "auth/auth_b64.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of a base64url character, or -1. */
static int
b64url_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
auth_b64url_char(int c)
{
	return b64url_value(c) >= 0;
}

long
auth_b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outcap)
{
	uint32_t acc = 0;
	size_t i, n = 0;
	int bits = 0, v;

	/* One leftover character carries only 6 bits: never a whole byte. */
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == outcap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two texts would decode alike. */
	if (acc != 0)
		return -1;
	return (long)n;
}

size_t
auth_b64url_encode(const unsigned char *in, size_t len, char *out)
{
	uint32_t acc = 0;
	size_t i, n = 0;
	int bits = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[n++] = b64url_alphabet[(acc >> bits) & 63];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[n++] = b64url_alphabet[(acc << (6 - bits)) & 63];
	out[n] = '\0';
	return n;
}
