/*
 * The last good JWKS document a worker fetched, in a MAP_SHARED mapping
 * the master makes before the first fork. A new or respawned worker
 * (reload, crash) starts from it, so it holds keys at once even while the
 * identity provider is unreachable, and a worker that meets an unknown
 * kid picks up a sibling's newer fetch before fetching itself.
 *
 * A sequence lock: a writer claims the document by moving the sequence
 * from even to odd (compare-and-swap; a busy document is simply not
 * written, the next fetch will), copies and releases it to the next even
 * value; a reader copies, then checks the sequence did not move. A writer
 * that dies mid-copy leaves it odd; the master, reaping it, empties the
 * document and makes the sequence even again. No sockets here.
 */
#ifndef HL_AUTH_JWKS_SHARE_H
#define HL_AUTH_JWKS_SHARE_H

#include <stddef.h>
#include <stdint.h>

struct jwks_share;

/* The mapping, or NULL with errno. */
struct jwks_share *jwks_share_create(void);
void	 jwks_share_destroy(struct jwks_share *sh);
/* The worker of slot was reaped: drop a copy it left half written. */
void	 jwks_share_reaped(struct jwks_share *sh, int slot);

/* Publish len bytes (at most JWKS_TEXT_MAX) as slot: the new generation,
 * or 0 when another writer holds the document or len is too large. */
uint64_t jwks_share_publish(struct jwks_share *sh, int slot,
	    const char *doc, size_t len);
/*
 * When the document is stable, not empty and of another generation than
 * *seen: 1 with a copy in *doc (the caller frees it) of *len bytes and
 * *seen set to its generation; else 0.
 */
int	 jwks_share_read(struct jwks_share *sh, uint64_t *seen, char **doc,
	    size_t *len);

#endif
