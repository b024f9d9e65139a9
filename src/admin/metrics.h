/* Prometheus text exposition (format 0.0.4) of the scoreboard. */
#ifndef HL_METRICS_H
#define HL_METRICS_H

struct evbuffer;
struct admin_host;
struct prom_slots;

/* A new buffer holding every metric; the caller frees it. */
struct evbuffer	*metrics_render(struct admin_host *h);

/* The authentication families (metrics_auth.c). */
void		 metrics_auth(struct evbuffer *out,
		    const struct prom_slots *ps);

/* process_* of the master and each live worker (metrics_process.c). */
void		 metrics_process(struct evbuffer *out, struct admin_host *h);

#endif
