/*
 * Takes the profiler's own hooks out of a CPU sample before it is counted
 * (issue 16): a sample under an interposer (malloc, memcpy...) loses the
 * interposer's frames, so the library function below it (libc.so.6's) is
 * the leaf and the calling line is charged exactly as for a direct call;
 * a sample in the hooks' own code (the interposer itself, or its sampled
 * path in memprof.c) is the profiler's cost, counted in the overhead and
 * charged to no line. Ranges are those of src/prof/hooktext.h.
 */
#ifndef HL_HOOKSTRIP_H
#define HL_HOOKSTRIP_H

#include <stdint.h>

/* Rewrites pcs[0..depth) in place without the interposers' frames.
 * Returns the new depth, or 0 when the sample is the hooks' own cost (or
 * depth was 0). pcs[0] is the interrupted pc, the others return
 * addresses. */
unsigned hookstrip(uint64_t *pcs, unsigned depth);

/* 1 when pc (a return address when is_return) is in hooktext's sections. */
int hookstrip_in_hooks(uint64_t pc, int is_return);

#endif
