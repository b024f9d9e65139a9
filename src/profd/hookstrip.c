/*
 * The hooks' frames out of CPU samples, by address range: two compares per
 * frame, no symbolization (see hookstrip.h).
 */
#include "autoconf.h"

#include <stddef.h>

#include "prof/hooktext.h"
#include "profd/hookstrip.h"

/* Weak: a binary without one of the sections (ASan builds have no
 * interposers) reads them as NULL, an empty range. */
extern const char __start_hl_hook_entry[] __attribute__((weak));
extern const char __stop_hl_hook_entry[] __attribute__((weak));
extern const char __start_hl_hook_work[] __attribute__((weak));
extern const char __stop_hl_hook_work[] __attribute__((weak));

enum hook_kind { HOOK_NONE, HOOK_ENTRY, HOOK_WORK };

static int
hookstrip_within(uint64_t pc, const char *start, const char *stop)
{
	return start != NULL && pc >= (uint64_t)(uintptr_t)start &&
	    pc < (uint64_t)(uintptr_t)stop;
}

/* A return address is looked up at pc - 1: a call ending a function
 * returns to the first byte past it. */
static enum hook_kind
hookstrip_kind(uint64_t pc, int is_return)
{
	if (is_return && pc > 0)
		pc--;
	if (hookstrip_within(pc, __start_hl_hook_entry, __stop_hl_hook_entry))
		return HOOK_ENTRY;
	if (hookstrip_within(pc, __start_hl_hook_work, __stop_hl_hook_work))
		return HOOK_WORK;
	return HOOK_NONE;
}

int
hookstrip_in_hooks(uint64_t pc, int is_return)
{
	return hookstrip_kind(pc, is_return) != HOOK_NONE;
}

unsigned
hookstrip(uint64_t *pcs, unsigned depth)
{
	unsigned i, n = 0;
	enum hook_kind k;

	if (depth == 0 || hookstrip_kind(pcs[0], 0) != HOOK_NONE)
		return 0;
	for (i = 0; i < depth; i++) {
		k = hookstrip_kind(pcs[i], i > 0);
		if (k == HOOK_WORK)
			return 0;
		if (k == HOOK_NONE)
			pcs[n++] = pcs[i];
	}
	return n;
}
