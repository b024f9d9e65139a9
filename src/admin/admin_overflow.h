/*
 * Admin connections the master answers itself and closes, without evhttp:
 * those queued past admin_max_connections, and the one accepted on the
 * reserved descriptor when the master is out of them. Each gets one answer,
 * GET /health as usual (when no admin_token is needed), anything else 503
 * saying why. A connection whose request has not arrived waits for it in
 * one of a few boats, at most ADMIN_OVERFLOW_WAIT_MS (idle clients queued
 * ahead of a health check cost it that much each, shared by the boats).
 */
#ifndef HL_ADMIN_OVERFLOW_H
#define HL_ADMIN_OVERFLOW_H

#include <stdint.h>

#define ADMIN_OVERFLOW_BOATS	8	/* waiting for their request at once */
#define ADMIN_OVERFLOW_WAIT_MS	200

enum admin_overflow_why {
	ADMIN_OVERFLOW_CAP,	/* admin_max_connections reached */
	ADMIN_OVERFLOW_NOFILE,	/* out of descriptors: the reserved one */
};

struct admin_overflow;
struct admin_host;

struct admin_overflow *admin_overflow_new(struct admin_host *h);
void	 admin_overflow_free(struct admin_overflow *ov);
/* Whether a boat is free (else admin_overflow_take could not wait). */
int	 admin_overflow_room(const struct admin_overflow *ov);
/* Answer fd (taken over: closed here) now if its request is in, else when
 * it arrives or after ADMIN_OVERFLOW_WAIT_MS; done(arg) runs after the
 * close, so a reserved descriptor can be reserved again. */
void	 admin_overflow_take(struct admin_overflow *ov, int fd,
	    enum admin_overflow_why why, void (*done)(void *), void *arg);
/* Connections answered so far. */
uint64_t admin_overflow_answers(const struct admin_overflow *ov);

#endif
