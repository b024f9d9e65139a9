/*
 * Rate-limited logging for what a client can trigger: at most one line a
 * second per call site, and the next line says how many were held back.
 */
#ifndef HL_LOG_LIMIT_H
#define HL_LOG_LIMIT_H

#include <stdint.h>

#include "core/util.h"

struct log_limit {
	uint64_t	last_ms;
	uint64_t	held_back;
};

/* 1 when a line may be logged now (*held_back then says how many were
 * not, and is reset); 0 when it is counted as held back. */
static inline int
log_limit_ok(struct log_limit *l, uint64_t *held_back)
{
	uint64_t now = hl_now_ms();

	if (l->last_ms != 0 && now - l->last_ms < 1000) {
		l->held_back++;
		return 0;
	}
	l->last_ms = now;
	*held_back = l->held_back;
	l->held_back = 0;
	return 1;
}

#endif
