/* "host:port" text to a socket address, and back. */
#ifndef HL_NETADDR_H
#define HL_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

struct netaddr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

/*
 * Parse "host:port", "[v6]:port", "*:port" or ":port" (all addresses) into
 * na. The host may be a name; it is resolved now. Returns 0, or -1 with a
 * reason in err.
 */
int	 netaddr_parse(const char *text, struct netaddr *na, char *err,
	    size_t errsize);
/* "1.2.3.4:80" or "[::1]:80" into buf. */
void	 netaddr_format(const struct netaddr *na, char *buf, size_t size);
/* 1 for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104; 0 for anything else,
 * the wildcard addresses included. */
int	 netaddr_is_loopback(const struct netaddr *na);
/* The port, in host order. */
int	 netaddr_port(const struct netaddr *na);

#endif
