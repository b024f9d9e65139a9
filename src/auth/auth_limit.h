/*
 * Per-user limits shared by the workers of one instance, without Redis:
 * concurrent connections and messages per window. Each worker slot owns a
 * fixed-size open-addressing table of user-id hashes in one anonymous
 * MAP_SHARED mapping made by the master before the first fork. A slot has
 * one writer (its worker); everyone reads every slot and sums, so the
 * total is the sum over slots, and when the master reaps a worker it
 * clears that slot's table: the dead worker's share is subtracted at once
 * and no lock can be left held. Reads race with other workers' writes, so
 * two workers admitting at the same moment may overshoot a limit by one
 * each; the limits are protective, not exact.
 *
 * Why per-slot counters summed rather than per-connection buckets with the
 * user's budget split: a split budget depends on how many connections a
 * user has and where the kernel put them (one connection would get 1/N of
 * the budget, or a reconnect would refill it), while a sum is the user's
 * budget whatever the spread. The cost is one probe per slot per message
 * (an empty table answers at its first load), paid in shared memory with
 * no lock and no syscall.
 *
 * No sockets and no event loop here: unit tests drive it with a mapping
 * of their own and a clock they choose.
 */
#ifndef HL_AUTH_LIMIT_H
#define HL_AUTH_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_LIMIT_ENTRIES	4096	/* users one worker tracks at once */

struct auth_limit;

/* A mapping for nslots slots; NULL with errno when mmap fails. */
struct auth_limit *auth_limit_create(uint32_t nslots);
void	 auth_limit_destroy(struct auth_limit *al);
/* Forget everything slot held (the master, after reaping its worker). */
void	 auth_limit_clear_slot(struct auth_limit *al, uint32_t slot);

/* The hash a user id is tracked by (never 0). */
uint64_t auth_limit_hash(const char *user);

/* Connections of user over all slots. */
uint32_t auth_limit_conns(const struct auth_limit *al, uint64_t user);
/*
 * Count one more connection of user in slot if the total stays within max
 * (0: no limit). Returns 1 when counted, 0 when over the limit, -1 when
 * slot's table is full (the connection is then not tracked: admitted but
 * not counted, and auth_limit_conn_close must not be called for it).
 */
int	 auth_limit_conn_open(struct auth_limit *al, uint32_t slot,
	    uint64_t user, uint32_t max);
void	 auth_limit_conn_close(struct auth_limit *al, uint32_t slot,
	    uint64_t user);

/*
 * One message of user at now_ms (a monotonic clock all workers share):
 * a sliding window of window_ms approximated from two fixed windows (the
 * previous one weighted by how much of it still overlaps). Returns 1 and
 * counts the message in slot when the estimate over all slots is below
 * limit (0: no limit), else 0 and counts nothing; -1 (counting nothing)
 * while some slot blocks user (auth_limit_block).
 */
int	 auth_limit_message(struct auth_limit *al, uint32_t slot,
	    uint64_t user, uint32_t limit, uint64_t window_ms,
	    uint64_t now_ms);

/*
 * Across instances (with Redis) the limit is learnt, not enforced here: a
 * worker told by Redis that user is over blocks the user in slot's table
 * until until_ms (on the clock auth_limit_message is given), and every
 * worker's auth_limit_message refuses the user's messages until then. A
 * block lives in the user's entry, so like the counts it is protective:
 * a full table does not record it, and an entry reused two windows after
 * its last message may lose the tail of a long block (Redis says again).
 */
void	 auth_limit_block(struct auth_limit *al, uint32_t slot,
	    uint64_t user, uint64_t until_ms);
/*
 * With cur messages in the window holding now_ms and prev in the one
 * before (windows of window_ms from 0 on the same clock), whether the
 * sliding estimate is at or over limit: 0 when not, else the time from
 * which it is below again if no more messages come.
 */
uint64_t auth_limit_over_until(uint64_t cur, uint64_t prev, uint32_t limit,
	    uint64_t window_ms, uint64_t now_ms);

#endif
