/* The log line of a refused authentication: the reason and the peer's
 * address, never the token, at most one a second per worker. */
#ifndef HL_AUTH_AUDIT_H
#define HL_AUTH_AUDIT_H

struct conn;

/* stage: "upgrade", "message", "timeout" or "session"; why: the reason the
 * client was told (it never holds the token). */
void	auth_audit_refusal(const struct conn *c, const char *stage,
	    const char *why);

#endif
