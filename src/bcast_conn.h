/*
 * Broadcast on the connection side of a worker: the topic registry, the
 * subscribe/unsubscribe handlers, and the fan-out that queues one
 * refcounted frame on every subscriber (one write per socket when its
 * queue is empty; a reference in the queue when it is not; the slow
 * policy when the queue would pass ws_send_queue_bytes).
 */
#ifndef HL_BCAST_CONN_H
#define HL_BCAST_CONN_H

#include <stddef.h>

struct config;
struct conn;
struct hl_buf;
struct hl_request;

/* The implicit topic every connection is in. */
#define BCAST_TOPIC_ALL		"all"
/* Per-user topics: "user:<id>", joined at upgrade, not by subscribing. */
#define BCAST_TOPIC_USER	"user:"

void	 bcast_conn_init(const struct config *cf);
void	 bcast_conn_free(void);
/* Whether any connection here is in topic (so a frame is worth copying). */
int	 bcast_conn_interested(const char *topic, size_t len);
/* Queue frame (a reference each) on every subscriber of topic here.
 * Returns the frames queued. */
size_t	 bcast_conn_fanout(const char *topic, size_t len, struct hl_buf *frame);

/* Hooks of conn.c: an upgraded connection (user: its identity, or NULL),
 * and one that closed (it leaves all its topics). */
void	 bcast_conn_opened(struct conn *c, const char *user);
void	 bcast_conn_closed(struct conn *c);

/* The built-in handlers (handlers.c registers them). */
void	 bcast_handle_subscribe(struct hl_request *req, void *arg);
void	 bcast_handle_unsubscribe(struct hl_request *req, void *arg);

#endif
