/* The shared last good JWKS document (see auth_jwks_share.h). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "auth/auth_jwks_share.h"
#include "auth/jwk.h"
#include "core/util.h"

struct jwks_share {
	uint64_t	seq;		/* even: stable; odd: being written */
	int32_t		writer;		/* slot holding an odd seq */
	uint32_t	len;		/* 0: no document */
	char		doc[JWKS_TEXT_MAX];
};

struct jwks_share *
jwks_share_create(void)
{
	void *p = mmap(NULL, sizeof(struct jwks_share), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void
jwks_share_destroy(struct jwks_share *sh)
{
	if (sh != NULL)
		munmap(sh, sizeof *sh);
}

void
jwks_share_reaped(struct jwks_share *sh, int slot)
{
	uint64_t s;

	if (sh == NULL)
		return;
	s = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
	if ((s & 1) && __atomic_load_n(&sh->writer, __ATOMIC_RELAXED) ==
	    slot) {
		__atomic_store_n(&sh->len, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sh->seq, s + 1, __ATOMIC_RELEASE);
	}
}

uint64_t
jwks_share_publish(struct jwks_share *sh, int slot, const char *doc,
    size_t len)
{
	uint64_t s;

	if (sh == NULL || len == 0 || len > sizeof sh->doc)
		return 0;
	s = __atomic_load_n(&sh->seq, __ATOMIC_RELAXED);
	if ((s & 1) || !__atomic_compare_exchange_n(&sh->seq, &s, s + 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	__atomic_store_n(&sh->writer, slot, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(sh->doc, doc, len);
	__atomic_store_n(&sh->len, (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->seq, s + 2, __ATOMIC_RELEASE);
	return s + 2;
}

int
jwks_share_read(struct jwks_share *sh, uint64_t *seen, char **doc,
    size_t *len)
{
	uint64_t s1, s2;
	uint32_t n;
	char *copy;

	if (sh == NULL)
		return 0;
	s1 = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
	n = __atomic_load_n(&sh->len, __ATOMIC_RELAXED);
	if ((s1 & 1) || s1 == *seen || n == 0 || n > sizeof sh->doc)
		return 0;
	copy = xmalloc(n);
	memcpy(copy, sh->doc, n);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&sh->seq, __ATOMIC_RELAXED);
	if (s1 != s2) {
		free(copy);	/* written meanwhile: the next read will do */
		return 0;
	}
	*doc = copy;
	*len = n;
	*seen = s1;
	return 1;
}
