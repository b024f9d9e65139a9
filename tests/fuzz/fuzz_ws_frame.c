/*
 * libFuzzer harness for the frame codec: feeds the input as one client
 * stream, whole and again in reads of a fuzzer-chosen size, and checks
 * that both deliver the same frames and fail with the same close code
 * (the partial-frame path must agree with the complete-frame path).
 * Run by `make check` and built by `make fuzz` (docs/fuzzing.md); by
 * hand, from the source tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_ws_frame.c src/ws/ws_frame.c src/ws/utf8.c \
 *       -o fuzz_ws_frame
 *   ./fuzz_ws_frame -max_total_time=60
 *
 * (autoconf.h comes from a configured tree; an empty one will do.)
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws/ws_frame.h"

struct run {
	uint64_t	frames;
	uint64_t	payload_sum;	/* a cheap digest of what came */
	uint16_t	fail;
};

/* Feed data in reads of chunk bytes (0: all at once). */
static void
run_stream(const uint8_t *data, size_t len, size_t chunk, uint64_t max,
    struct run *r)
{
	uint8_t *buf = malloc(len ? len : 1);
	size_t off = 0, avail = chunk ? 0 : len;
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	ssize_t n;

	memcpy(buf, data, len);
	memset(r, 0, sizeof(*r));
	ws_msg_init(&msg);
	while (off < len) {
		n = ws_msg_feed(&msg, buf + off, avail - off, max, &f, &code);
		if (n < 0) {
			r->fail = code;
			break;
		}
		if (n == 0) {
			if (avail == len)
				break;
			avail = avail + chunk < len ? avail + chunk : len;
			continue;
		}
		r->frames++;
		for (uint64_t i = 0; i < f.payload_len; i++)
			r->payload_sum = r->payload_sum * 31 + f.payload[i];
		off += (size_t)n;
		if (f.opcode == WS_OP_CLOSE)
			break;
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t bounds[] = { 125, 1000, 65536, UINT64_MAX };
	struct run whole, pieces;
	uint64_t max;
	size_t chunk;

	if (size < 2)
		return 0;
	max = bounds[data[0] & 3];
	chunk = 1 + data[1] % 64;
	run_stream(data + 2, size - 2, 0, max, &whole);
	run_stream(data + 2, size - 2, chunk, max, &pieces);
	if (whole.frames != pieces.frames ||
	    whole.payload_sum != pieces.payload_sum ||
	    whole.fail != pieces.fail)
		abort();
	return 0;
}
