/*
 * hotline-bench: client frames built once and patched in place, and the
 * cheap byte checks applied to responses.
 *
 * Why not wslay_event_queue_msg() for the hot loop: measured with a malloc
 * counter (bench/client/wslay_alloc_probe.c, wslay 1.1.1), queueing and
 * sending one client message costs 3 mallocs and a copy, and the buffered
 * receive path 4 mallocs per message. With no_buffering and the frame chunk
 * callbacks the receive path costs none, so wslay parses what the server
 * sends, and the requests are frames masked once here and re-masked only
 * where the request id changes.
 */
#include "autoconf.h"

#include <string.h>
#include <sys/random.h>

#include "bench.h"

/* Bytes of a masked client frame header for a payload of len bytes. */
size_t
bench_frame_header_len(size_t len)
{
	return (len < 126 ? 2 : len < 65536 ? 4 : 10) + 4;
}

/*
 * Write a final, masked frame of opcode with payload into out; a random mask
 * is chosen and returned in mask. Returns the frame length, 0 if too small.
 */
size_t
bench_frame_build(uint8_t *out, size_t size, int opcode, const void *payload,
    size_t len, uint8_t mask[4])
{
	size_t h = bench_frame_header_len(len), i;
	const uint8_t *src = payload;

	if (size < h + len)
		return 0;
	out[0] = (uint8_t)(0x80 | opcode);
	if (len < 126) {
		out[1] = (uint8_t)(0x80 | len);
	} else if (len < 65536) {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
	} else {
		out[1] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	bench_random(mask, 4);
	memcpy(out + h - 4, mask, 4);
	for (i = 0; i < len; i++)
		out[h + i] = src[i] ^ mask[i & 3];
	return h + len;
}

/* Overwrite n payload bytes at offset at with src, masked. */
void
bench_frame_patch(uint8_t *payload, size_t at, const char *src, size_t n,
    const uint8_t mask[4])
{
	size_t i;

	for (i = 0; i < n; i++)
		payload[at + i] = (uint8_t)src[i] ^ mask[(at + i) & 3];
}

/*
 * Where the value of "key" starts in a JSON text, skipping the colon and
 * blanks; NULL when the key is absent. A substring match, not a parser: the
 * bench checks its own echoes, and keys inside the echoed message cannot
 * collide because the payload is made of 'x'.
 */
const char *
bench_json_value(const uint8_t *data, size_t len, const char *key)
{
	size_t kl = strlen(key);
	const uint8_t *p = data, *end = data + len;

	while ((p = memmem(p, (size_t)(end - p), key, kl)) != NULL) {
		p += kl;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == ':') {
			p++;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			return (const char *)p;
		}
	}
	return NULL;
}

/* Random bytes for keys and masks; they need not be secret. */
void
bench_random(void *buf, size_t len)
{
	static __thread uint64_t x;
	uint8_t *b = buf;
	size_t i;

	if (x == 0 && getrandom(&x, sizeof x, 0) != sizeof x)
		x = (uint64_t)bench_now() | 1;
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (uint8_t)(x >> 32);
	}
}
