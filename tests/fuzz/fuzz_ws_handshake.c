/* libFuzzer harness for the upgrade parser. Run by `make check` and built
 * by `make fuzz` (docs/fuzzing.md); by hand, from the source tree after
 * ./configure in _b (for autoconf.h):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I_b -Isrc \
 *       tests/fuzz/fuzz_ws_handshake.c src/ws/ws_handshake.c -lcrypto \
 *       -o fuzz_ws_handshake
 *   ./fuzz_ws_handshake -max_len=9000 -max_total_time=60
 *
 * Each input is parsed in one call and again in two chunks split at a point
 * taken from the first byte; both must agree. Accepted requests go through
 * every helper and response builder. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws/ws_handshake.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A span of a DONE request lies inside the head. */
static void
fuzz_span_inside(const struct ws_handshake_span *s, const char *buf,
    size_t head_len)
{
	if (s->ptr == NULL)
		return;
	if (s->ptr < buf || s->ptr + s->len > buf + head_len)
		abort();
}

/* Run the helpers and builders over an accepted request. */
static void
fuzz_helpers(const struct ws_handshake_request *req, const char *buf)
{
	static const char *const origins[] = { "https://a.example" };
	static const char *const protos[] = { "chat", "v1" };
	char		 out[1024], token[64];
	const char	*proto;
	unsigned	 i;

	fuzz_span_inside(&req->path, buf, req->head_len);
	fuzz_span_inside(&req->query, buf, req->head_len);
	fuzz_span_inside(&req->host, buf, req->head_len);
	fuzz_span_inside(&req->origin, buf, req->head_len);
	fuzz_span_inside(&req->key, buf, req->head_len);
	for (i = 0; i < req->nprotocols; i++)
		fuzz_span_inside(&req->protocols[i], buf, req->head_len);
	(void)ws_handshake_origin_allowed(req, origins, 1);
	proto = ws_handshake_select_protocol(req, protos, 2);
	(void)ws_handshake_query_param(req, "token", token, sizeof token);
	if (ws_handshake_response_101(req, proto, out, sizeof out) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_handshake one, two;
	enum ws_handshake_result r1, r2;
	char		*buf, out[1024];
	size_t		 split;

	if (size == 0)
		return 0;
	split = data[0] % size;
	buf = malloc(size - 1 > 0 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	ws_handshake_init(&one, NULL);
	r1 = ws_handshake_parse(&one, buf, size - 1);
	ws_handshake_init(&two, NULL);
	r2 = ws_handshake_parse(&two, buf, split);
	if (r2 == WS_HANDSHAKE_NEED_MORE)
		r2 = ws_handshake_parse(&two, buf, size - 1);
	if (r1 != r2 || one.refusal != two.refusal)
		abort();
	if (r1 == WS_HANDSHAKE_DONE)
		fuzz_helpers(&one.request, buf);
	if (r1 == WS_HANDSHAKE_FAIL &&
	    ws_handshake_response_refuse(one.refusal, one.detail, out,
	    sizeof out) < 0)
		abort();
	free(buf);
	return 0;
}
