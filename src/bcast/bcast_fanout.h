/*
 * Fan-out in slices. A broadcast for N local subscribers costs N socket
 * writes; done in one callback, a burst of them held the worker's loop for
 * seconds (50 broadcasts to 10,000 connections: 9 s, issue 14), and every
 * request on the worker waited. So a broadcast is queued here and
 * delivered at most broadcast_fanout_slice connections per loop turn: the
 * loop polls its sockets between slices, and requests keep their latency.
 *
 * Order and completeness: the queue is FIFO and one broadcast is finished
 * before the next one starts, so every subscriber still gets every
 * broadcast in publish order (per publisher). A broadcast's subscribers are
 * taken when it starts (a reference each, so one that closes meanwhile is
 * skipped safely); one that subscribes later does not get it.
 *
 * Bounded: the frames waiting here may hold at most broadcast_outbox_bytes.
 * Past that the shared-memory outboxes are simply not read (they are the
 * buffer, and a worker too far behind loses the oldest, counted as
 * "lapped"), and a message from Redis is dropped and counted ("backlog").
 */
#ifndef HL_BCAST_FANOUT_H
#define HL_BCAST_FANOUT_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct hl_buf;

void	 bcast_fanout_init(const struct config *cf, struct event_base *base);
/* Drop what is queued (worker exit: the connections are closed first). */
void	 bcast_fanout_free(void);
/* Whether the queue holds its bound of frame bytes. */
int	 bcast_fanout_full(void);
/* Queue frame (a reference is taken; the caller keeps its own) for the
 * subscribers of topic[0..len) (copied). pub_ns is the publish time, for
 * the lag histogram when the last subscriber has it. Returns 0, or -1
 * when the queue is full. */
int	 bcast_fanout_queue(const char *topic, size_t len, struct hl_buf *frame,
	    uint64_t pub_ns);

#endif
