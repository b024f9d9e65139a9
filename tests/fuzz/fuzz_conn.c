/*
 * Fuzz harness for the connection layer (src/ws/conn.c, conn_out.c), not only
 * the frame parser: the input is a list of cut points and a client stream
 * that follows an upgrade to /echo. The stream goes through the real read
 * path over a socketpair (tests/unit/conn_pair.c) twice, whole and cut at
 * the fuzzer's points, and the server must answer both byte for byte the
 * same: how a stream is split into reads must never change what it means.
 *
 * Input: byte 0 = number of cuts (mod 32), then 3 bytes per cut (an offset
 * into the stream, big-endian, reduced modulo its length), then the stream.
 * Run by `make check` through tests/fuzz/driver.c (docs/fuzzing.md).
 */
#include "autoconf.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_pair.h"

#define FUZZ_MAX_CUTS		32
#define FUZZ_MAX_MESSAGE	(256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Leave both answers beside the crashing input, to compare them. */
static void
dump(const char *path, const struct pair_bytes *b)
{
	FILE *fp = fopen(path, "wb");

	if (fp != NULL) {
		fwrite(b->p, 1, b->len, fp);
		fclose(fp);
	}
}

static struct event_base	*fuzz_base;

static int
cut_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The server's answer to stream cut at cuts. The connection layer starts
 * afresh each run. */
static void
run(const struct pair_bytes *stream, const size_t *cuts,
    size_t ncuts, struct pair_bytes *answer)
{
	struct conn_pair p;

	pair_server_init(fuzz_base, FUZZ_MAX_MESSAGE);
	pair_open(&p);
	pair_feed_cut(&p, stream->p, stream->len, cuts, ncuts);
	pair_server_free();
	*answer = p.out;
	p.out.p = NULL;
	pair_close(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pair_bytes stream = { 0 }, whole, pieces;
	size_t cuts[FUZZ_MAX_CUTS + 1], ncuts, head, i, len;

	if (fuzz_base == NULL && (fuzz_base = event_base_new()) == NULL)
		abort();
	if (size < 1)
		return 0;
	ncuts = data[0] % FUZZ_MAX_CUTS;
	if (size < 1 + 3 * ncuts)
		return 0;
	bytes_upgrade(&stream, "/echo");
	head = stream.len;
	bytes_add(&stream, data + 1 + 3 * ncuts, size - 1 - 3 * ncuts);
	len = stream.len - head;
	/* The first cut is always the end of the upgrade request: both runs
	 * read it alone, then the stream. */
	cuts[0] = head;
	for (i = 0; i < ncuts; i++)
		cuts[i + 1] = head + (len == 0 ? 0 : ((size_t)data[1 + 3 * i] <<
		    16 | (size_t)data[2 + 3 * i] << 8 | data[3 + 3 * i]) % len);
	qsort(cuts, ncuts + 1, sizeof cuts[0], cut_cmp);
	run(&stream, cuts, 1, &whole);
	run(&stream, cuts, ncuts + 1, &pieces);
	if (whole.len != pieces.len ||
	    (whole.len > 0 && memcmp(whole.p, pieces.p, whole.len) != 0)) {
		dump("fuzz-conn.whole", &whole);
		dump("fuzz-conn.pieces", &pieces);
		abort();
	}
	bytes_free(&stream);
	bytes_free(&whole);
	bytes_free(&pieces);
	return 0;
}
