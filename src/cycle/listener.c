/* The master's reuseport listening sockets. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cycle/listener.h"

static int
listener_socket(const struct netaddr *na, int reuseport, int backlog)
{
	int fd, on = 1, saved;

	fd = socket(na->ss.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		goto fail;
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == -1)
		goto fail;
	if (na->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&na->ss, na->len) == -1)
		goto fail;
	if (backlog > 0 && listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * A reuseport group admits any socket of the same user, so a second hotlined
 * on the same port would silently share the traffic. A plain bind first
 * fails with EADDRINUSE when anyone holds the address.
 */
static int
listener_probe(const struct netaddr *na)
{
	int fd;

	if (netaddr_port(na) == 0)
		return 0;
	if ((fd = listener_socket(na, 0, 0)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
listener_open(struct listener *l, const char *text, int backlog, char *err,
    size_t errsize)
{
	char shown[128];
	int fd;

	memset(l, 0, sizeof *l);
	l->backlog = backlog;
	if (netaddr_parse(text, &l->addr, err, errsize) == -1)
		return -1;
	netaddr_format(&l->addr, shown, sizeof shown);
	if (listener_probe(&l->addr) == -1 ||
	    (fd = listener_socket(&l->addr, 1, backlog)) == -1) {
		snprintf(err, errsize, "cannot listen on %s: %s", shown,
		    strerror(errno));
		return -1;
	}
	/* Port 0: the others must join the port the kernel chose. */
	l->addr.len = sizeof l->addr.ss;
	getsockname(fd, (struct sockaddr *)&l->addr.ss, &l->addr.len);
	l->fds[0] = fd;
	l->nfds = 1;
	return 0;
}

int
listener_ensure(struct listener *l, int n, char *err, size_t errsize)
{
	char shown[128];
	int fd;

	if (n > LISTENER_MAX) {
		snprintf(err, errsize, "more than %d listening sockets",
		    LISTENER_MAX);
		return -1;
	}
	while (l->nfds < n) {
		if ((fd = listener_socket(&l->addr, 1, l->backlog)) == -1) {
			netaddr_format(&l->addr, shown, sizeof shown);
			snprintf(err, errsize, "cannot listen on %s: %s", shown,
			    strerror(errno));
			return -1;
		}
		l->fds[l->nfds++] = fd;
	}
	return 0;
}

void
listener_trim(struct listener *l, int n)
{
	while (l->nfds > n && l->nfds > 1)
		close(l->fds[--l->nfds]);
}

void
listener_close(struct listener *l)
{
	while (l->nfds > 0)
		close(l->fds[--l->nfds]);
}
