/* Socket address parsing for the listen keys. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/netaddr.h"

/* Split text into host and port strings; "[v6]" loses its brackets. */
static int
netaddr_split(const char *text, char *host, size_t hostsize, char *port,
    size_t portsize)
{
	const char *colon, *h = text;
	size_t hlen;

	if (*text == '[') {
		const char *end = strchr(text, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		h = text + 1;
		hlen = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || memchr(text, ':', (size_t)(colon - text)))
			return -1;
		hlen = (size_t)(colon - text);
	}
	if (hlen >= hostsize || strlen(colon + 1) >= portsize)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int
netaddr_port_valid(const char *port)
{
	char *end;
	long n;

	if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
		return 0;
	n = strtol(port, &end, 10);
	return n >= 0 && n <= 65535;
}

int
netaddr_parse(const char *text, struct netaddr *na, char *err, size_t errsize)
{
	struct addrinfo hints, *res = NULL;
	char host[256], port[16];
	int rc;

	if (netaddr_split(text, host, sizeof host, port, sizeof port) == -1) {
		snprintf(err, errsize, "\"%s\" is not host:port", text);
		return -1;
	}
	if (!netaddr_port_valid(port)) {
		snprintf(err, errsize, "port \"%s\" is not 0-65535", port);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		strcpy(host, "0.0.0.0");
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errsize, "cannot resolve \"%s\": %s", host,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&na->ss, res->ai_addr, res->ai_addrlen);
	na->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void
netaddr_format(const struct netaddr *na, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (na->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&na->ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(buf, size, "[%s]:%d", host, netaddr_port(na));
	} else {
		const struct sockaddr_in *s4 = (const void *)&na->ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%d", host, netaddr_port(na));
	}
}

int
netaddr_port(const struct netaddr *na)
{
	const void *sa = &na->ss;

	if (na->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

int
netaddr_is_loopback(const struct netaddr *na)
{
	if (na->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&na->ss;
		const uint8_t *b = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return b[12] == 127;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return ((ntohl(((const struct sockaddr_in *)(const void *)&na->ss)->
	    sin_addr.s_addr)) >> 24) == 127;
}
