/* Prometheus text exposition (format 0.0.4) of the scoreboard. */
#ifndef HL_METRICS_H
#define HL_METRICS_H

struct evbuffer;
struct master;

/* A new buffer holding every metric; the caller frees it. */
struct evbuffer	*metrics_render(struct master *m);

#endif
