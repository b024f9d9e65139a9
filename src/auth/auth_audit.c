/* Refused authentications in the log, rate-limited: a flood of bad tokens
 * costs a line a second, and the next line says how many were held back. */
#include "autoconf.h"

#include <stdint.h>
#include <sys/socket.h>

#include "auth/auth_audit.h"
#include "core/log.h"
#include "core/log_limit.h"
#include "core/netaddr.h"
#include "ws/conn_int.h"

void
auth_audit_refusal(const struct conn *c, const char *stage, const char *why)
{
	static struct log_limit limit;
	struct netaddr peer;
	uint64_t held_back;
	char addr[80] = "?";

	if (!log_limit_ok(&limit, &held_back))
		return;
	peer.len = sizeof peer.ss;
	if (getpeername(c->fd, (struct sockaddr *)&peer.ss, &peer.len) == 0)
		netaddr_format(&peer, addr, sizeof addr);
	log_notice("auth: refused %s at the %s: %s (%llu more held back)",
	    addr, stage, why, (unsigned long long)held_back);
}
