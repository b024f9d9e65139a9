/* Refused authentications in the log, rate-limited: a flood of bad tokens
 * costs a line a second, and the next line says how many were held back. */
#include "autoconf.h"

#include <stdint.h>

#include "auth/auth_audit.h"
#include "core/log.h"
#include "core/log_limit.h"
#include "ws/conn.h"

void
auth_audit_refusal(const struct conn *c, const char *stage, const char *why)
{
	static struct log_limit limit;
	uint64_t held_back;
	char addr[80];

	if (!log_limit_ok(&limit, &held_back))
		return;
	conn_peer(c, addr, sizeof addr);
	log_notice("auth: refused %s at the %s: %s (%llu more held back)",
	    addr, stage, why, (unsigned long long)held_back);
}
