/*
 * The shared per-user tables (see auth_limit.h). An entry is reused only
 * when its user has no connection and no message in the current or the
 * previous window, so linear probing never loses a live entry: a key is
 * always found before the first never-used (user 0) entry.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "auth/auth_limit.h"
#include "core/util.h"

struct auth_limit_entry {
	uint64_t	user;		/* hash; 0: never used */
	uint32_t	conns;
	uint32_t	cur;		/* messages in window */
	uint64_t	window;		/* index of the current window */
	uint32_t	prev;		/* messages in window - 1 */
	uint32_t	pad;
	uint64_t	blocked_until;	/* over the instance-wide count until */
};

struct auth_limit_table {
	struct auth_limit_entry e[AUTH_LIMIT_ENTRIES];
};

struct auth_limit {
	uint32_t		 nslots;
	size_t			 bytes;
	uint64_t		 window;	/* the latest seen here */
	struct auth_limit_table	*slots;
};

#define LOAD32(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define LOAD64(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

struct auth_limit *
auth_limit_create(uint32_t nslots)
{
	struct auth_limit *al;
	size_t bytes = (size_t)nslots * sizeof(struct auth_limit_table);
	void *p;

	/* Pages are touched only by the slots that see users. */
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	al = xcalloc(1, sizeof *al);
	al->nslots = nslots;
	al->bytes = bytes;
	al->slots = p;
	return al;
}

void
auth_limit_destroy(struct auth_limit *al)
{
	if (al == NULL)
		return;
	munmap(al->slots, al->bytes);
	free(al);
}

void
auth_limit_clear_slot(struct auth_limit *al, uint32_t slot)
{
	if (al != NULL && slot < al->nslots)
		memset(&al->slots[slot], 0, sizeof al->slots[slot]);
}

/* FNV-1a, 64 bits. */
uint64_t
auth_limit_hash(const char *user)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *user != '\0'; user++)
		h = (h ^ (unsigned char)*user) * 0x100000001b3ULL;
	return h != 0 ? h : 1;
}

/* user's entry in a table, or NULL. */
static struct auth_limit_entry *
auth_limit_find(struct auth_limit_table *t, uint64_t user)
{
	size_t i = user % AUTH_LIMIT_ENTRIES, n;
	uint64_t u;

	for (n = 0; n < AUTH_LIMIT_ENTRIES; n++) {
		u = LOAD64(&t->e[i].user);
		if (u == user)
			return &t->e[i];
		if (u == 0)
			return NULL;
		i = (i + 1) % AUTH_LIMIT_ENTRIES;
	}
	return NULL;
}

/* Whether an entry holds nothing that counts at window w. */
static int
auth_limit_idle(const struct auth_limit_entry *e, uint64_t w)
{
	return e->conns == 0 && e->window + 1 < w;
}

/* user's entry in the writer's own table, made if needed; NULL: full. */
static struct auth_limit_entry *
auth_limit_claim(struct auth_limit_table *t, uint64_t user, uint64_t w)
{
	size_t i = user % AUTH_LIMIT_ENTRIES, n;
	struct auth_limit_entry *reuse = NULL, *e;

	for (n = 0; n < AUTH_LIMIT_ENTRIES; n++) {
		e = &t->e[i];
		if (e->user == user)
			return e;
		if (e->user == 0)
			break;
		if (reuse == NULL && auth_limit_idle(e, w))
			reuse = e;
		i = (i + 1) % AUTH_LIMIT_ENTRIES;
	}
	if (reuse == NULL && n == AUTH_LIMIT_ENTRIES)
		return NULL;
	e = reuse != NULL ? reuse : &t->e[i];
	/* Counts first, then the key: a reader that sees the key sees no
	 * stale counts of the entry's previous user. */
	STORE(&e->conns, 0);
	STORE(&e->cur, 0);
	STORE(&e->prev, 0);
	STORE(&e->blocked_until, 0);
	STORE(&e->window, w);
	__atomic_store_n(&e->user, user, __ATOMIC_RELEASE);
	return e;
}

