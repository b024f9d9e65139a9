/* libFuzzer harness for the envelope scanner and serializers. Run by
 * `make check` (tests/fuzz/driver.c) and built by `make fuzz` (clang,
 * docs/fuzzing.md); by hand, from the top of the tree after ./configure:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc -Iinclude \
 *       tests/fuzz/fuzz_envelope.c src/app/envelope.c \
 *       src/app/envelope_reply.c src/core/log.c -ljansson -o fuzz_envelope
 *   ./fuzz_envelope -max_len=4096 corpus/
 *
 * (-I. is the build directory holding autoconf.h.) It checks that the
 * scanner agrees with jansson on what is JSON (minus the documented
 * differences), that every span lies inside the input, and that every reply
 * built from a scan is itself JSON that jansson reads back. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/envelope.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless a span is absent or lies inside data[0..len). */
static void
check_span(struct envelope_span sp, const uint8_t *data, size_t len)
{
	if (sp.ptr == NULL)
		return;
	if ((const uint8_t *)sp.ptr < data ||
	    (const uint8_t *)sp.ptr + sp.len > data + len)
		abort();
}

/* jansson 2.14 skips a raw NUL byte right after a number or literal
 * ("[1\0]", "{\"a\":true\0}"); the scanner refuses it, as RFC 8259 does.
 * True when the scanner failed on such a byte. */
static bool
jansson_nul_quirk(const uint8_t *data, size_t len,
    const struct envelope_request *req)
{
	return req->fail == ENVELOPE_FAIL_SYNTAX && req->fail_offset < len &&
	    data[req->fail_offset] == '\0';
}

/* Abort unless jansson's verdict matches the scanner's. */
static void
check_against_jansson(const uint8_t *data, size_t len,
    const struct envelope_request *req)
{
	bool ours = req->fail != ENVELOPE_FAIL_SYNTAX &&
	    req->fail != ENVELOPE_FAIL_DEPTH;
	json_error_t jerr;
	json_t *doc;

	doc = json_loadb((const char *)data, len,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (doc == NULL && (strstr(jerr.text, "too big") != NULL ||
	    strstr(jerr.text, "overflow") != NULL ||
	    strstr(jerr.text, "NUL byte in object key") != NULL))
		return;
	if (doc != NULL && jansson_nul_quirk(data, len, req)) {
		json_decref(doc);
		return;
	}
	if (req->fail != ENVELOPE_FAIL_DEPTH && ours != (doc != NULL))
		abort();
	json_decref(doc);
}

/* Abort unless the buffer holds JSON. */
static void
check_reply(const struct envelope_buf *b)
{
	json_error_t jerr;
	json_t *doc;

	doc = json_loadb(envelope_buf_text(b), b->len, JSON_ALLOW_NUL, &jerr);
	if (doc == NULL)
		abort();
	json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct envelope_request req;
	struct envelope_ids ids;
	struct envelope_buf b;
	char storage[256];

	envelope_scan((const char *)data, len, &req);
	check_span(req.req_id, data, len);
	check_span(req.method, data, len);
	check_span(req.data, data, len);
	check_against_jansson(data, len, &req);
	ids = envelope_ids_of(&req);
	envelope_buf_init(&b, storage, sizeof storage, 14);
	if (req.fail == ENVELOPE_FAIL_NONE)
		envelope_reply_raw(&b, &ids, ENVELOPE_OK, NULL, req.data);
	else
		envelope_reply_error(&b, &ids, ENVELOPE_INVALID_DATA,
		    req.error);
	check_reply(&b);
	envelope_buf_free(&b);
	return 0;
}
