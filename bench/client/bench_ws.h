/*
 * hotline-bench: the wslay side of a connection, private to bench_conn.c
 * and bench_ws.c.
 */
#ifndef BENCH_WS_H
#define BENCH_WS_H

#include "bench.h"

/* wslay's client context and the message being received. */
struct bench_wsin {
	wslay_event_context_ptr ctx;
	struct bench_conn *c;
	const char *left; /* bytes read past the upgrade response */
	size_t left_len;
	uint64_t frame_len;
	int frame_opcode, frame_fin, frame_first;
	int msg_opcode, delivered, eof;
	size_t msg_total, head_len;
	uint8_t head[BENCH_HEAD];
};

/* Give c a wslay client context that first reads the left_len bytes at
 * left (kept alive by the caller); -1 when out of memory. */
int bench_ws_init(struct bench_conn *c, const char *left, size_t left_len);

#endif
