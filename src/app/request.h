/*
 * One request on its way through the router: the scanned envelope, the
 * identity, and where its reply goes. The reply target is a small set of
 * operations, so the router and handlers run in unit tests without sockets
 * and a deferred reply reaches a connection only while it is open.
 */
#ifndef HL_REQUEST_H
#define HL_REQUEST_H

#include <hotline/module.h>
#include <stdint.h>
#include <sys/queue.h>

#include "app/envelope.h"

struct route;

/* A target's deferred replies not yet answered (a connection keeps one):
 * bounded in number, and cancelled when the target closes. */
struct deferred_set {
	LIST_HEAD(, hl_deferred) list;
	uint32_t		 count;
};

/* Where replies go. A target is reference-counted by deferred handles. */
struct reply_ops {
	/* A buffer to serialize one reply into (head bytes free in front). */
	struct envelope_buf	*(*begin)(void *target);
	/* The reply in b is complete: frame and queue it. */
	void			 (*commit)(void *target,
			    struct envelope_buf *b);
	/* Whether the target can still take replies. */
	int			 (*open)(void *target);
	void			 (*ref)(void *target);
	void			 (*unref)(void *target);
	/* Count a reply dropped because the target closed. */
	void			 (*dropped)(void *target);
	/* The target's pending deferred replies and how many it may have
	 * (*max); NULL (or a NULL op) when the target keeps none. */
	struct deferred_set	*(*pending)(void *target, uint32_t *max);
};

/* Who sent the request; NULL members when auth is off. */
struct request_identity {
	const char		*user;
	const char *const	*roles;		/* NULL-terminated */
};

struct hl_request {
	const struct reply_ops		*ops;
	void				*target;
	struct envelope_request		 env;
	const struct request_identity	*who;
	const struct route		*route;
	json_t				*data;		/* parsed on demand */
	uint64_t			 started_ns;	/* monotonic */
	/* replied or deferred */
	int				 answered;
	char				 req_id[ENVELOPE_REQ_ID_MAX + 1];
	char				 method[ENVELOPE_REQ_ID_MAX + 1];
	int				 req_id_decoded;
};

/* Start a request whose envelope is already scanned (env copied). */
void	 request_init(struct hl_request *req, const struct reply_ops *ops,
	    void *target, const struct envelope_request *env,
	    const struct request_identity *who);
/* Free what the request holds (the parsed data). */
void	 request_done(struct hl_request *req);
/* Reply to a request whose envelope failed to scan or route: the ids that
 * were found are echoed. */
void	 request_reply_error(struct hl_request *req, int status,
	    const char *message);
/* The target of set has closed: every deferred reply in it whose module
 * gave a cancel function is cancelled (the function called, the handle
 * freed); the others are detached, to be dropped when answered. */
void	 request_deferred_closed(struct deferred_set *set);
/* Bound the deferred replies pending in this process (one worker) over
 * all targets: past it hl_defer refuses as for a full target. */
void	 request_deferred_bound(uint32_t max);
/* Monotonic nanoseconds. */
uint64_t request_now_ns(void);

#endif
