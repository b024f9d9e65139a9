/* Small helpers every module may use. Allocation wrappers are static inline
 * so the profiler charges the caller's line, not a wrapper file (STYLE.md). */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define HL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HL_MIN(a, b) ((a) < (b) ? (a) : (b))
#define HL_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline void *
xmalloc(size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	return p;
}

static inline void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

static inline void *
xrealloc(void *old, size_t size)
{
	void *p = realloc(old, size);

	if (p == NULL)
		fatalx("out of memory reallocating %zu bytes", size);
	return p;
}

static inline char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatalx("out of memory copying a string");
	return p;
}

/* The value of a hexadecimal digit (either case), or -1. */
static inline int
hl_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xorshift64: a small PRNG on caller-held state (never 0), with no locks
 * or system calls, so a signal handler may use it. */
static inline uint64_t
hl_xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Milliseconds on the monotonic clock. */
static inline uint64_t
hl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
