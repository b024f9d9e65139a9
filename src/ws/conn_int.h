/* Private to ws/: the connection and the output batch. */
#ifndef HL_CONN_INT_H
#define HL_CONN_INT_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/queue.h>

#include "ws/conn.h"
#include "app/envelope.h"
#include "app/request.h"
#include "ws/sendq.h"
#include "ws/ws_frame.h"

enum conn_state {
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_CLOSING,		/* close frame sent, waiting for the peer's */
	CONN_CLOSED,		/* socket gone; freed with the last reference */
};

#define CONN_F_ECHO		0x01	/* /echo: messages come back verbatim */
#define CONN_F_PINGED		0x02	/* idle ping sent, no traffic since */
#define CONN_F_WRITING		0x04	/* waiting for EV_WRITE */
#define CONN_F_CLOSE_AFTER	0x08	/* close once the queue is written */
#define CONN_F_UPGRADED		0x10	/* counted in ws_active */
#define CONN_F_OUT_SHUT		0x20	/* last frame queued: send no more */

struct conn {
	struct event		 ev;
	TAILQ_ENTRY(conn)	 lru;		/* by last activity */
	struct sendq		 q;
	struct ws_msg		 msg;
	uint8_t			*in;		/* unparsed, kept over reads */
	uint32_t		 in_len;
	uint32_t		 in_cap;
	uint8_t			*frag;		/* current message's pieces */
	uint32_t		 frag_len;
	uint32_t		 frag_cap;
	uint64_t		 active_ms;
	uint64_t		 need;		/* bytes the frame lacks */
	void			*slots[CONN_HOOKS_MAX];	/* the hooks' */
	struct deferred_set	 deferred;	/* replies handlers owe it */
	uint32_t		 refs;
	int			 fd;
	uint8_t			 state;
	uint8_t			 flags;
};

TAILQ_HEAD(conn_list, conn);

/* Worker-wide state shared by the two files. */
struct conn_server {
	struct event_base	*base;
	struct conn_limits	 limits;
	struct conn_list	 lru;
	size_t			 count;
	struct conn		*processing;	/* whose read event runs */
	uint64_t		 input_held;	/* in + frag bytes, all conns */
};

extern struct conn_server	 conn_srv;

/* conn.c */
void	 conn_set_events(struct conn *c, short events);
/* Our close frame is on its way: the closing timer starts, and with
 * at_once the socket closes once it is written, without reading. */
void	 conn_closing(struct conn *c, int at_once);

/* conn_hooks.c: run the installed hooks in order (closed in reverse). */
int	 conn_hooks_upgrade(struct conn *c,
	    const struct ws_handshake_request *req,
	    enum ws_handshake_refusal *why, const char **detail);
void	 conn_hooks_opened(struct conn *c);
enum conn_verdict conn_hooks_message(struct conn *c, uint8_t opcode,
	    const uint8_t *p, size_t len, const char **refuse);
const struct request_identity *conn_hooks_who(const struct conn *c);
void	 conn_hooks_closed(struct conn *c);

/* conn_out.c: replies and frames go into one batch, written at the end of
 * the read event (or at once when sent from a timer). */
struct envelope_buf *out_reply_begin(struct conn *c);
void	 out_reply_commit(struct conn *c, struct envelope_buf *b);
void	 out_frame(struct conn *c, uint8_t opcode, const uint8_t *payload,
	    size_t len);
void	 out_raw(struct conn *c, const char *bytes, size_t len);
void	 out_close_frame(struct conn *c, uint16_t code, const char *reason);
/* Write the batch; leftovers go to the connection's queue. */
void	 out_flush(void);
/* The socket is writable again. */
void	 out_writable(struct conn *c);
/* c would take the worker's send queues past ws_worker_output_bytes:
 * close it, counted and logged. When what it has queued ends a frame
 * (at_frame_end), a close 1013 goes behind it from the worker's reserve
 * and nothing more is sent; otherwise the socket is closed at once. */
void	 out_bound_close(struct conn *c, int at_frame_end);
/* Flush now unless the owner's read event will. */
void	 out_flush_if_idle(struct conn *c);
void	 out_free(void);

#endif
