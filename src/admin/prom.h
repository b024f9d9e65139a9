/*
 * The helpers every /metrics writer uses (Prometheus text format 0.0.4):
 * the HELP/TYPE lines of a family, a scoreboard word summed over the
 * worker slots, and cumulative histograms. One copy, so the families of
 * the admin port, auth and broadcast print the same way.
 */
#ifndef HL_PROM_H
#define HL_PROM_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct shm;
struct shm_slot;

/* Where the numbers are: the live slots and what reaped workers left. */
struct prom_slots {
	const struct shm	*shm;
	const struct shm_slot	*retired;
};

/* A histogram kept in every slot as per-bucket counts (not cumulative),
 * a count and a sum in nanoseconds; offsets are in struct shm_slot. */
struct prom_hist {
	const char		*name;
	const char		*labels;	/* "pkg_id=\"1\"", or NULL */
	const char *const	*le;		/* bucket upper bounds */
	unsigned		 nbuckets;
	size_t			 buckets;
	size_t			 count;
	size_t			 sum_ns;
	int			 sum_digits;	/* decimals of _sum */
};

/* "# HELP name help\n# TYPE name type\n". */
void	 prom_family(struct evbuffer *out, const char *name,
	    const char *type, const char *help);
/* A family with one unlabelled sample. */
void	 prom_single(struct evbuffer *out, const char *name,
	    const char *type, const char *help, uint64_t value);
/* One sample, "name{labels} value" (labels NULL: none), the value as
 * the format spells it: +Inf, -Inf, NaN, else 15 significant digits. */
void	 prom_sample(struct evbuffer *out, const char *name,
	    const char *labels, double value);
/* The 64-bit word at byte off of struct shm_slot, summed: prom_sum over
 * the live slots and the retired totals (counters never go backwards),
 * prom_live over the live slots only (gauges). */
uint64_t prom_sum(const struct prom_slots *ps, size_t off);
uint64_t prom_live(const struct prom_slots *ps, size_t off);
/* The samples of h (buckets made cumulative, +Inf, _sum, _count), summed
 * like prom_sum; the caller prints the family line once. */
void	 prom_histogram(struct evbuffer *out, const struct prom_slots *ps,
	    const struct prom_hist *h);

#endif
