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

struct event_base;

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

#endif
