/*
 * Who may do what on the admin port: two bearer tokens (admin_read_token
 * reads, admin_token does everything), the refusals counted and logged
 * (rate-limited, never the token), every state change logged with the
 * peer's address.
 */
#ifndef HL_ADMIN_AUTH_H
#define HL_ADMIN_AUTH_H

#include <stdint.h>

struct config;
struct evbuffer;
struct evhttp_request;

enum admin_access {
	ADMIN_ACCESS_NONE,	/* no token, or a wrong one: 401 */
	ADMIN_ACCESS_READ,	/* admin_read_token */
	ADMIN_ACCESS_FULL,	/* admin_token, or no token configured */
};

struct admin_auth_counts {
	uint64_t	unauthorized;	/* 401: missing or wrong token */
	uint64_t	forbidden;	/* 403: the read token on a change */
};

/* What the request's Authorization header grants under cf's tokens. */
enum admin_access admin_auth_access(const struct config *cf,
	    struct evhttp_request *req);
/* Answer 401 (access NONE) or 403 (READ where FULL is needed), count it in
 * c and log it, at most a line a second. */
void	 admin_auth_refuse(struct evhttp_request *req,
	    enum admin_access access, struct admin_auth_counts *c);
/* Log a state-changing request (method, path, peer) before it runs. */
void	 admin_auth_audit(struct evhttp_request *req);
void	 admin_auth_metrics(struct evbuffer *out,
	    const struct admin_auth_counts *c);

#endif
