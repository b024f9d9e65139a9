/*
 * WebSocket connections of one worker: the HTTP upgrade, frames, the
 * envelope and the router, and the way out (one writev per readiness event,
 * the send queue when the socket is full). Idle connections own no buffers:
 * input is read into one per-worker buffer and only the unparsed rest of a
 * frame that spans reads is kept by the connection.
 */
#ifndef HL_CONN_H
#define HL_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "ws/ws_handshake.h"

struct conn;
struct event_base;
struct hl_buf;
struct hl_request;
struct request_identity;

struct conn_limits {
	size_t		 max_header_bytes;
	unsigned	 max_headers;
	uint64_t	 max_message_bytes;
	size_t		 send_queue_bytes;
	uint64_t	 worker_input_bytes;	/* all connections' buffers */
	uint64_t	 worker_output_bytes;	/* all connections' queues;
						 * 0: unbounded */
	uint32_t	 max_deferred;		/* pending per connection;
						 * 0: no cap */
	uint32_t	 worker_deferred;	/* pending, all connections;
						 * 0: no cap */
	uint64_t	 handshake_timeout_ms;
	uint64_t	 idle_timeout_ms;	/* 0: never */
	uint64_t	 ping_interval_ms;	/* 0: never */
	const char	*path;			/* the application, "/web" */
	int		 echo;			/* serve /echo */
	const char	**origins;		/* allow-list; none: all */
	size_t		 norigins;
	const char	**protocols;		/* offered subprotocols */
	size_t		 nprotocols;
};

/* Start serving on base with these limits (copied; the strings must live
 * as long as the worker). */
void	 conn_server_init(struct event_base *base,
	    const struct conn_limits *limits);
/* Take over an accepted, non-blocking socket. */
void	 conn_accept(int fd);
/* Timeouts: handshakes, idle connections (pings, then close), closing
 * handshakes that never finish. Call about once a second. */
void	 conn_sweep(void);
/* Start a close handshake with every connection (graceful stop). */
void	 conn_close_all(uint16_t code, const char *reason);
/* Connections still open. */
size_t	 conn_count(void);
/* Close every socket and free everything (worker exit). */
void	 conn_server_free(void);

/*
 * Hooks: what the connection layer tells the layers above it (auth,
 * broadcast) without knowing them. The worker installs each table once,
 * before the first connection; each gets a slot, one opaque pointer per
 * connection that only it reads and writes. Hooks run in the order
 * installed, closed in the reverse order; a NULL member is skipped.
 */
#define CONN_HOOKS_MAX	2	/* auth, broadcast */

/* What a message hook does with a message of the application path. */
enum conn_verdict {
	CONN_ROUTE,		/* pass it on (to the next hook, the router) */
	CONN_TAKEN,		/* the hook consumed it (or closed c) */
	CONN_RATE_ERROR,	/* answer it with an error envelope */
};

struct conn_hooks {
	/* The upgrade of c to the application path passed every other
	 * check, before the 101: 0 to accept, or -1 with the refusal in
	 * *why and a short body in *detail (static storage). */
	int	 (*upgrade)(struct conn *c,
		    const struct ws_handshake_request *req,
		    enum ws_handshake_refusal *why,
		    const char **detail);
	/* The 101 went out (the application path or /echo). */
	void	 (*opened)(struct conn *c);
	/* A message of the application path; with CONN_RATE_ERROR, *refuse
	 * is the error envelope's message (static storage). */
	enum conn_verdict (*message)(struct conn *c, uint8_t opcode,
		    const uint8_t *p, size_t len, const char **refuse);
	/* The identity c's requests are routed with, or NULL; valid until
	 * c closes. The first hook with one answers. */
	const struct request_identity *(*who)(const struct conn *c);
	/* c closed: release what the slot holds. */
	void	 (*closed)(struct conn *c);
};

/* Install h (static storage; worker start, before conn_server_init's
 * first accept). Returns its slot, or -1 when CONN_HOOKS_MAX are in. */
int	 conn_hooks_add(const struct conn_hooks *h);
/* Remove every table (worker exit, tests). */
void	 conn_hooks_clear(void);
/* The slot's pointer of c (NULL until set). */
void	*conn_slot(const struct conn *c, int slot);
void	 conn_set_slot(struct conn *c, int slot, void *p);

/* The small API the layers above use on a connection. A reference keeps
 * c's memory (not its socket) until the matching unref. */
void	 conn_ref(struct conn *c);
void	 conn_unref(struct conn *c);
/* Close the socket now (no close handshake). */
void	 conn_close(struct conn *c);
/* Open: upgraded and no close started. */
int	 conn_is_open(const struct conn *c);
/* Open and on the application path (not /echo): broadcasts reach it. */
int	 conn_is_app(const struct conn *c);
/* The peer's address as text ("?" when unknown), for log lines. */
void	 conn_peer(const struct conn *c, char *out, size_t size);
/* Start a close handshake with code and reason (an open connection). */
void	 conn_fail(struct conn *c, uint16_t code, const char *reason);
/* A message on the application path, as if just read (auth replays the
 * ones it held during a session lookup): the hooks, then the router. */
void	 conn_deliver(struct conn *c, uint8_t opcode, const uint8_t *p,
	    size_t len);
/* Queue one frame in the batch of the running event (written at its end,
 * or at once outside a read event). A payload over a few KB is not
 * copied: it must live until then (static storage, or the caller's). */
void	 conn_send_frame(struct conn *c, uint8_t opcode, const uint8_t *p,
	    size_t len);
/* Write the batch now unless c's own read event will (timers, replies
 * from Redis). */
void	 conn_flush_if_idle(struct conn *c);
/* Write the batch of the running event now (a timer's output first). */
void	 conn_flush(void);
/* The connection a request came from, or NULL (not a WebSocket one). */
struct conn *conn_of_request(const struct hl_request *req);
/* Call fn on every connection, oldest activity first; fn must not close
 * any (take a reference and act after the walk). */
void	 conn_each(void (*fn)(struct conn *c, void *arg), void *arg);
/* The event base connections run on (for the hooks' timers). */
struct event_base *conn_base(void);

/* What conn_send_shared did with a shared frame. */
enum conn_shared {
	CONN_SHARED_SENT,	/* written, or a reference queued */
	CONN_SHARED_SKIPPED,	/* queue full, dropped (drop_when_full) */
	CONN_SHARED_CLOSED,	/* queue full: closed (counted as slow) */
	CONN_SHARED_FAILED,	/* the socket failed: closed */
	CONN_SHARED_NOT_OPEN,	/* not open, or /echo: nothing done */
};
/* Send frame, a whole encoded WebSocket frame, to c: one write when its
 * queue is empty, else a reference to frame in the queue (frame's
 * refcount is taken, never its bytes copied). When the queue would pass
 * ws_send_queue_bytes (or the worker's bound), the frame is dropped when
 * drop_when_full and nothing of it is on the wire, else c is closed (a
 * close 1013 behind what is queued over the worker's bound). */
enum conn_shared conn_send_shared(struct conn *c, struct hl_buf *frame,
	    int drop_when_full);

#endif
