/*
 * Broadcast on the connection side of a worker: the topic registry (each
 * connection's topics in its hook slot, ws/conn.h), the subscribe and
 * unsubscribe handlers, and sending one refcounted frame to a subscriber
 * through conn_send_shared (one write when its queue is empty; a
 * reference in the queue when it is not; the slow policy, drop or close,
 * when the queue would pass ws_send_queue_bytes). bcast_fanout.c decides
 * when.
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
/* The open subscribers of topic here, each with a reference (conn_unref
 * each), into *arr (grown as needed; *cap is its size). Returns how many. */
size_t	 bcast_conn_collect(const char *topic, size_t len, struct conn ***arr,
	    size_t *cap);
/* Send frame to c (one write when its queue is empty, else a reference in
 * the queue; the slow policy when it is full). 1 when sent or queued, 0
 * when c is not open or missed it. */
int	 bcast_conn_send(struct conn *c, struct hl_buf *frame);

/* Install broadcast's connection hooks (worker start): a closed
 * connection leaves all its topics. Returns the hook slot, or -1. */
int	 bcast_conn_install(void);
/* An upgraded connection is authenticated (auth calls it once user, its
 * identity or NULL, is known): it joins "user:<user>". */
void	 bcast_conn_opened(struct conn *c, const char *user);

/* Register the built-in subscribe and unsubscribe handlers whose pkg_id
 * keys are not 0 (master, before fork, next to handlers_register).
 * Returns 0, or -1 with a reason in err. */
int	 bcast_handlers_register(const struct config *cf, char *err,
	    size_t errsize);

#endif