uint32_t
auth_limit_conns(const struct auth_limit *al, uint64_t user)
{
	const struct auth_limit_entry *e;
	uint32_t s, total = 0;

	for (s = 0; s < al->nslots; s++)
		if ((e = auth_limit_find(&al->slots[s], user)) != NULL)
			total += LOAD32(&e->conns);
	return total;
}

int
auth_limit_conn_open(struct auth_limit *al, uint32_t slot, uint64_t user,
    uint32_t max)
{
	struct auth_limit_entry *e;

	if (max != 0 && auth_limit_conns(al, user) >= max)
		return 0;
	e = auth_limit_claim(&al->slots[slot], user, al->window);
	if (e == NULL)
		return -1;
	STORE(&e->conns, e->conns + 1);
	return 1;
}

void
auth_limit_conn_close(struct auth_limit *al, uint32_t slot, uint64_t user)
{
	struct auth_limit_entry *e = auth_limit_find(&al->slots[slot], user);

	if (e != NULL && e->conns > 0)
		STORE(&e->conns, e->conns - 1);
}

/* An entry's counts as of window w: this window's and the previous. */
static void
auth_limit_counts(const struct auth_limit_entry *e, uint64_t w,
    uint32_t *cur, uint32_t *prev)
{
	uint64_t ew = LOAD64(&e->window);

	*cur = *prev = 0;
	if (ew == w) {
		*cur = LOAD32(&e->cur);
		*prev = LOAD32(&e->prev);
	} else if (ew + 1 == w) {
		*prev = LOAD32(&e->cur);
	}
}

int
auth_limit_message(struct auth_limit *al, uint32_t slot, uint64_t user,
    uint32_t limit, uint64_t window_ms, uint64_t now_ms)
{
	uint64_t w = now_ms / window_ms, into = now_ms % window_ms;
	uint64_t cur = 0, prev = 0;
	const struct auth_limit_entry *o;
	struct auth_limit_entry *e;
	uint32_t c, p, s;

	al->window = w;
	if (limit == 0)
		return 1;
	for (s = 0; s < al->nslots; s++) {
		if ((o = auth_limit_find(&al->slots[s], user)) == NULL)
			continue;
		if (LOAD64(&o->blocked_until) > now_ms)
			return -1;
		auth_limit_counts(o, w, &c, &p);
		cur += c;
		prev += p;
	}
	/* The previous window counts by the share of it still inside the
	 * sliding window; compared in integers (times window_ms). */
	if (cur * window_ms + prev * (window_ms - into) >= limit * window_ms)
		return 0;
	if ((e = auth_limit_claim(&al->slots[slot], user, w)) == NULL)
		return 1;	/* full: fail open, as for connections */
	auth_limit_counts(e, w, &c, &p);
	STORE(&e->prev, p);
	STORE(&e->cur, c + 1);
	STORE(&e->window, w);
	return 1;
}

void
auth_limit_block(struct auth_limit *al, uint32_t slot, uint64_t user,
    uint64_t until_ms)
{
	struct auth_limit_entry *e = auth_limit_claim(&al->slots[slot], user,
	    al->window);

	if (e != NULL && e->blocked_until < until_ms)
		STORE(&e->blocked_until, until_ms);
}

uint64_t
auth_limit_over_until(uint64_t cur, uint64_t prev, uint32_t limit,
    uint64_t window_ms, uint64_t now_ms)
{
	uint64_t start = now_ms - now_ms % window_ms, into = now_ms - start;
	uint64_t lim = limit;

	if (limit == 0 || cur * window_ms + prev * (window_ms - into) <
	    lim * window_ms)
		return 0;
	/* Assuming no more messages: over this window while cur alone is
	 * over, then until the next window's share of cur falls below. */
	if (cur >= lim)
		return start + window_ms + (window_ms - lim * window_ms / cur) +
		    1;
	return start + (window_ms - (lim - cur) * window_ms / prev) + 1;
}
