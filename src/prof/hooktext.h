/*
 * Where the profiler's own hooks live in memory, so that the master can take
 * them out of every CPU sample before attribution (src/profd/hookstrip.c).
 *
 * The interposers (memhook.c: malloc, free, memcpy...) go to section
 * hl_hook_entry; everything they call on their sampled path (memprof.c:
 * unwinding, the block table, ring writes) to hl_hook_work. The linker
 * brackets each section with __start_/__stop_ symbols; workers are forked
 * from the master without exec, so those addresses are theirs too.
 */
#ifndef HL_HOOKTEXT_H
#define HL_HOOKTEXT_H

#define HL_HOOK_ENTRY	__attribute__((section("hl_hook_entry")))
#define HL_HOOK_WORK	__attribute__((section("hl_hook_work")))

#endif
