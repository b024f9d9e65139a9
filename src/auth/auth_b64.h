/* base64url without padding (RFC 7515 section 2), as JOSE uses it. */
#ifndef HL_AUTH_B64_H
#define HL_AUTH_B64_H

#include <stddef.h>

/* Bytes needed to decode len characters (an upper bound). */
#define AUTH_B64_DECODED_MAX(len) ((len) / 4 * 3 + 3)
/* Characters needed to encode len bytes, plus the NUL. */
#define AUTH_B64_ENCODED_SIZE(len) (((len) + 2) / 3 * 4 + 1)

/* Decode len characters of in into out (outcap bytes). Strict: only the
 * base64url alphabet, no padding, no whitespace, and the unused low bits of
 * the last character must be zero, so every byte string has exactly one
 * encoding. Returns the decoded length, or -1 if the text is not canonical
 * base64url or does not fit. */
long	auth_b64url_decode(const char *in, size_t len, unsigned char *out,
	    size_t outcap);

/* Encode len bytes into out, which must hold AUTH_B64_ENCODED_SIZE(len)
 * bytes; NUL-terminates it. Returns the length without the NUL. */
size_t	auth_b64url_encode(const unsigned char *in, size_t len, char *out);

/* Whether c belongs to the base64url alphabet. */
int	auth_b64url_char(int c);

#endif
