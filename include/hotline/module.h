/*
 * The handler-module API. A module is a shared object listed in the config
 * (`module /path/to/x.so`); it exports one `const struct hl_module
 * hl_module_info`. hotlined loads every module in the master before it
 * forks workers, so all workers share the registrations; `module` lines are
 * not reloadable.
 *
 * Two phases:
 *   load()         master, before fork: call hl_register() for each handler.
 *                  No threads, descriptors or event bases here: they would be
 *                  shared by every worker.
 *   worker_init()  each worker, after fork: open connections, add timers on
 *                  the worker's event base.
 *   worker_fini()  each worker, on a clean exit.
 *
 * Everything here is called on the worker's single event-loop thread; no
 * function is thread-safe or async-signal-safe.
 */
#ifndef HOTLINE_MODULE_H
#define HOTLINE_MODULE_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever struct hl_module or a prototype here changes. */
#define HL_MODULE_ABI		1
#define HL_MODULE_SYMBOL	"hl_module_info"

struct event_base;
struct hl_request;
struct hl_deferred;

/* status_code values of a response envelope. */
enum hl_status {
	HL_STATUS_OK = 0,
	HL_STATUS_ERROR = 1,
	HL_STATUS_INVALID_DATA = 2,
	HL_STATUS_PERMISSION_DENIED = 3,
};

/* A handler: called once per request routed to its pkg_id, after the
 * schema and role checks passed. It must end the request with exactly one
 * hl_reply*() or hl_defer(); one that returns without either gets an ERROR
 * reply ("handler did not reply") and is counted. */
typedef void hl_handler_fn(struct hl_request *req, void *arg);

/* hl_handler.flags */
/* The handler reads only the raw data bytes; the data tree is not parsed
 * unless a schema needs it. */
#define HL_HANDLER_RAW	0x01

struct hl_handler {
	int32_t			 pkg_id;
	const char		*name;		/* for logs, metrics, reports */
	const char		*schema;	/* data's JSON schema or NULL */
	/* NULL-terminated; NULL: anyone. The caller needs one of them. */
	const char *const	*roles;
	hl_handler_fn		*fn;
	void			*arg;		/* passed to fn, not owned */
	unsigned		 flags;
};

/* Register a handler. Only from a module's load() (or hotlined's own
 * built-ins), in the master. Copies name, schema and roles. Returns 0, or -1
 * with a reason in err (err may be NULL): a pkg_id already taken, an invalid
 * schema (the message names the schema path), or a call after fork. */
int	 hl_register(const struct hl_handler *h, char *err, size_t errsize);

struct hl_module {
	unsigned	 abi;		/* HL_MODULE_ABI */
	const char	*name;
	/* Each returns 0, or -1 to stop hotlined (load) or the worker
	 * (worker_init), after logging why. Any may be NULL. */
	int		(*load)(void);
	int		(*worker_init)(struct event_base *base);
	void		(*worker_fini)(void);
};

/* --- the request (valid only during the handler call) ------------------ */

int32_t		 hl_request_pkg_id(const struct hl_request *req);
/* The req_id, decoded and NUL-terminated. */
const char	*hl_request_req_id(const struct hl_request *req);
/* The method string, or NULL. */
const char	*hl_request_method(const struct hl_request *req);
/* The raw JSON bytes of data (not NUL-terminated), or NULL when absent. */
const char	*hl_request_data_raw(const struct hl_request *req, size_t *len);
/* data parsed by jansson, borrowed: valid until the handler returns (take a
 * reference with json_incref to keep it). NULL when absent. */
json_t		*hl_request_data(struct hl_request *req);
/* With auth on: the user id, else NULL. */
const char	*hl_request_user(const struct hl_request *req);
/* 1 when the authenticated user has role. */
int		 hl_request_has_role(const struct hl_request *req,
		    const char *role);

/* --- replying now --------------------------------------------------------- */

/* Reply with data (stolen: the reference is consumed even on error; NULL
 * sends null). Returns 0, or -1 when the request was already answered or the
 * reply cannot be serialized (an ERROR reply goes out instead). */
int	 hl_reply(struct hl_request *req, int status, json_t *data);
/* Reply with raw JSON bytes for data, copied; the caller vouches they are
 * JSON. Returns 0, or -1 when already answered. */
int	 hl_reply_raw(struct hl_request *req, int status, const char *json,
	    size_t len);
/* Reply {"message": message} with status. Returns 0, or -1 when already
 * answered. */
int	 hl_reply_error(struct hl_request *req, int status,
	    const char *message);

/* --- replying later ------------------------------------------------------- */

/* End the handler call without a reply; answer later with
 * hl_deferred_reply(). The handle holds a reference to the connection, not
 * the connection itself: it stays valid after the client is gone. Returns
 * NULL when the request was already answered, or when its connection
 * already has ws_max_deferred replies pending (or the worker
 * ws_worker_deferred): the request has then been
 * answered with HL_STATUS_ERROR and a message (counted in
 * hotline_deferred_refused_total), and the handler just returns. */
struct hl_deferred *hl_defer(struct hl_request *req);
/* Send the reply and free the handle (data is stolen, as in hl_reply).
 * Returns 0 when queued, 1 when the connection closed meanwhile (the reply
 * is dropped and counted), -1 when it cannot be serialized or d is NULL
 * (a refused hl_defer; data is still consumed). */
int	 hl_deferred_reply(struct hl_deferred *d, int status, json_t *data);

/* Called, on the worker's loop, when the connection of a deferred reply
 * closes before the reply is sent. */
typedef void hl_deferred_cancel_fn(void *arg);
/* Ask for cancel(arg) if d's connection closes first. hotlined frees d
 * right after the call (counted in hotline_deferred_cancelled_total): the
 * function frees what the module keeps for the reply (its timer, say) and
 * never uses d again. Without one, d stays valid until hl_deferred_reply,
 * which then drops the reply. A NULL cancel removes it; d NULL is a no-op. */
void	 hl_deferred_on_cancel(struct hl_deferred *d,
	    hl_deferred_cancel_fn *cancel, void *arg);

/* --- broadcasting --------------------------------------------------------- */

/* Send data to every connection subscribed to topic (NUL-terminated; "all"
 * is every connection, "user:<id>" every connection of a user) on every
 * worker of this instance and, with redis_url set, of every instance, as
 * {"pkg_id": broadcast_pkg_id, "req_id": "b-<instance>-<n>", "data": data}.
 * data is stolen (the reference is consumed even on error; NULL sends
 * null); topic is copied. Only in a worker. Returns 0 once the message is
 * queued on this worker's subscribers and handed to the other workers
 * (delivery is then at most once: a subscriber whose send queue is full
 * misses it or is closed, by broadcast_slow_policy), or -1 when it cannot
 * be sent: not in a worker, topic NULL, empty, longer than
 * broadcast_max_topic_bytes or holding control characters, the envelope
 * larger than broadcast_max_bytes, or data that jansson cannot serialize
 * (these last two are counted in ws_broadcast_errors_total). */
int	 hl_broadcast(const char *topic, json_t *data);

/* --- the worker ----------------------------------------------------------- */

/* The worker's event base (NULL in the master). */
struct event_base *hl_worker_base(void);
/* The worker's index (0..workers-1), or -1 in the master. */
int	 hl_worker_index(void);

enum hl_log_level {
	HL_LOG_DEBUG,
	HL_LOG_INFO,
	HL_LOG_NOTICE,
	HL_LOG_WARN,
	HL_LOG_ERROR,
};

/* Log a line through hotlined's log, tagged with the worker. */
void	 hl_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
